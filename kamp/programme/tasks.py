"""Background work of the programme, in the ``kamp worker`` process: recomputing the stored alerts
of the accounts that changed (the task lives beside what it runs, ``kamp.programme.alert_store``;
one at a time is waiting: the writes that mark accounts dirty enqueue it only when none is)."""

from __future__ import annotations

from .alert_store import refresh_alerts_task

__all__ = ["refresh_alerts_task"]
