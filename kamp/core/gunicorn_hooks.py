"""gunicorn's configuration hooks for ``kamp serve`` (``--config python:kamp.core.gunicorn_hooks``).

The application is preloaded (``--preload``): gunicorn's master imports kamp once, then
``when_ready`` warms it (:func:`kamp.core.warmup.warm_up`) before the workers are forked, so
every worker — the first ones and each one restarted later — answers its first views warm.
"""

from __future__ import annotations


def when_ready(server) -> None:
    from kamp.core.warmup import warm_up

    report = warm_up()
    server.log.info(
        "kamp warmed up before forking the workers: %s",
        ", ".join(f"{k} {v}" for k, v in report.items()),
    )
