"""What ``kamp worker`` runs at every heartbeat for connect: queue the calendar connections
whose sync is due (``KAMP_CALENDAR_SYNC_MINUTES``)."""

from __future__ import annotations

from . import tasks


def every_beat() -> None:
    tasks.schedule_calendars()
