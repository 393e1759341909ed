"""Every change to the interaction log and its settings: atomic, audited."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kamp.core import audit
from kamp.core.models import ImportBatch, User
from kamp.core.versioning import claim, claim_or_create
from kamp.customers.models import Contact, Customer

from .models import (
    Interaction,
    InteractionContact,
    InteractionPerson,
    InteractionSettings,
    InteractionSource,
)

FIELDS = ["date", "kind", "topic", "notes", "follow_up", "follow_up_on"]


def _snapshot(i: Interaction, ours: Sequence[User], theirs: Sequence[Contact]) -> dict[str, Any]:
    values = audit.snapshot(i, FIELDS)
    values["our_people"] = sorted(str(u) for u in ours)
    values["their_contacts"] = sorted(str(c) for c in theirs)
    return values


def _check_people(customer: Customer, ours: Sequence[User], theirs: Sequence[Contact]) -> None:
    errors: dict[str, list[str]] = {}
    if not ours:
        errors["our_people"] = [_("Pick at least one of our people.")]
    if not theirs:
        errors["their_contacts"] = [_("Pick at least one of the customer's people.")]
    # One customer's contacts never appear in another's log.
    strangers = [c for c in theirs if c.customer_id != customer.pk]
    if strangers:
        errors["their_contacts"] = [
            _("%(names)s not a contact of %(customer)s.")
            % {"names": ", ".join(str(c) for c in strangers), "customer": customer}
        ]
    if errors:
        raise ValidationError(errors)


def _link(i: Interaction, ours: Iterable[User], theirs: Iterable[Contact]) -> None:
    InteractionPerson.objects.bulk_create(InteractionPerson(interaction=i, user=u) for u in ours)
    InteractionContact.objects.bulk_create(
        InteractionContact(interaction=i, contact=c) for c in theirs
    )


@transaction.atomic
def do_log_interaction(
    acting_user,
    customer: Customer,
    *,
    our_people: Sequence[User],
    their_contacts: Sequence[Contact],
    **values: Any,
) -> Interaction:
    ours, theirs = list(dict.fromkeys(our_people)), list(dict.fromkeys(their_contacts))
    _check_people(customer, ours, theirs)
    i = Interaction(
        customer=customer,
        logged_by=acting_user if getattr(acting_user, "pk", None) else None,
        **values,
    )
    i.full_clean()
    i.save()
    _link(i, ours, theirs)
    audit.record(
        acting_user,
        "create",
        i,
        customer_id=customer.pk,
        changes=audit.diff({}, _snapshot(i, ours, theirs)),
    )
    return i


@transaction.atomic
def do_update_interaction(
    acting_user,
    interaction: Interaction,
    *,
    our_people: Sequence[User],
    their_contacts: Sequence[Contact],
    version: Any = None,
    **values: Any,
) -> Interaction:
    """Change a logged interaction; with ``version``, only if nobody saved it since
    (``VersionConflict``)."""
    claim(interaction, version)
    before = _snapshot(
        interaction, list(interaction.our_people.all()), list(interaction.their_contacts.all())
    )
    ours, theirs = list(dict.fromkeys(our_people)), list(dict.fromkeys(their_contacts))
    _check_people(interaction.customer, ours, theirs)
    for k, v in values.items():
        setattr(interaction, k, v)
    interaction.full_clean()
    interaction.save()
    interaction.people_links.all().delete()
    interaction.contact_links.all().delete()
    _link(interaction, ours, theirs)
    changes = audit.diff(before, _snapshot(interaction, ours, theirs))
    if changes:
        audit.record(
            acting_user, "update", interaction, customer_id=interaction.customer_id, changes=changes
        )
    return interaction


@transaction.atomic
def do_delete_interaction(acting_user, interaction: Interaction) -> None:
    audit.record(
        acting_user,
        "delete",
        interaction,
        customer_id=interaction.customer_id,
        changes=audit.diff(
            _snapshot(
                interaction,
                list(interaction.our_people.all()),
                list(interaction.their_contacts.all()),
            ),
            {},
        ),
    )
    interaction.delete()


@transaction.atomic
def do_update_settings(acting_user, *, version: Any = None, **values: Any) -> InteractionSettings:
    """Change the analysis settings; with ``version``, only if nobody saved them since
    (``VersionConflict``)."""
    obj = InteractionSettings.load()
    claim_or_create(obj, version)
    fields = list(values)
    before = audit.snapshot(obj, fields) if obj.pk else {}
    for k, v in values.items():
        setattr(obj, k, v)
    obj.full_clean()
    obj.save()
    changes = audit.diff(before, audit.snapshot(obj, fields))
    if changes:
        audit.record(acting_user, "update", obj, changes=changes)
    return obj


# --- Bulk logging (imports) -------------------------------------------------------------------


def bulk_log(
    acting_user, batch: ImportBatch | None, entries: Sequence[dict[str, Any]], source: str
) -> list[Interaction]:
    """Save many already-validated interactions (each a dict of Interaction fields plus
    ``customer``, ``our_people``, ``their_contacts``) with a handful of queries, and one audit
    row per customer. Call inside the import's transaction."""
    made = []
    for e in entries:
        i = Interaction(
            customer=e["customer"],
            date=e["date"],
            kind=e.get("kind", "meeting"),
            topic=e["topic"][:300],
            notes=e.get("notes", ""),
            follow_up=e.get("follow_up", ""),
            source=source,
            external_uid=e.get("external_uid", ""),
            import_batch=batch,
            logged_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        made.append(i)
    Interaction.objects.bulk_create(made)
    if made and made[0].pk is None:  # backends that don't return ids from bulk_create
        raise RuntimeError("bulk_create did not return primary keys")
    links_p: list[InteractionPerson] = []
    links_c: list[InteractionContact] = []
    for i, e in zip(made, entries, strict=True):
        links_p.extend(
            InteractionPerson(interaction=i, user=u) for u in dict.fromkeys(e["our_people"])
        )
        links_c.extend(
            InteractionContact(interaction=i, contact=c) for c in dict.fromkeys(e["their_contacts"])
        )
    InteractionPerson.objects.bulk_create(links_p)
    InteractionContact.objects.bulk_create(links_c)
    per_customer: dict[int, list[Interaction]] = defaultdict(list)
    for i in made:
        per_customer[i.customer_id].append(i)
    # English words: said() shows them in the reader's language.
    labels: dict[str, str] = {
        InteractionSource.CALENDAR: gettext_noop("calendar"),
        InteractionSource.MAIL: gettext_noop("mailbox"),
    }
    label = labels.get(source, gettext_noop("file"))
    for customer_id, items in per_customer.items():
        audit.record(
            acting_user,
            "import",
            None,
            customer_id=customer_id,
            object_type="interactions.interaction",
            object_id=batch.pk if batch else "",
            object_repr=batch.filename if batch else "",
            summary=audit.say(
                gettext_noop("%(n)d interactions imported from a %(source)s."),
                n=len(items),
                source=label,
            ),
        )
    return made


@transaction.atomic
def do_import_calendar(
    acting_user,
    events: Sequence[dict[str, Any]],
    filename: str,
    batch: ImportBatch | None = None,
    remove: Sequence[Interaction] = (),
) -> tuple[ImportBatch | None, list[Interaction], int]:
    """Log the reviewed calendar ``events`` (see :mod:`kamp.interactions.imports`), skipping any
    whose key is already in the log (the same event is never imported twice), and delete the
    logged interactions in ``remove`` (their meetings were cancelled since). Returns the batch,
    the interactions made and how many were removed. When nothing is logged nor removed no
    batch is left: a pending ``batch`` is deleted, none is created."""
    uids = [e["external_uid"] for e in events if e.get("external_uid")]
    known = set(
        # The partial unique index's own condition, repeated, lets SQLite read the index
        # instead of the whole log.
        Interaction.objects.filter(external_uid__in=uids)
        .exclude(external_uid="")
        .order_by()
        .values_list("external_uid", flat=True)
    )
    fresh, seen = [], set()
    for e in events:
        uid = e.get("external_uid", "")
        if uid and (uid in known or uid in seen):
            continue
        seen.add(uid)
        fresh.append(e)
    for interaction in remove:
        do_delete_interaction(acting_user, interaction)
    if not fresh and not remove:
        if batch is not None and batch.pk:
            batch.delete()
        return None, [], 0
    if batch is None:
        batch = ImportBatch.objects.create(
            kind="interactions_calendar",
            filename=filename[:255],
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
    made = bulk_log(acting_user, batch, fresh, InteractionSource.CALENDAR)
    batch.status = ImportBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.total_rows = len(events) + len(remove)
    batch.processed_rows = len(events) + len(remove)
    batch.created_count = len(made)
    batch.skipped_count = len(events) - len(made)
    batch.save()
    return batch, made, len(remove)


def today() -> date:
    return timezone.localdate()


# --- Target form ------------------------------------------------------------------------------


@transaction.atomic
def do_set_target(
    acting_user, customer: Customer, *, form: str, pairs: Iterable[Sequence[str]] = (), note=""
):
    """Set (or change) the interaction form ``customer`` aims at. ``pairs``: named functional
    pairs (our function, their function). A mix needs at least one named pair."""
    from kamp.core.choices import Function

    from .models import TargetForm
    from .target import FORM_MIX, FORMS, clean_pairs

    if form not in FORMS:
        raise ValidationError(_("Choose A (bow-tie), B (diamond) or a mix."))
    try:
        named = clean_pairs(pairs)
    except (IndexError, TypeError):
        raise ValidationError(_("Each named pair is our function and theirs."))
    known = set(Function.values)
    bad = sorted({f for p in named for f in p if f not in known})
    if bad:
        raise ValidationError(_("Unknown function: %(names)s.") % {"names": ", ".join(bad)})
    if form == FORM_MIX and not named:
        raise ValidationError(_("A mix needs at least one named pair."))
    obj = TargetForm.objects.select_for_update().filter(customer=customer).first()
    fields = ["form", "pairs", "note"]
    before = audit.snapshot(obj, fields) if obj else {}
    if obj is None:
        obj = TargetForm(customer=customer)
    obj.form = form
    obj.pairs = [list(p) for p in named]
    obj.note = (note or "").strip()[:300]
    obj.set_by = acting_user
    obj.set_on = timezone.localdate()
    obj.save()
    changes = audit.diff(before, audit.snapshot(obj, fields))
    if changes:
        audit.record(acting_user, "update" if before else "create", obj, changes=changes)
    return obj
