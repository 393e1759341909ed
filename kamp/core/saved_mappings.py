"""Saved mappings: a person's column mapping for a source of files, kept to be used again.

The access helper (who may see, use and delete one) and the changes (save, delete: atomic,
audited) are here; the model is :class:`kamp.core.models.SavedMapping`. A saved mapping is used
like a shipped preset: the engine chooses it in kamp.core.imports.presets, where
:func:`visible_mappings` and :func:`as_preset` live (re-exported here, so that core's import
engine does not import this module back).

- See and use: its author, everyone when it is shared, and admins (who manage them all).
- Save: whoever may import; saving under the name of one's own mapping of the kind replaces it.
- Delete: its author, and admins any.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kamp.core import audit
from kamp.core.imports.presets import (
    NO_PRESET,
    SAVED_OPTION_KEYS,
    all_presets,
    as_preset,
    find_saved,
    named_saved,
    saved_presets,
    signature,
    visible_mappings,
)
from kamp.core.models import AuditEvent, SavedMapping

__all__ = [
    "MappingError",
    "as_preset",
    "do_delete_mapping",
    "do_save_mapping",
    "find_saved",
    "may_delete",
    "may_use",
    "named_saved",
    "saved_presets",
    "signature",
    "visible_mappings",
]

#: What of the mapping step a saved mapping keeps besides the columns.
OPTION_KEYS = SAVED_OPTION_KEYS


class MappingError(Exception):
    """A name that cannot be used, or a mapping the person may not change (the message says)."""


# --- access ---------------------------------------------------------------------------------
# Who sees and uses one is decided in kamp.core.imports.presets (the engine chooses mappings
# there): visible_mappings. Deleting is decided here.
def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def may_use(user, mapping: SavedMapping) -> bool:
    return visible_mappings(user).filter(pk=mapping.pk).exists()


def may_delete(user, mapping: SavedMapping) -> bool:
    """Its author, and admins any."""
    if not _active(user):
        return False
    return bool(user.is_admin or (mapping.created_by_id and mapping.created_by_id == user.pk))


# --- changes --------------------------------------------------------------------------------
def _check_name(kind: str, name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise MappingError(_("Give the mapping a name."))
    if len(name) > 100:
        raise MappingError(_("A mapping's name has at most 100 characters."))
    if name.casefold() == NO_PRESET or any(
        p.name.casefold() == name.casefold() for p in all_presets()
    ):
        raise MappingError(
            _("“%(name)s” is the name of a preset kamp ships: choose another name.")
            % {"name": name}
        )
    return name


@transaction.atomic
def do_save_mapping(
    user,
    *,
    kind: str,
    name: str,
    columns: dict[str, str],
    header: list[str],
    options: dict[str, Any] | None = None,
    shared: bool = False,
) -> SavedMapping:
    """Save (or replace, under the name of one's own mapping of the kind) a mapping, audited.
    Raises :class:`MappingError` for an empty name, a shipped preset's name, or the name of a
    mapping someone else saved (unless the person is an admin)."""
    name = _check_name(kind, name)
    kept = {k: v for k, v in (options or {}).items() if k in OPTION_KEYS and v not in (None, "")}
    existing = SavedMapping.objects.select_for_update().filter(kind=kind, name=name).first()
    now = timezone.now()
    if existing is not None:
        if not may_delete(user, existing):
            raise MappingError(
                _("“%(name)s” is a mapping someone else saved: choose another name.")
                % {"name": name}
            )
        before = audit.snapshot(existing, ["columns", "header", "options", "shared"])
        existing.columns, existing.header, existing.options = dict(columns), list(header), kept
        existing.shared, existing.updated_at = shared, now
        existing.save()
        after = audit.snapshot(existing, ["columns", "header", "options", "shared"])
        audit.record(
            user,
            AuditEvent.Action.UPDATE,
            existing,
            changes=audit.diff(before, after),
            summary=f"Saved mapping for {kind} replaced",
        )
        return existing
    mapping = SavedMapping.objects.create(
        name=name,
        kind=kind,
        columns=dict(columns),
        header=list(header),
        options=kept,
        shared=shared,
        created_by=user if getattr(user, "pk", None) else None,
        created_at=now,
        updated_at=now,
    )
    audit.record(
        user,
        AuditEvent.Action.CREATE,
        mapping,
        summary=f"Mapping for {kind} saved ({'shared' if shared else 'private'})",
    )
    return mapping


@transaction.atomic
def do_delete_mapping(user, mapping: SavedMapping) -> None:
    if not may_delete(user, mapping):
        raise MappingError(_("Only who saved a mapping, or an admin, may delete it."))
    audit.record(
        user, AuditEvent.Action.DELETE, mapping, summary=f"Saved mapping for {mapping.kind} deleted"
    )
    mapping.delete()
