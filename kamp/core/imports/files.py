"""Where a running import keeps its side files (progress, liveness lock): shared by the engine
and :mod:`.liveness`, which both import it, so that neither imports the other back."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def progress_file(batch_id: int) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports" / "progress"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{batch_id}.txt"
