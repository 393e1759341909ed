"""KAM ownership history per account: the recorded changes plus owner changes made elsewhere
(e.g. the customer form), read from the audit trail. Two queries for any number of accounts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from kamp.core.lookups import Ids
from kamp.core.models import AuditEvent

from .models import OwnershipChange


@dataclass
class Change:
    customer_id: int
    on: date
    previous: str
    new: str
    previous_id: int | None = None
    new_id: int | None = None
    reason: str = ""
    by: str = ""

    @property
    def is_handover(self) -> bool:
        """A real change of KAM, not the first assignment of one."""
        return bool(self.previous) and bool(self.new) and self.previous != self.new


def changes_by_customer(customer_ids) -> dict[int, list[Change]]:
    """Every owner change of the given customers, oldest first."""
    ids = list(customer_ids)
    found: dict[int, list[Change]] = defaultdict(list)
    if not ids:
        return found
    recorded = OwnershipChange.objects.filter(customer_id__any=Ids(ids)).select_related(
        "previous_owner", "new_owner", "changed_by"
    )
    linked = set()
    for oc in recorded:
        if oc.audit_event_id:
            linked.add(oc.audit_event_id)
        found[oc.customer_id].append(
            Change(
                customer_id=oc.customer_id,
                on=oc.changed_on,
                previous=str(oc.previous_owner or ""),
                new=str(oc.new_owner or ""),
                previous_id=oc.previous_owner_id,
                new_id=oc.new_owner_id,
                reason=oc.reason,
                by=str(oc.changed_by or ""),
            )
        )
    events = (
        AuditEvent.objects.filter(
            object_type="customers.customer",
            customer_id__any=Ids(ids),
            action__in=["update", "import"],
        )
        .select_related("actor")
        .only("id", "at", "customer_id", "changes", "actor__name", "actor__email")
    )
    for ev in events:
        if ev.id in linked or ev.customer_id is None:
            continue
        for ch in ev.changes or []:
            if isinstance(ch, dict) and ch.get("field") == "owner":
                found[ev.customer_id].append(
                    Change(
                        customer_id=ev.customer_id,
                        on=timezone.localdate(ev.at),
                        previous=ch.get("old") or "",
                        new=ch.get("new") or "",
                        by=str(ev.actor or ""),
                    )
                )
    for lst in found.values():
        lst.sort(key=lambda c: c.on)
    return found


def owner_since(changes: list[Change], owner_name: str, fallback: date | None) -> date | None:
    """When the current owner took the account: the last change to them, else ``fallback``."""
    for ch in reversed(changes):
        if ch.new == owner_name:
            return ch.on
    return fallback
