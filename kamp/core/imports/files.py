"""Where a running import keeps its side files (progress, liveness and run locks): shared by the
engine and :mod:`.liveness`, which both import it, so that neither imports the other back."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.db import connection


def database_key() -> str:
    """A short name for the database this process works on. Batch ids are per database, and
    several databases may share one uploads folder (the test suite's workers do), so every side
    file is named after its database too. An in-memory SQLite database has the same name in
    every process but lives only in its own, so its process is part of its name."""
    name = str(connection.settings_dict.get("NAME"))
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        name += f"@{os.getpid()}"
    return hashlib.sha1(name.encode()).hexdigest()[:10]


def side_folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports" / "progress"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def progress_file(batch_id: int) -> Path:
    return side_folder() / f"{database_key()}-{batch_id}.txt"
