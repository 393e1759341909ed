"""Stored alerts: every area's alert checks (``kamp.core.alerts``) run where they are cheap — on
the writes that can change them, through the worker — and the pages read what they stored.

- :func:`refresh_alerts` recomputes the alerts of some customers (or of every key account and
  candidate) and replaces what was stored for them, in every language kamp speaks. An area
  that fails keeps what it had stored; the others are replaced.
- A write that can change an alert (a customer, a contact, an interaction, a plan, a survey, a
  sales import, a selection decision…) marks its customer dirty (:func:`mark_dirty`, from the
  model signals connected by :func:`connect`); after the commit ONE task
  (:func:`refresh_alerts_task`) is enqueued unless one is already waiting,
  and it recomputes every customer marked by then.
- Alerts that move with the date (overdue actions, no contact for 90 days) are recomputed for
  every account once a day: by ``kamp alerts refresh`` (cron), or by the first view of a day.
- The pages (:func:`stored_alerts`, the ``alerts_stored`` hook ``kamp.core.alerts.current``
  calls) read the stored alerts for the accounts they show, then apply the reader's rules:
  ``visible_to`` and who may see which money. A small change (a few accounts, a small
  programme) is recomputed in the request, so whoever made it sees its effect at once.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import Case, Count, F, Max, Q, Value, When
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce, Collate, NullIf
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation
from django_tasks import task

from kamp.core import alerts as core_alerts
from kamp.core import request_memo, requestlog
from kamp.core.alerts import Alert
from kamp.core.counting import count_up_to
from kamp.core.lookups import Ids
from kamp.customers.models import Customer, CustomerStatus

from .models import AlertDirty, AlertRefresh, StoredAlert

logger = logging.getLogger(__name__)


class _Computing(threading.local):
    # What the checks write while they run (a cached selection run, a settings row created
    # on first read) must not mark accounts dirty again: the worker would never be done.
    active = False


_computing = _Computing()

#: ``AlertDirty.customer_id`` that means every account (a change to the whole programme).
EVERYONE = 0
#: ``AlertDirty.customer_id`` that means the alerts without a customer (a webhook turned off).
PROGRAMME_ONLY = -1
#: Apps of which only these models' writes change alerts, and only the alerts without a
#: customer (connect: a webhook kamp turned off; not its deliveries or tokens).
PROGRAMME_ONLY_MODELS = {
    "connect": {"connect.webhookendpoint"},
    # The dropbox's state (its last read, its failures): saved on every read of the mailbox.
    "mailcapture": {"mailcapture.mailbox"},
}
#: Up to this many dirty accounts are recomputed in the request that reads them.
INLINE_CUSTOMERS = 50
#: Up to this many key accounts and candidates, a full recompute runs in the request too.
INLINE_PROGRAMME = 200
#: Above this many dirty accounts the worker recomputes every account (one pass is cheaper).
FULL_ABOVE = 2000

#: Models whose writes change no alert: derived figures, caches, the alerts' own tables, logs.
IGNORED = {
    "core.auditevent",
    "core.importchange",
    "core.workerheartbeat",
    "economics.salesmonth",
    "economics.salesfiguresmonth",
    "economics.salesfigures",
    "economics.portfoliosnapshot",
    "selection.snapshot",
    "selection.snapshotpoint",
    "selection.preparedrun",
    "programme.storedalert",
    "programme.alertdirty",
    "programme.alertrefresh",
    "programme.alertdismissal",
    "programme.readinessassessment",
    "reports.companyidentity",
    "reports.customerlogo",
}
#: Apps (and core's models) whose writes can change the alerts without a customer — the areas'
#: ``programme_alerts``: the cap counts key accounts (a customer's status, the company's size),
#: a KAM's load and profile (owners, the team's hat assessments, a KAM's account). A write there
#: marks the programme's own alerts too; a write elsewhere (an interaction, a plan, a survey)
#: recomputes its account alone.
PROGRAMME_ALERT_INPUTS = {"customers", "team", "core.user", "core.sitesettings"}
#: Apps whose data place every account relative to the others (the selection's percentile
#: scores read the assessments and the sales): a write there may move any account's alerts.
PROGRAMME_WIDE_APPS = {"selection", "economics"}
#: core's models whose writes can change alerts (a KAM's role or sign-in, the cap, imports).
CORE_MODELS = {"core.user", "core.sitesettings", "core.importbatch"}
#: Fields of a user whose change moves no alert (a sign-in writes ``last_login``).
USER_QUIET_FIELDS = {"last_login", "password", "language", "preferences"}


# --- Computing and storing ----------------------------------------------------------------------


def _texts(a: Alert) -> dict[str, Any]:
    data = DjangoJSONEncoder().encode(a.data)
    import json

    return {
        "message": str(a.message),
        "cause_title": str(a.cause_title),
        "signs": [str(s) for s in a.signs],
        "data": json.loads(data),
    }


def _scope(customer_ids: Iterable[int] | None):
    qs = Customer.objects.filter(status__in=core_alerts.SCOPED_STATUSES)
    return qs if customer_ids is None else qs.filter(pk__in=list(customer_ids))


def _compute(
    customer_ids: list[int] | None,
    as_of: date,
    programme_wide: bool = False,
    with_general: bool = True,
) -> tuple[list[Alert], set[str], set[str]]:
    """(alerts, failed areas, areas whose alerts without a customer were recomputed)."""
    if customer_ids is None:
        found, failed = core_alerts.compute(_scope(None), as_of)
        return found, failed, set()
    if not with_general:
        # The account's own alerts alone (a KAM's day: an interaction, a plan edit).
        found, failed = (
            core_alerts.compute(_scope(customer_ids), as_of, accounts_only=True)
            if customer_ids
            else ([], set())
        )
        return found, failed, set()
    found, failed = (
        core_alerts.compute(_scope(customer_ids), as_of) if customer_ids else ([], set())
    )
    # Alerts without a customer (the cap, a KAM's load) sum over every account: an area that
    # raised one for these accounts, or had one stored, recomputes them over all of them.
    modules = core_alerts.alert_modules()
    if programme_wide:
        general = {core_alerts.area_of(m) for m in modules}
    else:
        general = {a.area for a in found if a.customer_id is None}
        general |= set(
            StoredAlert.objects.filter(customer_id__isnull=True).values_list("area", flat=True)
        )
    found = [a for a in found if a.customer_id is not None]
    modules = [m for m in modules if core_alerts.area_of(m) in general]
    if modules:
        more, failed_more = core_alerts.compute(
            _scope(None), as_of, modules=modules, programme_only=True
        )
        found += more
        failed |= failed_more
    return found, failed, general


def refresh_alerts(
    customer_ids: Iterable[int] | None = None,
    as_of: date | None = None,
    programme_wide: bool = False,
    general: bool = True,
) -> int:
    """Recompute the stored alerts of ``customer_ids`` (every key account and candidate when
    ``None``) for ``as_of`` (today) and replace what was stored for them; with
    ``programme_wide`` also every alert without a customer. Returns how many were stored. The
    dirty marks taken into account are cleared. Without ``general``, the alerts without a
    customer (the cap, a KAM's load: sums over the whole programme) are left as stored: a
    write that can change them marked them too (``PROGRAMME_ONLY``), for the worker."""
    as_of = as_of or timezone.localdate()
    ids = None if customer_ids is None else sorted({int(i) for i in customer_ids if i and i > 0})
    if ids is not None and not ids and not programme_wide:
        return 0
    high = AlertDirty.objects.aggregate(m=Max("id"))["m"] or 0
    languages = [code for code, _name in settings.LANGUAGES]
    by_language: dict[str, dict[str, Alert]] = {}
    failed: set[str] = set()
    areas: set[str] = set()
    # Each language's pass reads the same settings, P&L and scoring run: read once (nothing
    # is written before the passes end).
    with request_memo.scope():
        for code in languages:
            _computing.active = True
            try:
                with translation.override(code):
                    found, failed_here, areas = _compute(ids, as_of, programme_wide, general)
            finally:
                _computing.active = False
            failed |= failed_here
            by_language[code] = {a.key: a for a in found}
    first = by_language[languages[0]]
    now = timezone.now()
    rows = []
    for key, a in first.items():
        if a.area in failed:
            continue
        value = a.value_at_stake
        rows.append(
            StoredAlert(
                key=key[:300],
                area=a.area,
                kind=a.kind,
                cause=a.cause[:60],
                severity=a.severity,
                score=a.weight * value if value is not None else Decimal(0),
                customer_id=a.customer_id,
                customer_name=a.customer_name[:200],
                subject=a.subject[:100],
                kam_id=a.data.get("kam_id"),
                url=a.url[:500],
                value_at_stake=value,
                sign_kinds=list(a.sign_kinds),
                texts={code: _texts(by_language[code].get(key, a)) for code in languages},
                computed_at=now,
            )
        )
    with transaction.atomic():
        # One refresh at a time (a second one waits here, then replaces with its own).
        state = AlertRefresh.objects.select_for_update().order_by("pk").first()
        stale = StoredAlert.objects.exclude(area__in=failed)
        dirty = AlertDirty.objects.filter(id__lte=high)
        if ids is None:
            stale.delete()
            if state is None:
                AlertRefresh.objects.create(as_of=as_of, finished_at=now)
            else:
                AlertRefresh.objects.filter(pk=state.pk).update(as_of=as_of, finished_at=now)
        else:
            for chunk in _chunks(ids):
                stale.filter(customer_id__in=chunk).delete()
                dirty.filter(customer_id__in=chunk).delete()
            stale.filter(customer_id__isnull=True, area__in=areas).delete()
            dirty = dirty.filter(customer_id=PROGRAMME_ONLY) if programme_wide else dirty.none()
        dirty.delete()
        # A customer deleted while its alerts were computed: not stored again (the pages over
        # every customer trust that a stored alert's customer exists).
        named = {r.customer_id for r in rows if r.customer_id is not None}
        if named:
            alive = set(Customer.objects.filter(pk__any=Ids(named)).values_list("pk", flat=True))
            rows = [r for r in rows if r.customer_id is None or r.customer_id in alive]
        StoredAlert.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _chunks(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def refresh_dirty() -> str:
    """What the worker runs: recompute the dirty accounts (every account when the whole
    programme changed, when many did, or when the stored alerts are from an earlier day)."""
    today = timezone.localdate()
    state = AlertRefresh.objects.order_by("pk").first()
    dirty = set(
        AlertDirty.objects.values_list("customer_id", flat=True).distinct()[: FULL_ABOVE + 1]
    )
    if state is None or state.as_of < today or EVERYONE in dirty or len(dirty) > FULL_ABOVE:
        refresh_alerts(None, today)
        return "all"
    if dirty:
        # The programme's own alerts only when a write that can change them marked them: an
        # interaction logged or a plan edited (a KAM's day) recomputes its account alone.
        programme = PROGRAMME_ONLY in dirty
        refresh_alerts(dirty, today, programme_wide=programme, general=programme)
    return str(len(dirty))


# --- Marking what changed ---------------------------------------------------------------------


def mark_dirty(customer_ids: Iterable[int | None]) -> None:
    """The alerts of these customers (``EVERYONE``: of every account) need recomputing: noted in
    this transaction, recomputed by one worker task after the commit."""
    ids = {int(i) if i is not None else EVERYONE for i in customer_ids}
    if not ids:
        return
    by = requestlog.current_user_id()
    AlertDirty.objects.bulk_create([AlertDirty(customer_id=i, marked_by=by) for i in ids])
    _enqueue_after_commit_once()


class _AfterCommit:
    """The refresh enqueued once the transaction commits; one per transaction."""

    def __init__(self) -> None:
        self.ran = False

    def __call__(self) -> None:
        self.ran = True
        _enqueue()


def _enqueue_after_commit_once() -> None:
    # One callback per transaction, however many rows it writes: the one already registered
    # in this transaction (not run yet, not rolled back) will take these marks too.
    waiting = getattr(connection, "_kamp_alerts_after_commit", None)
    if (
        waiting is not None
        and not waiting.ran
        and connection.in_atomic_block
        and any(entry[1] is waiting for entry in connection.run_on_commit)
    ):
        return
    callback = _AfterCommit()
    connection._kamp_alerts_after_commit = callback  # type: ignore[attr-defined]
    transaction.on_commit(callback)


@task()
def refresh_alerts_task() -> str:
    """The worker's task: recompute every account marked dirty until it starts."""
    return refresh_dirty()


def _enqueue() -> None:
    """Enqueue the refresh task unless one is already waiting for the worker (coalesced: it
    will recompute everything marked until it starts)."""
    if _task_waiting(refresh_alerts_task.module_path):
        return
    try:
        refresh_alerts_task.enqueue()
    except Exception:
        if settings.DEBUG:
            raise
        logger.exception("could not enqueue the alerts refresh")


def _task_waiting(path: str) -> bool:
    if "django_tasks_db" not in str(settings.TASKS["default"]["BACKEND"]):
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().filter(task_path=path).exists()


def _customer_of(instance: models.Model) -> int | None:
    """The customer a written object belongs to (``EVERYONE`` when it is about the programme)."""
    if isinstance(instance, Customer):
        return instance.pk
    meta = instance._meta
    names = {f.name for f in meta.concrete_fields}
    if "customer" in names:
        return getattr(instance, "customer_id", None) or EVERYONE
    for f in meta.concrete_fields:
        if not f.is_relation or f.related_model is None:
            continue
        related = f.related_model
        if related is Customer or "customer" not in {g.name for g in related._meta.concrete_fields}:
            continue
        pk = getattr(instance, f.attname, None)
        if pk is None:
            continue
        cached = instance._state.fields_cache.get(f.name)
        if cached is not None:
            return getattr(cached, "customer_id", None) or EVERYONE
        found = related._default_manager.filter(pk=pk).values_list("customer_id", flat=True).first()
        return found if found is not None else EVERYONE
    return EVERYONE


def _every_customer(customers) -> bool:
    """Whether ``customers`` is the whole customer table, unfiltered (who may read every one)."""
    query = customers.query
    return (
        customers.model is Customer
        and not query.where
        and not query.is_sliced
        and not query.combinator
    )


def _on_write(sender, instance, **kwargs) -> None:
    label = sender._meta.label_lower
    if label in IGNORED or kwargs.get("raw") or _computing.active:
        return
    if sender is Customer and "created" not in kwargs:
        # Deleted (post_delete sends no ``created``): its alerts go with it, at once — the
        # pages over every customer read the stored alerts without checking each customer.
        StoredAlert.objects.filter(customer_id=instance.pk).delete()
    if kwargs.get("created") and label.endswith("settings"):
        return  # a settings row created with its defaults on first read changes nothing
    if label == "core.user":
        fields = kwargs.get("update_fields")
        if fields and set(fields) <= USER_QUIET_FIELDS:
            return
    elif label == "core.importbatch":
        # An import or its revert wrote (bulk) rows of many customers: every account.
        if instance.status not in ("done", "reverted"):
            return
        mark_dirty([EVERYONE])
        return
    app = label.split(".")[0]
    if app in PROGRAMME_ONLY_MODELS:
        if label in PROGRAMME_ONLY_MODELS[app]:
            mark_dirty([PROGRAMME_ONLY])
        return
    if app in PROGRAMME_WIDE_APPS:
        mark_dirty([EVERYONE])
        return
    if app in PROGRAMME_ALERT_INPUTS or label in PROGRAMME_ALERT_INPUTS:
        mark_dirty([_customer_of(instance), PROGRAMME_ONLY])
        return
    mark_dirty([_customer_of(instance)])


_connected: set[str] = set()


def connect() -> None:
    """Listen to the writes of the apps whose data alerts read (AppConfig.ready): every app
    with alert checks, the customers, and core's people, settings and imports."""
    from django.apps import apps

    from kamp.core import registry

    labels = {core_alerts.area_of(m) for m in registry.discover("alerts")} | {"customers"}
    labels = {app.label for app in registry.kamp_apps() if app.label in labels}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in IGNORED:
            continue
        if model._meta.app_label not in labels and label not in CORE_MODELS:
            continue
        _connected.add(label)
        post_save.connect(_on_write, sender=model, dispatch_uid=f"alerts-{label}")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"alerts-d-{label}")
    m2m_changed.connect(_on_m2m, dispatch_uid="alerts-m2m")


def _on_m2m(sender, instance, action, **kwargs) -> None:
    if action.startswith("post_") and instance._meta.label_lower in _connected:
        _on_write(instance.__class__, instance)


# --- Reading ----------------------------------------------------------------------------------


def _sync(today: date, customers=None, reader=None) -> None:
    """Bring the stored alerts up to date where that is cheap, else leave it to the worker.

    In a large programme the writes of a working day (an interaction logged every few seconds)
    would make every reader of the whole programme recompute: there the page that shows a few
    accounts recomputes those of them that its reader changed (an account's own page, right
    after its KAM's change), and the pages over the whole programme, and everyone else's, read
    what the worker stored a moment later. Without a reader (a command), every changed account
    it shows."""
    state = AlertRefresh.objects.order_by("pk").first()
    dirty = set(
        AlertDirty.objects.values_list("customer_id", flat=True).distinct()[: INLINE_CUSTOMERS + 2]
    )
    # The alerts without a customer sum over the whole programme: the worker's (the task that
    # marked them has enqueued it), unless the programme is small enough to do it all here.
    programme_dirty = PROGRAMME_ONLY in dirty
    dirty.discard(PROGRAMME_ONLY)
    small = None

    def programme_is_small() -> bool:
        nonlocal small
        if small is None:
            small = count_up_to(_scope(None), INLINE_PROGRAMME + 1) <= INLINE_PROGRAMME
        return small

    if state is not None and state.as_of >= today and not dirty:
        if programme_dirty and programme_is_small():
            refresh_alerts([], today, programme_wide=True)
        return

    if state is None:
        refresh_alerts(None, today)  # a fresh install: computed once, here
    elif state.as_of < today or EVERYONE in dirty or len(dirty) > INLINE_CUSTOMERS:
        if programme_is_small():
            refresh_alerts(None, today)
        else:
            if state.as_of < today:
                mark_dirty([EVERYONE])
            _enqueue()
    elif programme_is_small():
        refresh_alerts(dirty, today, programme_wide=programme_dirty)
    elif customers is not None:
        shown = set(customers.order_by().values_list("pk", flat=True)[: INLINE_CUSTOMERS + 1])
        changed = dirty & shown if len(shown) <= INLINE_CUSTOMERS else set()
        if changed and getattr(reader, "pk", None) is not None:
            # Another person's change is the worker's: a team member's home of 50 accounts
            # would otherwise recompute on every change their KAMs make all day.
            changed = set(
                AlertDirty.objects.filter(customer_id__in=changed, marked_by=reader.pk).values_list(
                    "customer_id", flat=True
                )
            )
        if changed:
            # Whoever made the change sees its account's alerts at once; the programme's own
            # alerts (the cap, a KAM's load) follow from the worker a moment later.
            refresh_alerts(changed, today, general=False)


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


#: What :func:`_alert` reads of a stored alert besides its texts.
_ROW_FIELDS = (
    "id",
    "area",
    "kind",
    "severity",
    "customer_id",
    "customer_name",
    "url",
    "subject",
    "cause",
    "value_at_stake",
    "sign_kinds",
)


def _alert(row, language: str) -> Alert:
    """An alert from a stored one (a model instance, or a row of :data:`_ROW_FIELDS` with the
    reader's texts as ``in_language``)."""
    # ``in_language``: the reader's texts alone, when the query asked for them (_read).
    texts: dict[str, Any] | None = getattr(row, "in_language", None)
    if texts is None:
        texts = row.texts.get(language) or row.texts.get(language.split("-")[0])
    if texts is None:
        texts = next(iter(row.texts.values()), {})
    return Alert(
        area=row.area,
        kind=row.kind,
        severity=row.severity,
        message=texts.get("message", ""),
        customer_id=row.customer_id,
        customer_name=row.customer_name,
        url=row.url,
        subject=row.subject,
        data=texts.get("data") or {},
        cause=row.cause,
        cause_title=texts.get("cause_title", ""),
        value_at_stake=row.value_at_stake,
        signs=tuple(texts.get("signs") or ()),
        sign_kinds=tuple(row.sign_kinds or ()),
    )


def _read(rows, language: str) -> list[Alert]:
    """The alerts of ``rows`` in ``language``. A director's inbox at 100,000 customers holds
    thousands: each row's texts in every language, decoded from JSON, cost more than the rest
    of the page, so the database hands over the reader's language alone (and the whole texts
    only for a row stored before that language was)."""
    codes = {code for code, _name in settings.LANGUAGES}
    code = language if language in codes else language.split("-")[0]
    if code not in codes:
        return [_alert(row, language) for row in rows]
    # Plain rows, not model instances: building 3,000 StoredAlerts was a fifth of the dashboard.
    picked = list(
        rows.annotate(in_language=KeyTransform(code, "texts")).values_list(
            *_ROW_FIELDS, "in_language", named=True
        )
    )
    found = [_alert(row, language) for row in picked if row.in_language is not None]
    if len(found) < len(picked):
        # Rows without the reader's language: read whole, as before.
        missing = [row.id for row in picked if row.in_language is None]
        found += [_alert(row, language) for row in StoredAlert.objects.filter(pk__in=missing)]
    return found


def stored_alerts(
    customers, as_of: date | None = None, user=None, programme: bool = False
) -> list[Alert]:
    """What ``kamp.core.alerts.collect`` says for ``customers``, read from the stored alerts
    (the ``alerts_stored`` hook). Another day than today is computed as before."""
    today = timezone.localdate()
    if as_of is not None and as_of not in (today, date.today()):
        return core_alerts.collect(customers, as_of, user=user, programme=programme)
    _sync(today, customers, user)
    if _every_customer(customers):
        # A director's inbox: every stored alert with a customer (a deleted customer's are
        # deleted with it, _on_write). Checking each against the 100,000 customers built a hash
        # of them all: 22 ms of a dashboard's 110.
        where = Q(customer_id__isnull=False)
    else:
        where = Q(customer_id__in=customers.order_by().values("pk"))
    if programme:
        where |= Q(customer_id__isnull=True)
    else:
        # About a KAM (no customer): shown with that KAM's key accounts.
        owners = customers.order_by().filter(status=CustomerStatus.KEY_ACCOUNT).values("owner_id")
        where |= Q(customer_id__isnull=True, kam_id__in=owners)
    return core_alerts.rank(_readable(user, StoredAlert.objects.filter(where), _language()))


def _readable(user, rows, language: str) -> list[Alert]:
    """The stored alerts of ``rows`` that ``user`` may read, in ``language``, priced for them."""
    return core_alerts.priced_for(user, _visible(user, _read(rows, language)))


def _visible(user, found: list[Alert]) -> list[Alert]:
    """What each area's ``visible_to`` leaves ``user`` of ``found``."""
    if user is None or not found:
        return found
    for module in core_alerts.alert_modules():
        visible_to = getattr(module, "visible_to", None)
        area = core_alerts.area_of(module)
        if callable(visible_to):
            try:
                found = visible_to(user, found)
            except Exception:
                if settings.DEBUG:
                    raise
                logger.exception("visible_to of %s failed", module.__name__)
                found = [a for a in found if a.area != area]
    return found


class Head(NamedTuple):
    """The head of an inbox: what a dashboard shows of it."""

    top: list[Alert]  # the first ``top`` open alerts, ranked
    by_severity: Counter[str]  # open alerts per severity
    dismissed_count: int


def head(user, top: int, dismissals: dict[str, Any], dismissal_keys, is_dismissed) -> Head:
    """The head of the inbox of ``user``, who reads every customer's alerts and sees every
    customer's money (a director's dashboard) and asks for today's alerts, counted and picked
    in the database.

    The same alerts as :func:`stored_alerts` ranked, in the same order: the stored ``score``
    is the rank's severity × value at stake for such a reader, and the names compare code
    point by code point as Python's sort does. Building the 2,000 alerts of 100,000 customers
    (their texts decoded, each priced and ranked) to show 8 and count the others was 40 % of
    the dashboard. ``dismissals``: the active ones by key; ``is_dismissed(alert_kinds,
    dismissal)`` is the inbox's rule (a new kind of sign reopens an alert); ``dismissal_keys``
    their keys as a query (a long-lived programme may hold thousands)."""
    today = timezone.localdate()
    _sync(today, Customer.objects.all())
    language = _language()
    # The alerts without a customer: few, read whole and through each area's visible_to (a
    # stopped calendar is its owner's alone).
    general = _readable(user, StoredAlert.objects.filter(customer_id__isnull=True), language)
    general_open = [
        a for a in general if not _dismissed_by(a.key, a.kinds, dismissals, is_dismissed)
    ]
    about_customers = StoredAlert.objects.filter(customer_id__isnull=False)
    gone: dict[int, str] = {}
    if dismissals:
        for row in about_customers.filter(key__in=dismissal_keys).values_list(
            "id", "key", "kind", "severity", "sign_kinds", named=True
        ):
            if _dismissed_by(
                row.key, frozenset(row.sign_kinds or (row.kind,)), dismissals, is_dismissed
            ):
                gone[row.id] = row.severity
    by_severity = Counter(
        dict(about_customers.order_by().values_list("severity").annotate(n=Count("id")))
    )
    by_severity.subtract(gone.values())
    by_severity.update(a.severity for a in general_open)
    by_severity = +by_severity  # severities left with no open alert are not listed
    ranked = list(
        about_customers.order_by(*_rank_order()).values_list("id", flat=True)[: top + len(gone)]
    )
    picked = [i for i in ranked if i not in gone][:top]
    first = _readable(user, StoredAlert.objects.filter(pk__in=picked), language)
    return Head(
        top=core_alerts.rank(first + general_open)[:top],
        by_severity=by_severity,
        dismissed_count=len(gone) + len(general) - len(general_open),
    )


def _dismissed_by(key: str, kinds: frozenset[str], dismissals, is_dismissed) -> bool:
    d = dismissals.get(key)
    return d is not None and is_dismissed(kinds, d)


def _rank_order() -> list:
    """:func:`kamp.core.alerts.rank` as an ORDER BY over stored alerts (for a reader who sees
    every account's money: the stored score)."""
    weight = Case(
        *[When(severity=s, then=Value(w)) for s, w in core_alerts.SEVERITY_WEIGHT.items()],
        default=Value(0),
        output_field=models.IntegerField(),
    )
    cause_key = Coalesce(NullIf("cause", Value("")), "kind")

    def by_code_point(expression):
        # Python compares strings code point by code point; PostgreSQL's "C" collation
        # compares their UTF-8 bytes, the same order (SQLite's default already does).
        return Collate(expression, "C") if connection.vendor == "postgresql" else expression

    return [
        F("score").desc(),
        weight.desc(),
        by_code_point(F("customer_name")),
        by_code_point(cause_key),
        by_code_point(F("subject")),
    ]
