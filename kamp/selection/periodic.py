"""What ``kamp worker`` runs at every heartbeat for selection: have the reciprocity ledger
recomputed where it is stale — once a day per account, and sooner for an account whose survey
answers, plan actions or interactions changed (:func:`kamp.selection.tasks.mark_reciprocity_stale`).
The heartbeat only looks; the worker's task does the work."""

from __future__ import annotations

from kamp.core.tasks import enqueue_once

from . import tasks


def every_beat() -> None:
    if tasks.stale_reciprocity().exists():
        enqueue_once(tasks.refresh_reciprocity)
