"""Calendar sync: a person's CalDAV calendar or secret iCalendar address, read by the worker
every ``KAMP_CALENDAR_SYNC_MINUTES`` and matched exactly as an uploaded .ics file is
(:func:`kamp.interactions.imports.plan_calendar`: recurrence, EMAIL= attendees, keys for events
without a UID, planned events, cancellations).

What a sync does with the plan:

- meetings with customer contacts are logged (``log`` mode) or wait in the owner's review list
  (``review`` mode: one pending calendar import, reviewed on the .ics review page);
- an event already logged whose day or title changed (moved) updates its interaction; one moved
  into the future is withdrawn (it has not been held);
- a cancelled event, or one that disappeared from the calendar within the window, withdraws the
  interaction it made (``review`` mode: offered for removal, as the .ics import does);
- the event keys are the .ics import's, so nothing is logged twice across syncs.

Failures (the server unreachable, a refusal, garbage, an answer over ``KAMP_CALENDAR_SYNC_MAX_
BYTES`` or slower than ``KAMP_CALENDAR_SYNC_TIMEOUT``) change nothing stored: the connection
keeps the error and its time, and after ``KAMP_CALENDAR_SYNC_STOP_AFTER`` in a row it stops and
its owner gets an alert. Passwords and feed addresses never appear in a message or a log line.
"""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kamp.core import audit
from kamp.core.models import ImportBatch
from kamp.customers.access import customers_editable_by
from kamp.interactions import actions as interaction_actions
from kamp.interactions import imports
from kamp.interactions.models import Interaction, InteractionSource

from . import crypto, netguard
from .models import CalendarConnection, CalendarKind, CalendarMode, CalendarSeen

log = logging.getLogger(__name__)

CHUNK = 900  # keys per IN (…) query


class SyncError(Exception):
    """A sync that cannot go on; its message is for the connection's owner (``field``: the
    form field it is about, when connecting)."""

    field = "url"


class Refused(SyncError):
    field = "password"


# --- addresses ---------------------------------------------------------------------------------


def clean_url(url: str) -> str:
    """A calendar address kamp may read: https (http only where ``KAMP_CALENDAR_ALLOW_HTTP``,
    for a server on this machine in the tests), no user or password inside it. ``webcal://``
    (what Outlook and Apple hand out) is https."""
    url = (url or "").strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        raise ValidationError(_("This is not a web address.")) from None
    allowed = {"https", "http"} if settings.KAMP_CALENDAR_ALLOW_HTTP else {"https"}
    if parts.scheme.lower() not in allowed or not parts.hostname:
        raise ValidationError(_("Give an address starting with https://."))
    if parts.username or parts.password:
        raise ValidationError(
            _("Leave the user name and password out of the address: they have fields of their own.")
        )
    return url


def host_of(url: str) -> str:
    return (urllib.parse.urlsplit(url).hostname or "")[:200]


# --- reading, bounded --------------------------------------------------------------------------


def _too_big() -> SyncError:
    mb = settings.KAMP_CALENDAR_SYNC_MAX_BYTES // (1024 * 1024) or 1
    return SyncError(
        _("The calendar's answer is larger than %(mb)s MB: it was not read.") % {"mb": mb}
    )


def _too_slow() -> SyncError:
    return SyncError(
        _("The calendar server took longer than %(s)s seconds: the sync was stopped.")
        % {"s": int(settings.KAMP_CALENDAR_SYNC_TIMEOUT)}
    )


def _read_bounded(chunks, deadline: float, limit: int) -> bytes:
    got, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise _too_big()
        if time.monotonic() > deadline:
            raise _too_slow()
        got.append(chunk)
    return b"".join(got)


def fetch_feed(url: str) -> bytes:
    """The body of a secret iCalendar address, read with the size and time bounds."""
    limit = settings.KAMP_CALENDAR_SYNC_MAX_BYTES
    timeout = settings.KAMP_CALENDAR_SYNC_TIMEOUT
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(
        clean_url(url), headers={"User-Agent": "kamp calendar sync", "Accept": "text/calendar"}
    )
    try:
        # Each connection, redirects included, reaches only allowed addresses (netguard).
        with netguard.opener().open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise _too_big()
            return _read_bounded(iter(lambda: response.read(65536), b""), deadline, limit)
    except SyncError:
        raise
    except urllib.error.HTTPError as exc:
        raise _http_error(exc.code) from None
    except (TimeoutError, urllib.error.URLError, OSError, ValueError) as exc:
        raise _unreachable(exc) from None


def _http_error(code: int) -> SyncError:
    if code in (401, 403):
        return SyncError(
            _(
                "The calendar server refused the access (HTTP %(code)s): check the user name and app password, or the address."
            )
            % {"code": code}
        )
    if code in (404, 410):
        return SyncError(
            _("The calendar is no longer at that address (HTTP %(code)s).") % {"code": code}
        )
    return SyncError(
        _("The calendar server answered with an error (HTTP %(code)s).") % {"code": code}
    )


def _unreachable(exc: BaseException) -> SyncError:
    if refused := netguard.blocked_in(exc):
        return SyncError(refused.message())
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, TimeoutError) or "timed out" in str(reason).lower():
        return _too_slow()
    # The reason's class, not its text: a text may quote the address (a secret, for a feed).
    return SyncError(
        _("The calendar server could not be reached (%(reason)s).")
        % {"reason": type(reason).__name__}
    )


def _bounding_hook(deadline: float, limit: int):
    """A niquests response hook (run before the body is read) that reads the body itself,
    refusing it past ``limit`` bytes or ``deadline``: a hostile server cannot fill memory."""

    def hook(response, **kwargs):
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > limit:
            response.close()
            raise _too_big()
        if time.monotonic() > deadline:
            response.close()
            raise _too_slow()
        body = _read_bounded(response.iter_content(65536), deadline, limit)
        response._content = body
        response._content_consumed = True
        return response

    return hook


def _dav_client(url: str, username: str, password: str, deadline: float) -> Any:
    from caldav.davclient import DAVClient

    client: Any = DAVClient(
        url=url,
        username=username,
        password=password,
        timeout=int(settings.KAMP_CALENDAR_SYNC_TIMEOUT),
    )
    # caldav's own session replaced by one that connects only to allowed addresses (the
    # server's redirects and the calendars it names on other hosts included: netguard).
    client.session.close()
    client.session = netguard.niquests_session()
    client.session.hooks.setdefault("response", []).append(
        _bounding_hook(deadline, settings.KAMP_CALENDAR_SYNC_MAX_BYTES)
    )
    return client


def _dav_error(exc: BaseException) -> SyncError:
    from caldav.lib import error as dav_errors

    if isinstance(exc, SyncError):
        return exc
    if refused := netguard.blocked_in(exc):
        return SyncError(refused.message())
    if isinstance(exc, dav_errors.AuthorizationError):
        return Refused(_("The calendar server refused the user name or the app password."))
    if isinstance(exc, dav_errors.NotFoundError):
        return SyncError(_("No calendar was found at that address."))
    if isinstance(exc, dav_errors.DAVError):
        return SyncError(
            _("The calendar server gave an answer that is not CalDAV (%(reason)s).")
            % {"reason": type(exc).__name__}
        )
    cause: BaseException | None = exc
    while cause is not None:  # niquests wraps the socket's timeout
        if isinstance(cause, TimeoutError) or "timeout" in type(cause).__name__.lower():
            return _too_slow()
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, (OSError, ConnectionError)) or "connection" in type(exc).__name__.lower():
        return SyncError(
            _("The calendar server could not be reached (%(reason)s).")
            % {"reason": type(exc).__name__}
        )
    return SyncError(
        _("The calendar server's answer could not be read (%(reason)s).")
        % {"reason": type(exc).__name__}
    )


def discover(url: str, username: str, password: str) -> list[dict[str, str]]:
    """The calendars the CalDAV account holds ([{"url", "name"}]): from the user's principal
    (a server's or an account's address), else the address itself as one calendar."""
    deadline = time.monotonic() + settings.KAMP_CALENDAR_SYNC_TIMEOUT
    url = clean_url(url)
    try:
        client = _dav_client(url, username, password, deadline)
        try:
            calendars = list(client.principal().calendars())
        except Exception as exc:
            from caldav.lib import error as dav_errors

            if isinstance(exc, (dav_errors.AuthorizationError, SyncError)):
                raise
            one = client.calendar(url=url)
            one.get_display_name()  # it answers as a calendar, or raises
            calendars = [one]
        found = []
        for cal in calendars:
            try:
                name = cal.get_display_name() or ""
            except Exception:
                name = ""
            found.append({"url": str(cal.url), "name": (name or str(cal.url))[:200]})
    except Exception as exc:
        raise _dav_error(exc) from None
    if not found:
        raise SyncError(_("The account holds no calendar."))
    return found


def fetch_caldav(connection: CalendarConnection, password: str, since: date, now: datetime):
    """The events of the connection's calendars from ``since`` to a day after ``now``, as one
    .ics text (the calendars' objects one after the other: the reader takes each VCALENDAR)."""
    deadline = time.monotonic() + settings.KAMP_CALENDAR_SYNC_TIMEOUT
    limit = settings.KAMP_CALENDAR_SYNC_MAX_BYTES
    tz = timezone.get_current_timezone()
    start = datetime.combine(since, datetime.min.time(), tzinfo=tz)
    end = now + timedelta(days=1)
    parts: list[str] = []
    size = 0
    try:
        client = _dav_client(connection.server_url, connection.username, password, deadline)
        for entry in connection.calendars:
            cal = client.calendar(url=entry["url"])
            for obj in cal.search(start=start, end=end, event=True):
                data = obj.data or ""
                size += len(data)
                if size > limit:
                    raise _too_big()
                parts.append(data)
    except Exception as exc:
        raise _dav_error(exc) from None
    return "\r\n".join(parts).encode("utf-8")


# --- one sync ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    logged: int = 0
    updated: int = 0
    withdrawn: int = 0
    offered: int = 0
    waiting: int = 0  # meetings sent to the review list
    events: int = 0
    error: str = ""
    skipped: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def fetch(connection: CalendarConnection, since: date, now: datetime) -> bytes:
    try:
        secret = crypto.decrypt(connection.secret)
    except crypto.Unreadable:
        raise SyncError(
            _(
                "The saved credentials can no longer be read (the server's secret key changed): delete this connection and connect the calendar again."
            )
        ) from None
    if connection.kind == CalendarKind.FEED:
        return fetch_feed(secret.get("url", ""))
    return fetch_caldav(connection, secret.get("password", ""), since, now)


def _empty_calendar(data: bytes) -> bool:
    upper = data.upper()
    return not data.strip() or (b"BEGIN:VCALENDAR" in upper and b"BEGIN:VEVENT" not in upper)


def sync(connection_id: int, now: datetime | None = None, *, force: bool = False) -> Outcome:
    """Read one connection's calendar and bring the log in line with it (see the module)."""
    connection = CalendarConnection.objects.select_related("user").filter(pk=connection_id).first()
    if connection is None or (not connection.active and not force):
        return Outcome(skipped=True)
    if not connection.user.is_active:
        return Outcome(skipped=True)
    now = now or timezone.now()
    since = imports.calendar_window(now)
    language = connection.user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            data = fetch(connection, since, now)
            if _empty_calendar(data):
                plan = imports.CalendarPlan(since=since.isoformat())
            else:
                plan = imports.plan_calendar(data, connection.user, now=now, since=since)
                if plan.errors:
                    raise SyncError(
                        _("The server's answer is not a calendar that can be read: %(reason)s")
                        % {"reason": plan.errors[0]}
                    )
            outcome = _apply(connection, plan, now=now, since=since)
        except SyncError as exc:
            return _failed(connection, str(exc), now)
        except Exception:
            log.exception("calendar connection %s: the sync failed", connection.pk)
            return _failed(
                connection,
                _("The sync stopped on an unexpected error (written to kamp's log)."),
                now,
            )
    return outcome


def _rows_of(plan: imports.CalendarPlan) -> list[dict[str, Any]]:
    return [
        *plan.matched,
        *plan.already,
        *plan.unmatched,
        *plan.not_allowed,
        *plan.planned,
        *plan.cancelled,
    ]


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _logged(keys) -> dict[str, Interaction]:
    found: dict[str, Interaction] = {}
    for part in _chunks(sorted(keys)):
        for i in (
            Interaction.objects.filter(external_uid__in=part, source=InteractionSource.CALENDAR)
            .exclude(external_uid="")  # the partial index's condition: SQLite then reads it
            .select_related("customer")
        ):
            found.setdefault(i.external_uid, i)
    return found


def _removal(i: Interaction) -> dict[str, Any]:
    return {
        "uid": i.external_uid,
        "date": i.date.isoformat(),
        "topic": i.topic,
        "interaction_id": i.pk,
        "customer_id": i.customer_id,
        "customer": i.customer.name,
    }


@transaction.atomic
def _apply(
    connection: CalendarConnection, plan: imports.CalendarPlan, *, now: datetime, since: date
) -> Outcome:
    # One sync of a connection at a time ("Sync now" beside the worker's): the second waits
    # here, then finds the first one's interactions already logged.
    CalendarConnection.objects.select_for_update().filter(pk=connection.pk).first()
    owner = connection.user
    today = timezone.localtime(now).date()
    out = Outcome(events=len(_rows_of(plan)))
    current = {r["uid"]: r for r in _rows_of(plan)}
    editable = set(customers_editable_by(owner).values_list("pk", flat=True))

    # Moved: the same event on another day, or renamed.
    already = {r["uid"]: r for r in plan.already}
    logged = _logged(already)
    removals: dict[str, dict[str, Any]] = {}
    keep: dict[str, date] = {}
    for key, row in already.items():
        i = logged.get(key)
        if i is None:  # logged before series were expanded, under the series' key
            continue
        day = date.fromisoformat(row["date"])
        if i.customer_id not in editable:
            keep[key] = i.date
            continue
        if day > today:  # moved into the future: not held (yet)
            removals[key] = _removal(i)
            continue
        keep[key] = day
        if day != i.date or (row["topic"] != i.topic and row["topic"] != _("(no title)")):
            interaction_actions.do_update_interaction(
                owner,
                i,
                our_people=list(i.our_people.all()),
                their_contacts=list(i.their_contacts.all()),
                date=day,
                topic=row["topic"][:300],
            )
            out.updated += 1

    # Cancelled in the calendar.
    for row in plan.cancelled:
        removals[row["uid"]] = row

    # Gone from the calendar: an event seen with an interaction, within the window, that the
    # calendar no longer holds. Not when some events could not be read (one of those may be it),
    # and only what the owner logged: a colleague who drops the meeting from their own calendar
    # does not withdraw it from the owner's log.
    seen = dict(connection.seen.values_list("key", "day"))
    if not plan.unreadable:
        gone = [k for k, d in seen.items() if k not in current and since <= d <= today]
        for key, i in _logged(gone).items():
            if i.customer_id in editable and i.logged_by_id == owner.pk:
                removals.setdefault(key, _removal(i))

    to_remove = list(removals.values())
    made: list[Interaction] = []
    if connection.mode == CalendarMode.LOG:
        if plan.matched or to_remove:
            _batch, made, removed = imports.save_calendar(
                owner, plan.matched, connection.name, remove=to_remove
            )
            out.withdrawn = removed
        out.logged = len(made)
        for i in made:
            keep[i.external_uid] = i.date
    else:
        out.waiting = len(plan.matched)
        out.offered = len(to_remove)
        _to_review(connection, plan, to_remove)
        for key, row in removals.items():  # still logged until the owner says
            keep.setdefault(key, date.fromisoformat(row["date"]))

    _remember(connection, seen, keep)
    connection.last_counts = out.as_dict()
    connection.last_sync_at = connection.last_success_at = now
    connection.last_error = ""
    connection.consecutive_failures = 0
    connection.save(
        update_fields=[
            "last_counts",
            "last_sync_at",
            "last_success_at",
            "last_error",
            "consecutive_failures",
            "review_batch",
        ]
    )
    return out


def _to_review(
    connection: CalendarConnection, plan: imports.CalendarPlan, removals: list[dict[str, Any]]
) -> None:
    """The meetings to log and the interactions to remove wait in one pending calendar import
    of the owner's (the .ics review page), replaced by each sync while it waits."""
    batch = connection.review_batch
    if batch is not None and batch.status != ImportBatch.Status.PENDING:
        batch = None
    if not plan.matched and not removals:
        if batch is not None:
            batch.delete()
        connection.review_batch = None
        return
    review = imports.CalendarPlan(matched=plan.matched, cancelled=removals, since=plan.since)
    options = {"plan": review.as_dict(), "customer": "", "connection": connection.pk}
    if batch is None:
        batch = ImportBatch.objects.create(
            kind="interactions_calendar",
            filename=connection.name[:255],
            created_by=connection.user,
            status=ImportBatch.Status.PENDING,
            options=options,
            total_rows=review.rows,
        )
    else:
        batch.options = options
        batch.total_rows = review.rows
        batch.save(update_fields=["options", "total_rows"])
    connection.review_batch = batch


def _remember(connection: CalendarConnection, seen: dict[str, date], keep: dict[str, date]):
    gone = [k for k in seen if k not in keep]
    for part in _chunks(gone):
        CalendarSeen.objects.filter(connection=connection, key__in=part).delete()
    new = [
        CalendarSeen(connection=connection, key=k, day=d) for k, d in keep.items() if k not in seen
    ]
    CalendarSeen.objects.bulk_create(new, batch_size=1000)
    moved = [(k, d) for k, d in keep.items() if k in seen and seen[k] != d]
    for k, d in moved:
        CalendarSeen.objects.filter(connection=connection, key=k).update(day=d)


def _failed(connection: CalendarConnection, message: str, now: datetime) -> Outcome:
    """Note the failure (nothing else is touched); stop the connection after too many."""
    with transaction.atomic():
        fresh = CalendarConnection.objects.select_for_update().get(pk=connection.pk)
        fresh.consecutive_failures += 1
        fresh.last_error = message[:300]
        fresh.last_sync_at = now
        fields = ["consecutive_failures", "last_error", "last_sync_at"]
        if fresh.active and fresh.consecutive_failures >= settings.KAMP_CALENDAR_SYNC_STOP_AFTER:
            fresh.active = False
            fresh.stopped_at = now
            fields += ["active", "stopped_at"]
            audit.record(
                None,
                "update",
                fresh,
                summary=audit.say(
                    gettext_noop("Calendar connection stopped after %(n)s failed syncs in a row"),
                    n=fresh.consecutive_failures,
                ),
            )
            _alerts_changed()
        fresh.save(update_fields=fields)
    log.warning(
        "calendar connection %s: sync failed (%s in a row)",
        connection.pk,
        fresh.consecutive_failures,
    )
    return Outcome(error=message)


def _alerts_changed() -> None:
    """The owner's alert (a stopped connection) is computed by the programme's alert store."""
    from kamp.programme import alert_store

    alert_store.mark_dirty([alert_store.PROGRAMME_ONLY])


def due(now: datetime | None = None) -> list[int]:
    """The active connections whose last sync is older than ``KAMP_CALENDAR_SYNC_MINUTES``."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.KAMP_CALENDAR_SYNC_MINUTES)
    qs = CalendarConnection.objects.filter(active=True, user__is_active=True)
    return list(qs.filter(last_sync_at__isnull=True).values_list("pk", flat=True)) + list(
        qs.filter(last_sync_at__lte=cutoff).values_list("pk", flat=True)
    )
