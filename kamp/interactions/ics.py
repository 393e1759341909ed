"""Reading calendar (.ics) files the way real programs write them — pure: bytes in, events and
problems out, no Django (kamp.interactions.imports matches the events to people and customers).

- the encoding is found, not assumed: a BOM (UTF-8, UTF-16, UTF-32), else UTF-8, else another
  script's encoding as charset-normalizer finds it (windows-1251, Shift-JIS…), else — line by
  line — cp1252 / Latin-1 (older Outlook and Windows exports); UTF-16 without a BOM is seen by
  its zero bytes;
- lines are unfolded as bytes before decoding (RFC 5545 §3.1: a fold may fall inside a multi-byte
  UTF-8 character);
- every VCALENDAR of a file is read; a calendar that icalendar cannot read whole is read again
  event by event, so that one broken event is listed with its reason and the others go on;
- a series (RRULE / RDATE, with EXDATE and moved or cancelled occurrences) is expanded by
  ``recurring-ical-events`` within a window; each occurrence up to now is an event of its own;
- an event without a UID gets a stable key from its start, summary, organizer and attendees, so
  that importing the same file twice finds it again.

Problems are codes with their details (``PROBLEMS``); the caller words them in the user's
language.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from kamp.core.encodings import other_script

# Problem codes (worded for people in kamp.interactions.imports).
NOT_A_CALENDAR = "not_a_calendar"
NO_START = "no_start"
BAD_START = "bad_start"
TWO_STARTS = "two_starts"
BROKEN_EVENT = "broken_event"
CUT_OFF = "cut_off"
BAD_RECURRENCE = "bad_recurrence"
TOO_MANY = "too_many_occurrences"
TOO_FREQUENT = "too_frequent"
TOO_LONG = "too_long"
# The problems that leave one VEVENT block unread (the others are about the whole file or a
# whole series).
PROBLEMS = (NO_START, BAD_START, TWO_STARTS, BROKEN_EVENT, CUT_OFF)

# A series giving more occurrences than this within the window (a meeting every hour of a
# year) is refused whole rather than half-logged.
MAX_OCCURRENCES = 1000
# Expanding a series walks it from its first occurrence: a rule that would make the walk long
# (every minute since 1990: hours of work for one event of a hostile file) is refused before
# it starts. Periods are the rule's own (days for DAILY, weeks for WEEKLY…), per series and
# per file.
MAX_PERIODS = 50_000
MAX_PERIODS_PER_FILE = 500_000
_PERIOD_DAYS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 28, "YEARLY": 365}
# Keys longer than this (the external id column) are hashed: Outlook's UIDs alone may be 200.
MAX_KEY = 255

_FOLD = re.compile(rb"(?:\r\n|\n|\r)[ \t]")
_LINE = re.compile(rb"\r\n|\n|\r")


@dataclass
class Event:
    key: str  # stable id: the UID (+ the occurrence for a series), else a fallback key
    uid: str
    start: date | datetime  # local
    day: date
    topic: str
    emails: list[str]
    cancelled: bool = False
    planned: bool = False  # starts after now
    series: str = ""  # the series' key when this is one of its occurrences
    recurrence_id: str = ""  # the occurrence a cancellation or an override stands for


@dataclass
class Problem:
    code: str
    topic: str = ""
    uid: str = ""
    line: int = 0
    detail: str = ""


@dataclass
class Series:
    key: str
    topic: str
    occurrences: int = 0
    next_day: date | None = None


@dataclass
class Read:
    events: list[Event] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    calendars: int = 0
    encoding: str = ""
    periods: int = 0  # the walk through series so far (MAX_PERIODS_PER_FILE)
    blocks: int = 0  # VEVENT blocks in the file
    parsed: int = 0  # of which read (the others each have a problem with a code of PROBLEMS)


# --- bytes to text ---------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The file's text, unfolded, and the encoding it was read in."""
    for bom, name in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            return _unfold_text(data[len(bom) :].decode(name, errors="replace")), name
    head = data[:200]
    if head and head.count(b"\x00") * 3 > len(head):  # UTF-16 without a BOM (every other 0)
        name = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        return _unfold_text(data.decode(name, errors="replace")), name
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    data = unfold(data)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # A calendar in another script (an Outlook in Russian writes windows-1251): the encoding the
    # detector finds, when its text is words of that script.
    other = other_script(data[: 1 << 20])
    if other:
        return data.decode(other, errors="replace"), other
    # Latin text, line by line: a file written in cp1252 with one line pasted in UTF-8 keeps
    # both right.
    lines, legacy = [], False
    for raw in _LINE.split(data):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            legacy = True
            lines.append(_legacy(raw))
    return "\r\n".join(lines), "cp1252" if legacy else "utf-8"


def _legacy(raw: bytes) -> str:
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined: Latin-1 has them all
        return raw.decode("latin-1")


def unfold(data: bytes) -> bytes:
    """RFC 5545 §3.1 on bytes: a line break followed by one space or tab is removed."""
    return _FOLD.sub(b"", data)


def _unfold_text(text: str) -> str:
    return re.sub(r"(?:\r\n|\n|\r)[ \t]", "", text)


# --- text to blocks --------------------------------------------------------------------------


@dataclass
class _Calendar:
    lines: list[str] = field(default_factory=list)  # the whole VCALENDAR
    timezones: list[list[str]] = field(default_factory=list)
    events: list[tuple[int, list[str]]] = field(default_factory=list)  # (first line, lines)
    cut_off: list[tuple[int, list[str]]] = field(default_factory=list)
    method: str = ""


def _name(line: str) -> str:
    return re.split(r"[;:]", line, maxsplit=1)[0].strip().upper()


def _value(line: str) -> str:
    return line.split(":", 1)[1].strip() if ":" in line else ""


def split_calendars(text: str) -> list[_Calendar]:
    """Each VCALENDAR of the text with its VTIMEZONE and VEVENT blocks. Events outside any
    VCALENDAR (some exporters forget it) count as one calendar."""
    calendars: list[_Calendar] = []
    cal: _Calendar | None = None
    block: list[str] | None = None
    block_kind, block_line, depth = "", 0, 0
    loose = _Calendar()
    # Only CR and LF end a line: str.splitlines would also break at a form feed or a U+2028
    # pasted into a title.
    for n, line in enumerate(re.split(r"\r\n|\n|\r", text), start=1):
        if not line.strip():
            continue
        name = _name(line)
        value = _value(line).upper()
        if block is not None:
            # An END of the block's own kind closes it whatever came inside (a stray BEGIN
            # must not swallow the rest of the file); a new event or the calendar's end
            # inside it means it was cut off.
            if (name == "BEGIN" and value == "VEVENT") or (name == "END" and value == "VCALENDAR"):
                if block_kind == "VEVENT":
                    (cal or loose).cut_off.append((block_line, block))
                block = None
            else:
                block.append(line)
                if name == "BEGIN":
                    depth += 1
                elif name == "END":
                    depth = 0 if value == block_kind else depth - 1
                if depth <= 0:
                    target = cal or loose
                    if block_kind == "VEVENT":
                        target.events.append((block_line, block))
                    else:
                        target.timezones.append(block)
                    if cal is not None:
                        cal.lines.extend(block)
                    block = None
                continue
        if name == "BEGIN" and value == "VCALENDAR":
            cal = _Calendar(lines=[line])
            continue
        if name == "END" and value == "VCALENDAR" and cal is not None:
            cal.lines.append(line)
            calendars.append(cal)
            cal = None
            continue
        if name == "BEGIN" and value in ("VEVENT", "VTIMEZONE"):
            block, block_kind, block_line, depth = [line], value, n, 1
            continue
        if cal is not None:
            cal.lines.append(line)
            if name == "METHOD":
                cal.method = value
    if block is not None and block_kind == "VEVENT":
        (cal or loose).cut_off.append((block_line, block))
    if cal is not None:  # a file cut off before its END:VCALENDAR: what came whole is read
        cal.lines.append("END:VCALENDAR")
        calendars.append(cal)
    if loose.events or loose.cut_off:
        loose.lines = ["BEGIN:VCALENDAR", "VERSION:2.0"]
        for tz in loose.timezones:
            loose.lines.extend(tz)
        for _n, ev in loose.events:
            loose.lines.extend(ev)
        loose.lines.append("END:VCALENDAR")
        calendars.append(loose)
    return calendars


# --- the parts of an event -------------------------------------------------------------------


def emails_of(prop: Any) -> list[str]:
    """The e-mail addresses of an ATTENDEE or ORGANIZER (one or a list): the value when it is a
    mailto:, and the EMAIL= parameter (Apple / iCloud put a principal URL or an imip address in
    the value and the real address there)."""
    if prop is None:
        return []
    out = []
    for p in prop if isinstance(prop, list) else [prop]:
        params = getattr(p, "params", {}) or {}
        for text in (params.get("EMAIL", ""), str(p)):
            text = str(text).strip().strip('"')
            if text.lower().startswith("mailto:"):
                text = text[7:]
            if "@" in text and " " not in text:
                out.append(text.lower())
    return list(dict.fromkeys(out))


def fallback_key(start: date | datetime, summary: str, organizer: str, attendees: list[str]) -> str:
    """A stable key for an event without a UID: the same meeting exported twice gives the same
    key (attendees in any order, any case; times compared in UTC)."""
    if isinstance(start, datetime) and start.tzinfo is not None:
        start = start.astimezone(_UTC)
    parts = [
        start.isoformat(),
        " ".join(summary.split()).casefold(),
        organizer.strip().lower(),
        ",".join(sorted({a.strip().lower() for a in attendees})),
    ]
    return "nouid:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]


def _bounded(key: str) -> str:
    if len(key) <= MAX_KEY:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _stamp(value: date | datetime) -> str:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(_UTC).strftime("%Y%m%dT%H%M%SZ")
    if isinstance(value, datetime):
        return value.strftime("%Y%m%dT%H%M%S")
    return value.strftime("%Y%m%d")


try:
    from datetime import UTC as _UTC
except ImportError:  # pragma: no cover - Python < 3.11
    _UTC = _UTC  # type: ignore[assignment]


def _local(value: date | datetime, tz: tzinfo) -> date | datetime:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(tz)
    return value


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _after(start: date | datetime, now: datetime, tz: tzinfo) -> bool:
    if isinstance(start, datetime):
        if start.tzinfo is None:
            start = start.replace(tzinfo=tz)
        return start > now
    return start > now.astimezone(tz).date()


class _Unreadable(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code, self.detail = code, detail


def _start(ev: Any) -> date | datetime:
    raw = ev.get("DTSTART")
    if raw is None:
        raise _Unreadable(NO_START)
    if isinstance(raw, list):
        raise _Unreadable(TWO_STARTS)
    try:
        value = raw.dt
    except Exception as exc:  # icalendar's BrokenCalendarProperty and friends
        try:
            shown = raw.to_ical().decode("utf-8", errors="replace")
        except Exception:
            shown = str(exc)
        raise _Unreadable(BAD_START, shown[:80])
    if isinstance(value, time) or not isinstance(value, date):
        raise _Unreadable(BAD_START, str(value)[:80])
    return value


def _text(ev: Any, name: str) -> str:
    value = ev.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


# --- the whole file --------------------------------------------------------------------------


def read(
    data: bytes,
    *,
    now: datetime,
    tz: tzinfo,
    since: date | None = None,
) -> Read:
    """Every event of the file as :class:`Event` (a series as its occurrences from ``since``,
    default a year before ``now``, up to ``now``), and a :class:`Problem` for each event that
    cannot be read."""
    import icalendar

    since = since or (now.astimezone(tz).date() - timedelta(days=365))
    text, encoding = decode(data)
    out = Read(encoding=encoding)
    calendars = split_calendars(text)
    out.calendars = len(calendars)
    if not calendars:
        out.problems.append(Problem(NOT_A_CALENDAR))
        return out
    for cal in calendars:
        out.blocks += len(cal.events) + len(cal.cut_off)
        for line, block in cal.cut_off:
            out.problems.append(
                Problem(CUT_OFF, topic=_block_summary(block), uid=_block_uid(block), line=line)
            )
        components = _parse(icalendar, cal, out)
        _expand(icalendar, cal, components, out, now=now, tz=tz, since=since)
    return out


def _block_summary(block: list[str]) -> str:
    return next((_value(x) for x in block if _name(x) == "SUMMARY"), "")[:300]


def _block_uid(block: list[str]) -> str:
    return next((_value(x) for x in block if _name(x) == "UID"), "")


def _parse(icalendar: Any, cal: _Calendar, out: Read) -> list[tuple[int, Any]]:
    """The VEVENT components of a calendar, with the line each begins on: the whole calendar at
    once, else — when it cannot be read whole — each event on its own with the timezones."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            whole = icalendar.Calendar.from_ical("\r\n".join(cal.lines))
            found = list(whole.walk("VEVENT"))
            if len(found) == len(cal.events):
                return [(line, ev) for (line, _b), ev in zip(cal.events, found, strict=True)]
        except Exception:  # icalendar raises ValueError, KeyError… on a broken file
            pass
        zones = [x for tz in cal.timezones for x in tz]
        events = []
        for line, block in cal.events:
            try:
                one = icalendar.Calendar.from_ical(
                    "\r\n".join(["BEGIN:VCALENDAR", *zones, *block, "END:VCALENDAR"])
                )
                evs = list(one.walk("VEVENT"))
                if len(evs) != 1:
                    raise ValueError("no event")
                events.append((line, evs[0]))
            except Exception as exc:
                out.problems.append(
                    Problem(
                        BROKEN_EVENT,
                        topic=_block_summary(block),
                        uid=_block_uid(block),
                        line=line,
                        detail=str(exc)[:200],
                    )
                )
        return events


def _expand(
    icalendar: Any,
    cal: _Calendar,
    components: list[tuple[int, Any]],
    out: Read,
    *,
    now: datetime,
    tz: tzinfo,
    since: date,
) -> None:
    cancelled_all = cal.method == "CANCEL"  # Outlook's "meeting cancelled" file
    good: list[tuple[int, Any, date | datetime]] = []
    for line, ev in components:
        try:
            good.append((line, ev, _start(ev)))
        except _Unreadable as exc:
            out.problems.append(
                Problem(
                    exc.code,
                    topic=_text(ev, "SUMMARY")[:300],
                    uid=_text(ev, "UID"),
                    line=line,
                    detail=exc.detail,
                )
            )
    out.parsed += len(good)
    # A series is its master with its overrides (same UID, a RECURRENCE-ID), wherever they
    # stand in the file: Google writes the moved occurrences before the master.
    masters = {
        _text(ev, "UID")
        for _l, ev, _s in good
        if _text(ev, "UID")
        and ev.get("RECURRENCE-ID") is None
        and (ev.get("RRULE") is not None or ev.get("RDATE") is not None)
    }
    series_parts: dict[str, list[tuple[int, Any]]] = {}
    for line, ev, start in good:
        uid = _text(ev, "UID")
        if uid in masters:
            series_parts.setdefault(uid, []).append((line, ev))
            continue
        out.events.append(_event(ev, start, now=now, tz=tz, cancelled_all=cancelled_all))
    for uid, parts in series_parts.items():
        _series(icalendar, cal, uid, parts, out, now=now, tz=tz, since=since, cancel=cancelled_all)


def _event(
    ev: Any,
    start: date | datetime,
    *,
    now: datetime,
    tz: tzinfo,
    cancelled_all: bool = False,
    series: str = "",
    key: str = "",
) -> Event:
    uid = _text(ev, "UID")
    topic = _text(ev, "SUMMARY")[:300]
    organizer = emails_of(ev.get("ORGANIZER"))
    attendees = emails_of(ev.get("ATTENDEE"))
    local = _local(start, tz)
    recurrence_id = ""
    rid = ev.get("RECURRENCE-ID")
    if rid is not None and not isinstance(rid, list):
        try:
            recurrence_id = _stamp(rid.dt)
        except Exception:
            recurrence_id = ""
    if not key:
        if uid:
            key = uid + (f"/{recurrence_id}" if recurrence_id else "")
        else:
            key = fallback_key(start, topic, ",".join(organizer), attendees)
    return Event(
        key=_bounded(key),
        uid=uid,
        start=local,
        day=_day(local),
        topic=topic,
        emails=list(dict.fromkeys(attendees + organizer)),
        cancelled=cancelled_all or _text(ev, "STATUS").upper() == "CANCELLED",
        planned=_after(start, now, tz),
        series=series,
        recurrence_id=recurrence_id,
    )


def _walk(master: Any, stop: date) -> int:
    """How many periods of its rule expanding ``master`` up to ``stop`` walks through; raises
    for a rule too frequent or too long to walk."""
    rules = master.get("RRULE")
    if rules is None:
        return 0
    first = _day(_start(master))
    total = 0
    for rule in rules if isinstance(rules, list) else [rules]:
        try:
            freq = str(rule.get("FREQ", [""])[0]).upper()
            interval = max(1, int(rule.get("INTERVAL", [1])[0] or 1))
        except Exception:  # a broken rule: recurring-ical-events says why
            continue
        several = any(len(rule.get(k, [])) > 1 for k in ("BYHOUR", "BYMINUTE", "BYSECOND"))
        if freq in ("SECONDLY", "MINUTELY", "HOURLY") or several:
            raise _Unreadable(TOO_FREQUENT, freq)
        days = _PERIOD_DAYS.get(freq)
        if days is None:
            continue
        periods = max(0, (stop - first).days) // (days * interval) + 1
        if periods > MAX_PERIODS:
            raise _Unreadable(TOO_LONG, first.isoformat())
        total += periods
    return total


def _series(
    icalendar: Any,
    cal: _Calendar,
    uid: str,
    parts: list[tuple[int, Any]],
    out: Read,
    *,
    now: datetime,
    tz: tzinfo,
    since: date,
    cancel: bool,
) -> None:
    import recurring_ical_events

    master = next(ev for _l, ev in parts if ev.get("RECURRENCE-ID") is None)
    topic = _text(master, "SUMMARY")[:300]
    key = _bounded(uid)
    line = min(n for n, _e in parts)
    one = icalendar.Calendar()
    for _l, ev in parts:
        one.add_component(ev)
    start = datetime.combine(since, time(0), tzinfo=tz)
    stop = now.astimezone(tz)
    series = Series(key=key, topic=topic)
    held: list[Event] = []
    try:
        out.periods += _walk(master, stop.date())
        if out.periods > MAX_PERIODS_PER_FILE:
            raise _Unreadable(TOO_LONG)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # between() and not after(start): after() walks the whole series from its first
            # occurrence building every one (a minute for a daily meeting since 1990).
            query = recurring_ical_events.of(one)
            occurrences = query.between(start, stop + timedelta(seconds=1))
            if len(occurrences) > MAX_OCCURRENCES:
                raise _Unreadable(TOO_MANY, str(MAX_OCCURRENCES))
            for occ in occurrences:
                occ_start = _start(occ)
                if _after(occ_start, stop, tz):
                    continue
                rid = occ.get("RECURRENCE-ID")
                original = rid.dt if rid is not None and not isinstance(rid, list) else occ_start
                held.append(
                    _event(
                        occ,
                        occ_start,
                        now=now,
                        tz=tz,
                        cancelled_all=cancel,
                        series=key,
                        key=f"{uid}/{_stamp(original)}",
                    )
                )
            # The next one within a year (after() may search years ahead for a rule that
            # never matches again, such as 30 February).
            for occ in query.between(stop + timedelta(seconds=1), stop + timedelta(days=366)):
                occ_start = _start(occ)
                if _after(occ_start, stop, tz):
                    series.next_day = _day(_local(occ_start, tz))
                    break
    except _Unreadable as exc:
        out.problems.append(Problem(exc.code, topic=topic, uid=uid, line=line, detail=exc.detail))
        return
    except Exception as exc:  # a repetition rule the library cannot follow
        # The rule as the file writes it says more to a person than the library's words
        # ("'<' not supported between instances of 'datetime' and 'time'").
        blocks = dict(cal.events)
        rules = [
            x
            for n, _e in parts
            for x in blocks.get(n, [])
            if _name(x) in ("RRULE", "RDATE", "EXRULE", "EXDATE")
        ]
        detail = "; ".join(dict.fromkeys(rules))[:200] or str(exc)[:200]
        out.problems.append(Problem(BAD_RECURRENCE, topic=topic, uid=uid, line=line, detail=detail))
        return
    series.occurrences = sum(1 for e in held if not e.cancelled)
    out.series.append(series)
    out.events.extend(held)
