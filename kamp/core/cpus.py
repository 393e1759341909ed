"""How many processors this process may run on (its affinity where the platform tells it):
what decides whether work is worth handing to other processes (kamp.core.imports' workers, the
mail capture's reading process)."""

from __future__ import annotations

import os


def usable() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
