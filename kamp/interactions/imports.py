"""Bulk entry of interactions.

- CSV/XLSX files (``date,customer,kind,our_people,their_contacts,topic``): an import kind of the
  engine in kamp.core.imports (``kamp import interactions FILE``, the Imports page, revert);
- calendar (.ics) files, in two steps so that the user reviews before anything is saved:
  ``plan_calendar(data, user)`` reads (kamp.interactions.ics: encodings, broken events, series)
  and matches (a JSON-serialisable plan that waits in an ImportBatch between upload and review),
  ``save_calendar(user, events, ...)`` logs the events the user kept and removes the cancelled
  ones the user chose (``kamp interactions import FILE.ics [--dry-run]`` on the command line).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from kamp.core import audit
from kamp.core.choices import Function, Role
from kamp.core.imports import (
    Field,
    ImportKind,
    RowError,
    choice_parser,
    list_parser,
    parse_date,
    parse_long_text,
    register,
)
from kamp.core.models import ImportBatch, User
from kamp.customers import actions as customer_actions
from kamp.customers.access import customers_editable_by
from kamp.customers.imports.lookup import check_may_edit, customer_index
from kamp.customers.models import Contact, Customer

from . import actions, ics
from .models import (
    Interaction,
    InteractionContact,
    InteractionKind,
    InteractionPerson,
    InteractionSource,
)

# --- Calendar (.ics) ---------------------------------------------------------------------------

# Extensions read as calendars (by the command line; the upload page takes any file).
CALENDAR_SUFFIXES = (".ics", ".ical", ".ifb", ".icalendar")
PLAN_GROUPS = (
    "matched",
    "already",
    "unmatched",
    "not_allowed",
    "planned",
    "cancelled",
    "unreadable",
    "series",
    "errors",
)


@dataclass
class CalendarPlan:
    matched: list[dict[str, Any]] = field(default_factory=list)  # to be logged, after review
    already: list[dict[str, Any]] = field(default_factory=list)  # same event already in the log
    unmatched: list[dict[str, Any]] = field(default_factory=list)  # no customer / none of ours
    not_allowed: list[dict[str, Any]] = field(
        default_factory=list
    )  # a customer the user can't edit
    planned: list[dict[str, Any]] = field(default_factory=list)  # after now: not held yet
    cancelled: list[dict[str, Any]] = field(default_factory=list)  # logged, since cancelled
    unreadable: list[dict[str, Any]] = field(default_factory=list)  # each with its reason
    series: list[dict[str, Any]] = field(default_factory=list)  # how many occurrences each gave
    errors: list[str] = field(default_factory=list)  # the file as a whole cannot be read
    since: str = ""  # the first day a series is expanded from

    def as_dict(self) -> dict[str, Any]:
        return {**{k: getattr(self, k) for k in PLAN_GROUPS}, "since": self.since}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CalendarPlan:
        return cls(**{k: d.get(k, []) for k in PLAN_GROUPS}, since=d.get("since", ""))

    @property
    def to_act_on(self) -> bool:
        """Whether the review has anything to save: events to log or logged ones to remove."""
        return bool(self.matched or self.cancelled)

    @property
    def rows(self) -> int:
        return sum(
            len(getattr(self, k))
            for k in ("matched", "already", "unmatched", "not_allowed", "planned", "cancelled")
        )


def problem_reason(p: ics.Problem) -> str:
    """A reading problem of :mod:`kamp.interactions.ics` in the user's language."""
    detail = p.detail
    reasons = {
        ics.NOT_A_CALENDAR: _("This is not a calendar (.ics) file that can be read."),
        ics.NO_START: _("the event has no start (DTSTART)"),
        ics.BAD_START: _("its start (DTSTART) cannot be read: %(detail)s"),
        ics.TWO_STARTS: _("it has two starts (DTSTART)"),
        ics.BROKEN_EVENT: _("the event cannot be read: %(detail)s"),
        ics.CUT_OFF: _("the event is cut off (the file ends before its END:VEVENT)"),
        ics.BAD_RECURRENCE: _("its repetition rule cannot be followed: %(detail)s"),
        ics.TOO_MANY: _(
            "the series repeats more than %(detail)s times in the period: not imported"
        ),
        ics.TOO_FREQUENT: _("it repeats more often than daily: not a meeting to log"),
        ics.TOO_LONG: _("the series runs over too long a time to be read: not imported"),
    }
    return reasons.get(p.code, p.code) % {"detail": detail}


def calendar_window(now: datetime | None = None) -> date:
    """The first day a series is expanded from by default: a year before today."""
    today = timezone.localtime(now).date() if now else timezone.localdate()
    return today - timedelta(days=365)


def read_calendar(
    data: bytes, *, now: datetime | None = None, since: date | None = None
) -> ics.Read:
    """The events of an .ics file (see :mod:`kamp.interactions.ics`), dates in kamp's zone."""
    now = now or timezone.now()
    return ics.read(
        data,
        now=now,
        tz=timezone.get_current_timezone(),
        since=since or calendar_window(now),
    )


def people_by_email(emails) -> tuple[dict[str, User], dict[str, list[Contact]]]:
    """Who the (lower-case) addresses are: our active users by address, and the active customer
    contacts by address (one address may be a contact at two customers). The matching of the
    calendar import, also used by the mail capture."""
    emails = {e.lower() for e in emails if e}
    ours: dict[str, User] = {
        u.email.lower(): u
        for u in User.objects.filter(is_active=True)
        .annotate(le=Lower("email"))
        .filter(le__in=emails)
    }
    contacts: dict[str, list[Contact]] = {}
    for c in contacts_at(emails).select_related("customer"):
        contacts.setdefault(c.email.lower(), []).append(c)
    return ours, contacts


def contacts_at(emails):
    """The active contacts whose address is one of ``emails`` (lower case), found through the
    contacts' index of lower-case addresses (``contact_email_lower``)."""
    # In a fixed order of their own, not the contacts' usual one (by customer name): that
    # joined the customers and sorted them for every chunk of a mailbox.
    return (
        Contact.objects.annotate(le=Lower("email"))
        .filter(le__in=emails, active=True)
        .order_by("customer_id", "pk")
    )


def main_customer(theirs: list[Contact]) -> tuple[int, list[Contact]]:
    """The customer with most of these contacts (a meeting or a mail with two customers goes to
    the first: most people, then the oldest customer) and its contacts among them."""
    by_customer = Counter(c.customer_id for c in theirs)
    customer_id = max(by_customer, key=lambda k: (by_customer[k], -k))
    return customer_id, [c for c in theirs if c.customer_id == customer_id]


def plan_calendar(
    data: bytes, user, *, now: datetime | None = None, since: date | None = None
) -> CalendarPlan:
    since = since or calendar_window(now)
    read = read_calendar(data, now=now, since=since)
    plan = CalendarPlan(since=since.isoformat())
    for p in read.problems:
        if p.code == ics.NOT_A_CALENDAR:
            plan.errors.append(problem_reason(p))
            return plan
        plan.unreadable.append(
            {
                "topic": p.topic or _("(no title)"),
                "uid": p.uid,
                "line": p.line,
                "reason": problem_reason(p),
            }
        )
    events = read.events
    if not events and not plan.unreadable:
        plan.errors.append(_("This calendar holds no events (only tasks, time zones or notes)."))
        return plan
    for s in read.series:
        plan.series.append(
            {
                "topic": s.topic or _("(no title)"),
                "occurrences": s.occurrences,
                "next": s.next_day.isoformat() if s.next_day else "",
            }
        )
    ours, contacts = people_by_email({e for ev in events for e in ev.emails})
    logged = {
        i.external_uid: i
        for i in Interaction.objects.filter(external_uid__in={ev.key for ev in events})
        # The partial unique index's own condition, repeated, lets SQLite read the index
        # instead of the whole log.
        .exclude(external_uid="")
        .select_related("customer")
    }
    # Before series were expanded, a recurring meeting was logged once under its bare UID, on
    # one day: that day's occurrence is the one already logged.
    legacy = set(
        Interaction.objects.filter(external_uid__in={ev.series for ev in events if ev.series})
        .exclude(external_uid="")
        .values_list("external_uid", "date")
    )
    editable = set(
        customers_editable_by(user)
        .filter(
            pk__in={c.customer_id for cs in contacts.values() for c in cs}
            | {i.customer_id for i in logged.values()}
        )
        .values_list("pk", flat=True)
    )
    # A cancellation stands for the event it cancels, wherever it stands in the file (Outlook
    # and Google may keep the cancelled copy of a meeting beside the meeting itself).
    cancelled_keys = {ev.key for ev in events if ev.cancelled}
    seen: set[str] = set()
    for ev in sorted(events, key=lambda e: (e.day, e.key)):
        row: dict[str, Any] = {
            "uid": ev.key,
            "date": ev.day.isoformat(),
            "topic": ev.topic or _("(no title)"),
        }
        if ev.series:
            row["series"] = True
        if ev.key in seen:
            continue
        seen.add(ev.key)
        if ev.key in cancelled_keys:
            done = logged.get(ev.key)
            if done is None:
                plan.unmatched.append({**row, "reason": _("cancelled")})
            elif done.customer_id in editable:
                plan.cancelled.append(
                    {
                        **row,
                        "interaction_id": done.pk,
                        "customer_id": done.customer_id,
                        "customer": done.customer.name,
                    }
                )
            else:
                plan.not_allowed.append(row)
            continue
        if ev.key in logged or (ev.series, ev.day) in legacy:
            plan.already.append(row)
            continue
        our_people = [ours[e] for e in ev.emails if e in ours]
        theirs = [c for e in ev.emails for c in contacts.get(e, [])]
        if not our_people or not theirs:
            if ev.planned:
                plan.planned.append({**row, "customer": ""})
                continue
            reason = (
                _("none of our people attend")
                if not our_people
                else _("no customer contact attends")
            )
            plan.unmatched.append({**row, "reason": reason})
            continue
        customer_id, theirs = main_customer(theirs)
        customer = theirs[0].customer
        row.update(
            {
                "customer_id": customer_id,
                "customer": customer.name,
                "our_ids": [u.pk for u in our_people],
                "our_names": [str(u) for u in our_people],
                "their_ids": [c.pk for c in theirs],
                "their_names": [c.name for c in theirs],
            }
        )
        if ev.planned:  # not held yet: shown, never logged as held
            plan.planned.append(row)
        elif customer_id in editable:
            plan.matched.append(row)
        else:
            plan.not_allowed.append(row)
    return plan


def save_calendar(
    user,
    events: list[dict[str, Any]],
    filename: str,
    batch: ImportBatch | None = None,
    remove: list[dict[str, Any]] | None = None,
) -> tuple[ImportBatch | None, list[Interaction], int]:
    """Log reviewed events (rows of ``CalendarPlan.matched``) and remove the logged ones the
    user chose among those since cancelled (rows of ``CalendarPlan.cancelled``), re-checking
    access and people. Nothing to do leaves no batch behind (a pending one is dropped)."""
    remove = remove or []
    allowed = set(
        customers_editable_by(user)
        .filter(pk__in={e["customer_id"] for e in [*events, *remove]})
        .values_list("pk", flat=True)
    )
    customers = Customer.objects.in_bulk(allowed)
    users = User.objects.in_bulk({u for e in events for u in e["our_ids"]})
    contacts = Contact.objects.in_bulk({c for e in events for c in e["their_ids"]})
    entries = []
    for e in events:
        if e["customer_id"] not in allowed:
            continue
        theirs = [
            contacts[c]
            for c in e["their_ids"]
            if c in contacts and contacts[c].customer_id == e["customer_id"]
        ]
        ours = [users[u] for u in e["our_ids"] if u in users]
        if not theirs or not ours:
            continue
        entries.append(
            {
                "customer": customers[e["customer_id"]],
                "date": date.fromisoformat(e["date"]),
                "kind": InteractionKind.MEETING,
                "topic": e["topic"],
                "external_uid": e["uid"],
                "our_people": ours,
                "their_contacts": theirs,
            }
        )
    # Only the very interaction the plan saw, still carrying the cancelled event's key.
    doomed = list(
        Interaction.objects.filter(
            pk__in=[r["interaction_id"] for r in remove],
            external_uid__in=[r["uid"] for r in remove],
            customer_id__in=allowed,
        )
    )
    return actions.do_import_calendar(user, entries, filename, batch=batch, remove=doomed)


# --- CSV (a kind of kamp.core.imports: ``kamp import interactions FILE``) -----------------------


KIND_LABELS = {
    "meeting": ["Reunión"],
    "call": ["Llamada"],
    "visit": ["Visita"],
    "email": ["Correo", "Mail"],
    "workshop": ["Taller"],
    "event": ["Evento"],
    "other": ["Otro"],
}


def _text(value, decimal=None) -> str:
    return str(value).strip()


@register
class InteractionImport(ImportKind):
    """``date,customer,kind,our_people,their_contacts,topic`` (+ ``our_functions``, ``notes``,
    ``follow_up``); people by name or e-mail, ``|``-separated. Unknown people are errors, or —
    with ``create_people`` (``kamp interactions import FILE --create-people``) — created: our
    people as inactive users (an admin completes them), their contacts in the row's customer."""

    name = "interactions"
    label = _l("Interactions")
    description = _l(
        "The interaction log: who from our side met whom from theirs, when, about what."
    )
    models = [Interaction, Contact]
    batch_size = 2000
    fields = [
        Field("date", _l("date"), ["Fecha"], parser=parse_date, required=True),
        Field("customer", _l("customer"), ["Cliente", "RUT"], required=True),
        Field(
            "kind",
            _l("kind"),
            ["Tipo", "Canal"],
            parser=choice_parser(InteractionKind.choices, KIND_LABELS),
        ),
        Field(
            "our_people",
            _l("our people"),
            ["Nuestra gente", "Nuestros"],
            parser=list_parser(_text),
            required=True,
        ),
        Field(
            "their_contacts",
            _l("their people"),
            ["Contactos", "Su gente"],
            parser=list_parser(_text),
            required=True,
        ),
        Field("topic", _l("topic"), ["Tema", "Asunto"], required=True, max_length=300),
        Field("our_functions", _l("our functions"), ["Funciones"], parser=list_parser(_text)),
        Field("notes", _l("notes"), ["Notas"], parser=parse_long_text),  # keep their lines
        Field("follow_up", _l("follow-up"), ["Seguimiento"], max_length=300),
    ]

    def __init__(self, create_people: bool = False) -> None:
        self.create_people = create_people

    def may_import(self, user) -> bool:
        return bool(
            getattr(user, "is_authenticated", False) and customers_editable_by(user).exists()
        )

    def prepare(self, ctx) -> None:
        customer_index(ctx)
        users: dict[str, int] = {}
        functions: dict[int, str] = {}
        for pk, email, name, function in User.objects.filter(is_active=True).values_list(
            "pk", "email", "name", "function"
        ):
            users[email.lower()] = pk
            if name:
                users.setdefault(name.strip().lower(), pk)
            functions[pk] = function
        ctx.cache["users"] = users
        contacts: dict[tuple[int, str], int] = {}
        for pk, customer_id, email, name in Contact.objects.values_list(
            "pk", "customer_id", "email", "name"
        ).iterator(chunk_size=20000):
            if email:
                contacts[(customer_id, email.lower())] = pk
            contacts.setdefault((customer_id, name.strip().lower()), pk)
        ctx.cache["contacts"] = contacts
        ctx.cache["new_people"] = {}  # name.lower() -> {"name", "function"}
        ctx.cache["new_contacts"] = {}  # (customer_id, name.lower()) -> name

    def clean(self, row, ctx):
        customer_id = customer_index(ctx).resolve(row.pop("customer"))
        check_may_edit(ctx, customer_id)
        users, contacts = ctx.cache["users"], ctx.cache["contacts"]
        functions = row.pop("our_functions", [])
        ours, unknown = [], []
        for i, name in enumerate(row.pop("our_people")):
            pk = users.get(name.lower())
            if pk is not None:
                ours.append(pk)
            elif self.create_people:
                fn = functions[i].lower() if i < len(functions) else ""
                if fn not in Function.values:
                    raise RowError(
                        _(
                            "Give the function of “%(name)s” in our_functions, in the same "
                            "order (one of: %(choices)s)."
                        )
                        % {"name": name, "choices": ", ".join(Function.values)},
                        "our_functions",
                    )
                ctx.cache["new_people"].setdefault(name.lower(), {"name": name, "function": fn})
                ours.append(("new", name.lower()))
            else:
                unknown.append(name)
        if unknown:
            raise RowError(
                _(
                    "Unknown people of ours: %(names)s (add them as users, or import with "
                    "--create-people)."
                )
                % {"names": ", ".join(unknown)},
                "our_people",
            )
        theirs, unknown = [], []
        for name in row.pop("their_contacts"):
            pk = contacts.get((customer_id, name.lower()))
            if pk is not None:
                theirs.append(pk)
            elif self.create_people:
                ctx.cache["new_contacts"].setdefault((customer_id, name.lower()), name)
                theirs.append(("new", name.lower()))
            else:
                unknown.append(name)
        if unknown:
            raise RowError(
                _(
                    "Unknown contacts of this customer: %(names)s (add them on the DMU map, "
                    "or import with --create-people)."
                )
                % {"names": ", ".join(unknown)},
                "their_contacts",
            )
        row.update(customer_id=customer_id, ours=ours, theirs=theirs)
        row.setdefault("kind", InteractionKind.MEETING)
        return row

    def _create_pending(self, ctx) -> None:
        if ctx.cache.get("created_pending"):
            return
        ctx.cache["created_pending"] = True
        for key, p in ctx.cache["new_people"].items():
            u = User.objects.create_user(
                email=_placeholder_email(p["name"]),
                name=p["name"],
                function=p["function"],
                role=Role.VIEWER,
                is_active=False,
            )
            ctx.cache["users"][key] = u.pk
        customers = Customer.objects.in_bulk({c for c, _n in ctx.cache["new_contacts"]})
        for (customer_id, key), name in ctx.cache["new_contacts"].items():
            c = customer_actions.do_create_contact(
                ctx.user, customers[customer_id], name=name, import_batch=ctx.batch
            )
            ctx.cache["contacts"][(customer_id, key)] = c.pk
            ctx.created += 1

    def write(self, rows, ctx) -> None:
        self._create_pending(ctx)
        users, contacts = ctx.cache["users"], ctx.cache["contacts"]
        objs = [
            Interaction(
                customer_id=r["customer_id"],
                date=r["date"],
                kind=r["kind"],
                topic=r["topic"],
                notes=r.get("notes", ""),
                follow_up=r.get("follow_up", ""),
                source=InteractionSource.IMPORT,
                import_batch=ctx.batch,
                logged_by=ctx.user if getattr(ctx.user, "pk", None) else None,
            )
            for r in rows
        ]
        Interaction.objects.bulk_create(objs, batch_size=500)
        people, theirs = [], []
        for i, r in zip(objs, rows, strict=True):
            for p in dict.fromkeys(r["ours"]):
                pk = users[p[1]] if isinstance(p, tuple) else p
                people.append(InteractionPerson(interaction_id=i.pk, user_id=pk))
            for c in dict.fromkeys(r["theirs"]):
                pk = contacts[(r["customer_id"], c[1])] if isinstance(c, tuple) else c
                theirs.append(InteractionContact(interaction_id=i.pk, contact_id=pk))
        InteractionPerson.objects.bulk_create(people, batch_size=2000, ignore_conflicts=True)
        InteractionContact.objects.bulk_create(theirs, batch_size=2000, ignore_conflicts=True)
        ctx.created += len(objs)
        per_customer = Counter(r["customer_id"] for r in rows)
        for customer_id, n in per_customer.items():
            audit.record(
                ctx.user if getattr(ctx.user, "pk", None) else None,
                "import",
                None,
                customer_id=customer_id,
                object_type="interactions.interaction",
                object_id=ctx.batch.pk,
                object_repr=ctx.batch.filename,
                summary=_("%(n)d interactions imported from %(file)s.")
                % {"n": n, "file": ctx.batch.filename},
            )


def _placeholder_email(name: str) -> str:
    """People created by an import have no known e-mail: a unique, obviously fake one, and the
    account stays inactive until an admin completes it."""
    from django.utils.text import slugify

    base = slugify(name) or "person"
    email, n = f"{base}@imported.invalid", 1
    while User.objects.filter(email=email).exists():
        n += 1
        email = f"{base}-{n}@imported.invalid"
    return email
