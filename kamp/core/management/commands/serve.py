"""``kamp serve``: the production server — gunicorn running kamp's WSGI application.

Run several workers per machine and as many machines as needed behind a reverse proxy that
terminates TLS (README.md, "Running kamp for a team"); keep one ``kamp worker`` beside them.
"""

from __future__ import annotations

import multiprocessing
import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from kamp import i18n
from kamp.core.cli import add_dry_run_argument
from kamp.core.health import migrations_pending


def default_workers() -> int:
    return int(os.environ.get("KAMP_WORKERS") or min(2 * multiprocessing.cpu_count() + 1, 9))


# A Unix socket path longer than this does not fit the kernel's sockaddr_un (108 bytes).
MAX_SOCKET_PATH = 100


def _gunicorn_flags() -> set[str]:
    from gunicorn.config import KNOWN_SETTINGS

    return {flag for setting in KNOWN_SETTINGS for flag in getattr(setting, "cli", None) or ()}


def control_socket_args() -> list[str]:
    """Recent gunicorn versions open a control socket in ``~/.gunicorn/`` by default: every file
    kamp writes lives under KAMP_HOME instead (``KAMP_HOME/run/gunicorn.ctl``), or, when that
    path is too long for a socket, there is none (kamp does not use it). A gunicorn without the
    option opens no socket, and is given nothing."""
    if "--control-socket" not in _gunicorn_flags():
        return []
    path = settings.KAMP_HOME / "run" / "gunicorn.ctl"
    if len(str(path)) > MAX_SOCKET_PATH:
        return ["--no-control-socket"]
    path.parent.mkdir(parents=True, exist_ok=True)
    return ["--control-socket", str(path)]


class Command(BaseCommand):
    help = (
        "Serve kamp in production with gunicorn (several worker processes). Collects the static "
        "files into KAMP_HOME/static and checks that the database is migrated first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            default=os.environ.get("KAMP_BIND", "127.0.0.1:8000"),
            help="Address and port to listen on (default 127.0.0.1:8000; KAMP_BIND).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="Worker processes (default 2 × CPUs + 1, at most 9; KAMP_WORKERS).",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=60,
            help="Seconds before a stuck request's worker is restarted.",
        )
        parser.add_argument(
            "--migrate", action="store_true", help="Apply pending migrations before starting."
        )
        # --dry-run: prepare, and print the gunicorn command instead of starting it
        add_dry_run_argument(parser)

    def progress(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    def handle(self, *args, bind, workers, timeout, migrate, dry_run, **options):
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        if migrations_pending():
            if migrate:
                self.progress("Migrating the database…")
                call_command("migrate", interactive=False, verbosity=1)
            else:
                # Serving code ahead of its tables fails on the first page that reads a new
                # column: refuse now, with the way out, rather than answer 500s.
                raise CommandError(
                    "The database has unapplied migrations: run `kamp migrate` first, or start "
                    "with `kamp serve --migrate` to apply them."
                )
        if settings.DEBUG:
            self.stderr.write(self.style.WARNING("KAMP_DEBUG is on: never in production."))
        # Preparing takes up to a minute on a first start (collectstatic copies Plotly and
        # every app's files): say so, or the silence reads as a hang.
        self.progress("Compiling the translations…")
        i18n.compile_all()
        self.progress(f"Collecting static files into {settings.STATIC_ROOT}…")
        call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "kamp.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--timeout",
            str(timeout),
            "--access-logfile",
            "-",
            "--error-logfile",
            "-",
            # The access log without the secrets of private links and calendar feeds.
            "--logger-class",
            "kamp.accesslog.RedactingLogger",
            # kamp loaded and warmed once in gunicorn's master (URLconf, templates,
            # translations: kamp.core.warmup), then forked: no worker pays for it on its first
            # views. The price: code changes need a restart, not a HUP.
            "--preload",
            "--config",
            "python:kamp.core.gunicorn_hooks",
            *control_socket_args(),
        ]
        if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
            # Behind a proxy (KAMP_BEHIND_PROXY): trust its X-Forwarded-* headers.
            argv += ["--forwarded-allow-ips", os.environ.get("KAMP_FORWARDED_ALLOW_IPS", "*")]
        self.stdout.write(f"kamp serving on http://{bind}/ with {workers} worker(s)")
        if dry_run:
            self.stdout.write(" ".join(argv))
            return
        sys.stdout.flush()
        sys.stderr.flush()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kamp.settings")
        os.execv(sys.executable, argv)
