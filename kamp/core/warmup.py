"""A server process made ready before gunicorn forks its workers (``kamp serve``).

``kamp serve`` starts gunicorn with the application preloaded (``--preload``) and with
:mod:`kamp.core.gunicorn_hooks`, whose ``when_ready`` calls :func:`warm_up` in gunicorn's master
once, before any worker exists. Every worker then starts as a copy of a warm process: the URLconf
with every view module and the API it imports, every template compiled (the cached loader), the
translations of every language and their formats. Without it each worker paid these on its first
views — seconds per worker, and a restarted worker (``--max-requests``, a timeout) paid again.

Nothing here keeps a database connection: a connection opened before the fork would be shared by
every worker (one socket, interleaved replies), so the warm-up reads no data and closes every
connection it may have opened.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

logger = logging.getLogger(__name__)


def _urls() -> int:
    """The URLconf, with every view module it imports, resolved once; its top-level routes."""
    from django.urls import get_resolver

    resolver = get_resolver()
    resolver.reverse_dict  # noqa: B018 - builds the lookup tables every reverse() reads
    return len(resolver.url_patterns)


def _templates() -> int:
    """Every template of kamp's apps compiled into the cached loader; how many."""
    from django.template import TemplateSyntaxError, engines

    compiled = 0
    for engine in engines.all():
        # The folders the engine's loaders read (the cached loader wraps the others).
        dirs: list = []
        for loader in getattr(getattr(engine, "engine", None), "template_loaders", ()):
            for inner in getattr(loader, "loaders", [loader]):
                dirs += [d for d in inner.get_dirs() if d not in dirs]
        for folder in dirs:
            root = Path(folder)
            if "site-packages" in root.parts:
                continue  # the admin's and other libraries' templates: rarely opened
            for path in sorted(root.rglob("*.html")) + sorted(root.rglob("*.txt")):
                name = path.relative_to(root).as_posix()
                try:
                    engine.get_template(name)
                except (TemplateSyntaxError, UnicodeDecodeError, LookupError) as error:
                    # A broken template is the page's problem, found when it is opened.
                    logger.debug("warm-up: template %s not compiled: %s", name, error)
                    continue
                compiled += 1
    return compiled


def _languages() -> int:
    """Every language's translations and formats loaded."""
    from django.conf import settings
    from django.utils import formats, translation

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Home")
            for name in (
                "DATE_FORMAT",
                "DATETIME_FORMAT",
                "DECIMAL_SEPARATOR",
                "THOUSAND_SEPARATOR",
            ):
                formats.get_format(name)
    return len(settings.LANGUAGES)


def warm_up() -> dict[str, float | int]:
    """Load what every worker would otherwise load on its first views; what was done, and how
    long it took. A step that fails is logged and skipped: the server starts all the same."""
    from django.db import connections

    report: dict[str, float | int] = {}
    started = time.monotonic()
    for step, run in (("routes", _urls), ("templates", _templates), ("languages", _languages)):
        try:
            report[step] = run()
        except Exception:  # noqa: BLE001 - a warm-up never stops the server from starting
            logger.exception("warm-up: %s failed; the workers will load it themselves", step)
    # No connection may cross the fork (see the module's docstring).
    connections.close_all()
    report["seconds"] = round(time.monotonic() - started, 2)
    return report
