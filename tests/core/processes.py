"""What the real-process tests (backup and restore, crash safety) share: the environment of a
``kamp`` command run as an operator would run it, on its own KAMP_HOME and database."""

from __future__ import annotations

import os
from pathlib import Path


def site_env(home: Path, url: str | None, **extra: str) -> dict[str, str]:
    """This process's environment without the test suite's database settings, with kamp's
    production settings on ``home`` (and ``url`` for PostgreSQL; SQLite under ``home`` otherwise)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"KAMP_TESTING", "KAMP_TEST_DATABASE_URL", "KAMP_DATABASE_URL"}
    }
    env.update(
        KAMP_HOME=str(home),
        DJANGO_SETTINGS_MODULE="kamp.settings",
        KAMP_LOG_LEVEL="ERROR",
        PYTHONWARNINGS="ignore",
        **extra,
    )
    if url:
        env["KAMP_DATABASE_URL"] = url
    return env
