"""No lost updates: a version number on records that several people edit (customers, contacts,
plans…). A form or an API client says which version it read; the action saves only if the record
is still at that version, and otherwise tells the writer that someone changed it since.

The check and the step to the next version are one UPDATE with the version in its WHERE, so two
writers can never both pass it: on PostgreSQL the second waits for the first to commit and then
finds the version moved on; SQLite lets one writer in at a time.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

CONFLICT_MESSAGE = _(
    "Someone else changed this since you opened it. Their version is shown beside yours: save "
    "again to keep yours, or reload the page to start from theirs."
)


class VersionConflict(Exception):
    """The record moved past the version the writer read. ``current`` is the record as it is now
    (``None`` when it was deleted meanwhile)."""

    def __init__(self, current: models.Model | None):
        super().__init__(str(CONFLICT_MESSAGE))
        self.current = current


def version_field() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(_("version"), default=1, editable=False)


def claim(instance: models.Model, expected: Any = None) -> None:
    """Move ``instance``'s row to its next version if it is still at ``expected`` (whatever it is
    when ``None``: a writer that read no version still tells later ones that it changed the
    record); raise :class:`VersionConflict` otherwise. Then reload ``instance``, so the caller
    applies its change to the record as it is now. Call it inside the action's transaction: on
    PostgreSQL the row stays locked until the commit."""
    model = type(instance)
    rows = model._default_manager.filter(pk=instance.pk)
    if expected is not None:
        try:
            expected = int(expected)
        except (TypeError, ValueError):
            expected = -1  # tampered or garbled: matches no row, so the writer is told
        rows = rows.filter(version=expected)
    if not rows.update(version=F("version") + 1):
        raise VersionConflict(model._default_manager.filter(pk=instance.pk).first())
    instance.refresh_from_db()


def parse_if_match(header: str | None) -> int | None:
    """The version an ``If-Match`` header names (``"3"``, ``W/"3"`` or ``3``); ``None`` when absent.
    A header that names no version raises ``ValueError``."""
    if not header:
        return None
    text = header.strip()
    if text.startswith("W/"):
        text = text[2:]
    return int(text.strip().strip('"'))
