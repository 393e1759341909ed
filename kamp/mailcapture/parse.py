"""Reading one e-mail the way real mail programs write it — pure: bytes in, a :class:`Mail` out,
no Django (kamp.mailcapture.sync matches the addresses to people and customers).

- MIME with the standard library's ``email`` package: the structure with ``policy.compat32``
  (twenty times faster than ``policy.default`` on a mailbox of 10,000 messages, and it leaves
  the headers raw), then only the headers kamp needs decoded with ``email.header`` (RFC 2047
  encoded words, ``=?utf-8?q?Jos=C3=A9_Mu=C3=B1oz?=``) and ``email.utils.getaddresses``.
  Addresses are read before encoded words are decoded, so that one hidden in a display name is
  never taken for a recipient; a word in an unknown charset or with broken bytes is decoded with
  replacement characters; control characters (a CR/LF smuggled into a subject) never reach a
  topic; multipart/alternative and broken body charsets are read;
- the key that makes each message logged once: its Message-ID, else a SHA-256 of its sender,
  recipients, date and subject (a resent copy without a Message-ID is still found again);
- a forward is attributed to the original correspondents when it shows them: an attached
  message (message/rfc822), or the header block a mail program writes above the forwarded text
  — Gmail's "---------- Forwarded message ---------", Outlook's "From: … Sent: … To: …
  Subject: …", in English and Spanish ("De: … Enviado: … Para: … Asunto: …");
- attachments are never kept: only the text of the first text/plain part (else of the first
  text/html part, tags removed) is read, and only when the caller asks for the body.

Problems are codes (``BAD_*``); the caller words them in the user's language.
"""

from __future__ import annotations

import binascii
import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from functools import lru_cache
from typing import Any

NOT_A_MESSAGE = "not_a_message"  # no From, no Date, no recipients: nothing to log
MAX_TOPIC = 300
MAX_BODY = 20_000
# A forward's header block is looked for in the first lines of the text only.
MAX_SCAN_LINES = 400

_FOLDING = re.compile(r"\r?\n[ \t]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_EMAIL = re.compile(r"[A-Za-z0-9._%+'=-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PREFIX = re.compile(r"^\s*((re|fwd?|rv|reenviar|tr|aw|wg|enc|res)\s*(\[\d+\])?\s*:\s*)+", re.I)
_FORWARD_PREFIX = re.compile(r"^\s*(fwd?|rv|reenviar|tr|wg|enc)\s*:", re.I)

# The header names of a forward's block, per language, mapped to the field they give.
_FIELDS = {
    "from": "from",
    "de": "from",
    "to": "to",
    "para": "to",
    "cc": "cc",
    "date": "date",
    "sent": "date",
    "enviado": "date",
    "enviado el": "date",
    "fecha": "date",
    "subject": "subject",
    "asunto": "subject",
}
_FIELD_LINE = re.compile(
    r"^\s*[>*]*\s*\**(from|de|to|para|cc|date|sent|enviado el|enviado|fecha|subject|asunto)"
    r"\**\s*:\s*\**(.*)$",
    re.I,
)
_SPANISH_MONTHS = {
    "enero": "January",
    "febrero": "February",
    "marzo": "March",
    "abril": "April",
    "mayo": "May",
    "junio": "June",
    "julio": "July",
    "agosto": "August",
    "septiembre": "September",
    "setiembre": "September",
    "octubre": "October",
    "noviembre": "November",
    "diciembre": "December",
}
_SPANISH_DAYS = re.compile(
    r"\b(lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo)\b,?", re.I
)

_AM_PM = re.compile(r"\d\s*[ap]\.?\s?m\b\.?", re.I)
_MONTHS = re.compile(r"\b(" + "|".join(_SPANISH_MONTHS) + r")\b", re.I)
_FILLERS = re.compile(r"\b(de|at|a las)\b", re.I)
_PARSER = None  # dateutil's parser, made once


@dataclass(frozen=True)  # shared by the mails that name the same people (_header_people)
class Person:
    email: str  # lower case
    name: str = ""


@dataclass
class Mail:
    key: str  # the Message-ID (<…>), else "sha256:…"
    message_id: str
    subject: str
    topic: str  # the subject without Re:/Fwd: prefixes, or the forwarded message's subject
    date: datetime | None
    sender: Person | None  # From (who sent or forwarded it to the dropbox)
    recipients: list[Person] = field(default_factory=list)  # To + Cc (+ Bcc when shown)
    # The original correspondents when this is a forward that shows them (else empty).
    original: list[Person] = field(default_factory=list)
    forwarded: bool = False
    body: str = ""
    problems: list[str] = field(default_factory=list)  # headers read with garbage replaced

    @property
    def correspondents(self) -> list[Person]:
        """Whom the mail was between: the forward's original people when it shows them, else
        its sender and recipients."""
        return (
            self.original if self.original else [*(x for x in [self.sender] if x), *self.recipients]
        )


def clean_text(value: str, limit: int = MAX_TOPIC) -> str:
    """One line of text: control characters (CR, LF, NUL…) become one space; at most ``limit``."""
    if value.isprintable():  # nothing to replace (the usual case)
        return value.strip()[:limit]
    return _CONTROL.sub(" ", value).strip()[:limit]


class Head:
    """A message's header block read the way ``email``'s compat32 parser reads it (the same
    lines taken for headers, the same raw values), keeping only the first value of each name —
    all kamp reads — without building a :class:`~email.message.Message`: reading 10,000
    messages' headers costs a fifth of the ``email`` parser's time."""

    __slots__ = ("first",)

    def __init__(self, first: dict[str, str]) -> None:
        self.first = first  # lower-case name → its first raw value (8-bit bytes as surrogates)

    def get_content_type(self) -> str:
        """As :meth:`email.message.Message.get_content_type` (text/plain when absent or bad)."""
        value = self.first.get("content-type")
        if value is None:
            return "text/plain"
        if not value.isascii():  # 8-bit bytes: one replacement character each, as email does
            value = value.encode("ascii", "surrogateescape").decode("ascii", "replace")
        ctype = value.partition(";")[0].strip().lower()
        return ctype if ctype.count("/") == 1 else "text/plain"

    def get_content_maintype(self) -> str:
        return self.get_content_type().split("/")[0]


# As email.feedparser: its line breaks, what starts a header line, an empty line ends them.
_NLCRE_CRACK = re.compile(r"(\r\n|\r|\n)")
_HEADER_RE = re.compile(r"From |[\041-\071\073-\176]*:|[\t ]")


def _head(data: bytes) -> Head:
    """The header block of ``data`` as :class:`Head` (see there): the lines before the first
    empty line or the first line that is no header, continuation lines joined to theirs,
    ``From `` envelope lines and nameless ones left out — as ``email.feedparser`` does."""
    return _split(data)[0]


def _split(data: bytes) -> tuple[Head, int]:
    """(:func:`_head`'s headers, where the body starts in ``data`` when the header block ends
    with an empty line at the first blank line found — the body ``email.feedparser`` gives —
    else -1: the block ends some other way and only the ``email`` parser says where)."""
    end, gap = data.find(b"\r\n\r\n"), 4
    if end < 0:
        end, gap = data.find(b"\n\n"), 2
    text = (data if end < 0 else data[: end + 2]).decode("ascii", "surrogateescape")
    if gap == 4 and end >= 0:
        # The usual block (CRLF lines, each a named header or its continuation, _PLAIN_BLOCK):
        # read with one regular expression, the same values as the line-by-line reading
        # below; any other (a rest found) is read line by line.
        fields = _PLAIN_FIELD_OR_REST.findall(text)
        if not fields[-1][2]:
            first: dict[str, str] = {}
            for found_name, found_value, _rest in fields:
                first.setdefault(found_name.lower(), found_value)
            return Head(first), end + gap
    return _split_lines(text, end, gap)


# A header block of CRLF lines only, each a header (a name, a colon) or the continuation of
# one (a space or a tab first), ending with its CRLF: no envelope line, no nameless or bad
# line, no bare CR or LF — what :func:`_split_lines` reads with no special case.
_PLAIN_BLOCK = re.compile(r"(?:[\041-\071\073-\176]+:[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*)*")
# One header of such a block — its name and its value as compat32 keeps it (what follows the
# colon and its spaces, continuation lines with their CRLF, the last CRLF left out) —, or,
# where no such header starts, the rest of the text (the third group): a block is one of
# _PLAIN_BLOCK exactly when its headers follow one another to its end with no rest, so one
# pass reads it (matching it whole with _PLAIN_BLOCK first cost 2.7 µs of a usual block's 9).
_PLAIN_FIELD_OR_REST = re.compile(
    r"([\041-\071\073-\176]+):[ \t]*([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)\r\n|([\s\S]+)"
)


def _split_lines(text: str, end: int, gap: int) -> tuple[Head, int]:
    """:func:`_split` line by line, for any block (``text``: the block decoded, ``end`` and
    ``gap``: where the blank line was found and its length, ``end`` -1 if none)."""
    if text.count("\r\n") == text.count("\r") == text.count("\n"):  # CRLF only, as IMAP sends
        lines = text.split("\r\n")
        endings = ["\r\n"] * (len(lines) - 1) + [""]
    else:
        parts = _NLCRE_CRACK.split(text)
        lines, endings = parts[::2], [*parts[1::2], ""]
    first: dict[str, str] = {}
    name = ""
    value: list[str] = []
    body_at = -1
    last = len(lines) - 1
    misplaced = False
    for i, (line, ending) in enumerate(zip(lines, endings, strict=True)):
        if not line:  # an empty line (or the end): the headers end here
            if i == last and end >= 0:  # the blank line found: the body follows it
                body_at = end + gap
            break
        if not _HEADER_RE.match(line):
            break
        if line[0] in " \t":
            if name:
                value.append(line + ending)
            continue
        if name and name not in first:
            first[name] = "".join(value).rstrip("\r\n")
        name = ""  # continuation lines after a line left out are left out too
        colon = line.find(":")
        if line.startswith("From ") or colon <= 0:
            if i and line.startswith("From "):
                # An envelope line past the first: email may take it for the body's first
                # line; only its parser says where the body starts.
                misplaced = True
            continue
        name, value = line[:colon].lower(), [line[colon + 1 :].lstrip(" \t") + ending]
    if name and name not in first:
        first[name] = "".join(value).rstrip("\r\n")
    return Head(first), -1 if misplaced else body_at


def _raw_header(msg: Message | Head, name: str) -> str | None:
    """The header's first value as it stands in the message, unfolded (8-bit bytes read as
    UTF-8, undecodable ones replaced)."""
    wanted = name.lower()
    if isinstance(msg, Head):
        text = msg.first.get(wanted)
        return None if text is None else _unfolded(text)
    for key, value in msg.raw_items():
        if key.lower() == wanted:
            return _unfolded(str(value))
    return None


def _unfolded(text: str) -> str:
    if not text.isascii() and any("\udc80" <= ch <= "\udcff" for ch in text):  # 8-bit bytes
        text = text.encode("ascii", "surrogateescape").decode("utf-8", "replace")
    return _FOLDING.sub(" ", text) if "\n" in text else text


def _decode_words(value: str, name: str, problems: list[str]) -> str:
    """RFC 2047 encoded words decoded; a word in a charset nobody knows or with broken bytes
    is decoded with replacement characters, and the header named in ``problems``."""
    if "=?" not in value:
        return value
    text, clean = _decoded(value)
    if not clean:
        problems.append(name.lower())
    return text


@lru_cache(maxsize=4096)  # the same names and subjects come back mail after mail
def _decoded(value: str) -> tuple[str, bool]:
    """(``value`` with its encoded words decoded, whether they all decoded cleanly)."""
    if value.isascii() and value.isprintable():  # one line: most headers
        quick = _quick_decoded(value)
        if quick is not None:
            return quick, True
    return _slow_decoded(value)


def _slow_decoded(value: str) -> tuple[str, bool]:
    """:func:`_decoded` with ``email.header`` (any value)."""
    try:
        fast = _joined(decode_header(value)) if value.isascii() else None
        if fast is not None:
            return fast, True
        return str(make_header(decode_header(value))), True
    except (HeaderParseError, LookupError, UnicodeError, ValueError, AssertionError):
        pass
    out = []
    try:
        parts = decode_header(value)
    except (HeaderParseError, ValueError, AssertionError):
        return value, False
    for part, charset in parts:
        if isinstance(part, bytes):
            try:
                out.append(part.decode(charset or "utf-8", errors="replace"))
            except LookupError:
                out.append(part.decode("utf-8", errors="replace"))
        else:
            out.append(part)
    return "".join(out), False


_QP_NOT_ESCAPE = re.compile(r"=(?![0-9A-Fa-f]{2})")
# An encoded word, as ``email.header`` finds them (its ``ecre``): charset, encoding, text.
_ENCODED_WORD = re.compile(r"=\?([^?]*?)\?([qQbB])\?(.*?)\?=", re.MULTILINE)


def _quick_decoded(value: str) -> str | None:
    """``str(make_header(decode_header(value)))`` for one printable ASCII line whose encoded
    words are all in UTF-8 or Latin-1 (a cleanly decoded header's text): the same words
    split, dropped and joined as ``decode_header`` does, each word's bytes decoded by
    ``binascii`` in C instead of ``email.quoprimime``'s Python — a third of the time. ``None``
    for anything else (a '=' that is not an escape in a Q word, bad base64, another charset,
    bytes that do not decode): :func:`_slow_decoded` reads it."""
    parts = _ENCODED_WORD.split(value)
    if len(parts) == 1:
        return value
    if len(parts) == 5:  # one encoded word (most subjects and names): read straight
        return _one_word(*parts)
    # decode_header's words: (text, encoding, charset); the first text without leading space.
    words: list[tuple[str, str | None, str | None]] = []
    if first := parts[0].lstrip():
        words.append((first, None, None))
    for k in range(1, len(parts), 4):
        words.append((parts[k + 2], parts[k + 1].lower(), parts[k].lower()))
        if parts[k + 3]:
            words.append((parts[k + 3], None, None))
    # Its rule: the white space between two encoded words is dropped.
    dropped = [
        n - 1
        for n in range(2, len(words))
        if words[n][1] and words[n - 2][1] and words[n - 1][0].isspace()
    ]
    for n in reversed(dropped):
        del words[n]
    # Its bytes, runs of the same charset joined (plain text by one space).
    runs: list[tuple[bytes, str | None]] = []
    for text, encoding, charset in words:
        if encoding is None:
            data = text.encode("ascii")
        elif charset not in _PLAIN_CHARSETS:
            return None
        else:
            word = _word_bytes(encoding, text)
            if word is None:
                return None
            data = word
        if runs and runs[-1][1] == charset:
            last = runs[-1][0]
            runs[-1] = (last + b" " + data if charset is None else last + data, charset)
        else:
            runs.append((data, charset))
    return _joined(runs)  # type: ignore[arg-type]


def _word_bytes(encoding: str, text: str) -> bytes | None:
    """An encoded word's bytes (``encoding`` "q" or "b", lower case), or None where the
    ``email`` package would read it otherwise (a "=" that is no escape, broken base64)."""
    if encoding == "q":
        if "=" in text and _QP_NOT_ESCAPE.search(text):
            return None
        return binascii.a2b_qp(text, header=True)  # "_" a space, "=XX" a byte
    if len(text) % 4:
        text += "==="[: 4 - len(text) % 4]
    try:
        return binascii.a2b_base64(text)
    except binascii.Error:
        return None


def _one_word(before: str, charset: str, encoding: str, text: str, after: str) -> str | None:
    """:func:`_quick_decoded` of a line with one encoded word (``charset``, ``encoding``,
    ``text``) between plain ``before`` and ``after``, without its lists of words and runs: the
    same text (``decode_header`` strips the space before the first word; ``Header.__str__``
    puts one space between the word and plain text that has none there)."""
    codec = _PLAIN_CHARSETS.get(charset.lower())
    if codec is None:
        return None
    data = _word_bytes(encoding.lower(), text)
    if data is None:
        return None
    try:
        word = data.decode(codec)
    except UnicodeDecodeError:
        return None
    before = before.lstrip()
    if before and not _nonctext(before[-1]):
        word = " " + word
    if after and not _nonctext(after[0]):
        word += " "
    return before + word + after


# The charsets whose words :func:`_joined` decodes itself (their codec: the ``email`` package's).
_PLAIN_CHARSETS = {"utf-8": "utf-8", "iso-8859-1": "iso8859-1"}


def _joined(parts: list[tuple[bytes | str, str | None]]) -> str | None:
    """``str(make_header(parts))`` for the usual case (plain ASCII text and words in UTF-8 or
    Latin-1): the same text, without ``email.header``'s charset objects (a third of reading a
    mail's headers). ``None`` for anything else, or a word that does not decode cleanly."""
    out: list[str] = []
    last_cs: str | None = None
    last_space = False
    for word, charset in parts:
        if charset is None:
            text = word.decode("ascii") if isinstance(word, bytes) else word
        elif charset in _PLAIN_CHARSETS and isinstance(word, bytes):
            try:
                text = word.decode(_PLAIN_CHARSETS[charset])
            except UnicodeDecodeError:
                return None
        else:
            return None
        # Header.__str__'s rule: a space between an encoded word and plain text unless the
        # plain text has one there.
        if out:
            has_space = bool(text) and _nonctext(text[0])
            if last_cs is not None:
                if charset is None and not has_space:
                    out.append(" ")
            elif charset is not None and not last_space:
                out.append(" ")
        last_space = bool(text) and _nonctext(text[-1])
        last_cs = charset
        out.append(text)
    return "".join(out)


def _nonctext(ch: str) -> bool:
    return ch.isspace() or ch in ("(", ")", "\\")


def _header(msg: Message | Head, name: str, problems: list[str]) -> str:
    raw = _raw_header(msg, name)
    return "" if raw is None else _decode_words(raw, name, problems)


def _people(msg: Message | Head, names: tuple[str, ...], problems: list[str]) -> list[Person]:
    """The addresses of these headers, read before any encoded word is decoded (an address
    hidden in an encoded display name is never taken for a recipient)."""
    found: list[Person] = []
    for name in names:
        raw = _raw_header(msg, name)
        if not raw:
            continue
        people, bad = _header_people(raw, name.lower())
        if bad:
            problems.append(name.lower())
        found.extend(people)
    return _unique(found)


@lru_cache(maxsize=4096)  # the same From and To lines come back mail after mail
def _header_people(raw: str, name: str) -> tuple[tuple[Person, ...], bool]:
    """(The people of one address header's raw value, whether part of it could not be read.)"""
    problems: list[str] = []
    try:
        pairs = getaddresses([raw])
    except (ValueError, IndexError):
        return (), True
    found = []
    for display, addr in pairs:
        if addr and _EMAIL.fullmatch(addr):
            label = _decode_words(display, name, problems)
            found.append(Person(addr.lower(), clean_text(label, 200)))
    return tuple(found), bool(problems)


@lru_cache(maxsize=4096)  # the same people are forwarded mail after mail
def _people_in_text(text: str) -> tuple[Person, ...]:
    """Addresses in a free header value ("José Muñoz <jose@cs.cl>; Ana [mailto:ana@x.cl]")."""
    found = []
    for name, addr in getaddresses([text.replace("[mailto:", "<").replace("]", ">")]):
        if addr and _EMAIL.fullmatch(addr):
            found.append(Person(addr.lower(), clean_text(name, 200)))
    known = {p.email for p in found}
    for addr in _EMAIL.findall(text):
        if addr.lower() not in known:
            found.append(Person(addr.lower()))
            known.add(addr.lower())
    return tuple(found)


def _unique(people: list[Person]) -> list[Person]:
    seen: dict[str, Person] = {}
    for p in people:
        if p.email not in seen:
            seen[p.email] = p
    return list(seen.values())


_RFC_DATE = re.compile(
    r"\s*(?:(?:mon|tue|wed|thu|fri|sat|sun),\s*)?(\d{1,2})\s+([a-z]{3})\s+(\d{4})\s+"
    r"(\d{2}):(\d{2})(?::(\d{2}))?\s+([+-])(\d{2})(\d{2})\s*",
    re.I | re.A,
)
_MONTH_NUMBER = {
    name: k
    for k, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_ZONES: dict[tuple[str, str, str], Any] = {}


def _rfc_date(value: str) -> datetime | None:
    """A Date header as mail programs write it ("Mon, 03 Mar 2025 13:15:00 +0000") read as
    ``parsedate_to_datetime`` reads it, four times faster; ``None`` for any other shape or an
    impossible date (left to it)."""
    m = _RFC_DATE.fullmatch(value)
    if m is None:
        return None
    day, mon, year, hh, mm, ss, sign, zh, zm = m.groups()
    month = _MONTH_NUMBER.get(mon.lower())
    if month is None or int(year) < 100:  # "0025": a two-digit year to the RFC reader
        return None
    key = (sign, zh, zm)
    if key not in _ZONES:
        minutes = int(zh) * 60 + int(zm)
        try:
            # "-0000": no zone known (RFC 5322), a naive date as parsedate_to_datetime gives.
            _ZONES[key] = (
                None
                if sign == "-" and not minutes
                else timezone(timedelta(minutes=-minutes if sign == "-" else minutes))
            )
        except ValueError:  # past ±24 hours: left to parsedate_to_datetime
            return None
    zone = _ZONES[key]
    try:
        return datetime(int(year), month, int(day), int(hh), int(mm), int(ss or 0), tzinfo=zone)
    except ValueError:
        return None


def _date(value: str) -> datetime | None:
    if not value:
        return None
    fast = _rfc_date(value)
    if fast is not None:
        return fast if fast.tzinfo is not None else fast.replace(tzinfo=UTC)
    try:
        d = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        d = None
    if d is None or (d.tzinfo is None and _AM_PM.search(value)):
        # Not RFC 5322, or a forward's "Monday, March 3, 2025 5:40 PM", which the RFC
        # reader takes without its PM (12 hours early, maybe the day before).
        d = _loose_date(value) or d
    if d is not None and d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    if d is not None:
        try:
            d.utcoffset()  # "+2500": a zone no date can be in (it could not be saved)
        except (ValueError, OverflowError):
            d = None
    return d


def _loose_date(value: str) -> datetime | None:
    """A date as mail programs write it in a forward's block: "Mon, Mar 3, 2025 at 10:15 AM",
    "Monday, March 3, 2025 10:15 AM", "lunes, 3 de marzo de 2025 10:15"."""
    from dateutil import parser as dateparser

    text = _SPANISH_DAYS.sub("", value)
    text = _MONTHS.sub(lambda mo: _SPANISH_MONTHS[mo.group(0).lower()], text)
    text = _FILLERS.sub(" ", text).replace(" p. m.", " PM").replace(" a. m.", " AM")
    usual = _usual_date(text)
    if usual is not None:
        return usual
    global _PARSER
    if _PARSER is None:
        _PARSER = dateparser.parser()
    try:
        return _PARSER.parse(text, fuzzy=True, dayfirst=False)
    except (ValueError, OverflowError, TypeError):
        return None


_EN_MONTHS = {
    name: k
    for k, full in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
    for name in (full, full[:3])
} | {"sept": 9}
_EN_DAYS = {
    name
    for full in ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    for name in (full, full[:3])
}
_USUAL_DATE = re.compile(
    r"\s*(?:(?P<wday>[a-z]+)\.?,?\s+)?"
    r"(?:(?P<month>[a-z]+)\.?\s+(?P<day>\d{1,2}),?|(?P<day2>\d{1,2})\s+(?P<month2>[a-z]+)\.?,?)"
    r"\s+(?P<year>\d{4}),?"
    r"(?:\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\s*(?P<ampm>am|pm))?)?"
    r"\s*",
    re.I,
)


def _usual_date(text: str) -> datetime | None:
    """The date of ``text`` when it is written the usual ways ("Mon, Feb 3, 2025 10:15 AM",
    "Monday, March 3, 2025 10:15 AM", "3 March 2025 10:15"): what dateutil reads there, a
    hundred times faster. ``None`` for any other shape (dateutil reads it)."""
    m = _USUAL_DATE.fullmatch(text)
    if m is None:
        return None
    wday = (m.group("wday") or "").lower()
    month = _EN_MONTHS.get((m.group("month") or m.group("month2")).lower())
    if month is None or (wday and wday not in _EN_DAYS):
        return None
    hour = int(m.group("hour") or 0)
    ampm = (m.group("ampm") or "").lower()
    if ampm and not 1 <= hour <= 12:
        return None
    if ampm == "pm" and hour != 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    try:
        return datetime(
            int(m.group("year")),
            month,
            int(m.group("day") or m.group("day2")),
            hour,
            int(m.group("minute") or 0),
            int(m.group("second") or 0),
        )
    except ValueError:
        return None


def topic(subject: str) -> str:
    return clean_text(_PREFIX.sub("", subject)) or clean_text(subject)


_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def message_key(msg: Message | Head, problems: list[str]) -> tuple[str, str]:
    mid = clean_text(_header(msg, "Message-ID", problems), 255)
    found = _MESSAGE_ID.search(mid)
    if found:
        return found.group(0)[:255], found.group(0)[:255]
    h = hashlib.sha256()
    for name in ("From", "To", "Cc", "Date", "Subject"):
        h.update(_header(msg, name, problems).encode("utf-8", errors="replace") + b"\0")
    return "", "sha256:" + h.hexdigest()


def _text_part(msg: Message) -> str:
    """The text of the message's first text/plain part outside attachments (else its first
    text/html part without tags)."""
    plain = html_text = None
    for part in msg.walk():
        if part.get_content_maintype() == "multipart":
            continue
        if part.get_content_type() == "message/rfc822":
            break  # a forwarded message: its own text is not this mail's body
        if part.get_content_disposition() == "attachment":
            continue
        ctype = part.get_content_type()
        if ctype == "text/plain" and plain is None:
            plain = _decode(part)
        elif ctype == "text/html" and html_text is None:
            html_text = _decode(part)
    if plain is not None:
        return plain
    if html_text is not None:
        text = re.sub(r"(?is)<(script|style).*?</\1>", " ", html_text)
        text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>", "\n", text)
        return html.unescape(re.sub(r"<[^>]+>", "", text))
    return ""


def _decode(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # a charset nobody knows ("x-unknown"): read as UTF-8
        return payload.decode("utf-8", errors="replace")


def _inline_forward(text: str) -> dict[str, str] | None:
    """The header block of a forwarded message in the text: a From:/De: line followed within a
    few lines by at least two of To/Date/Subject (their Spanish names too)."""
    lines = text.splitlines()[:MAX_SCAN_LINES]
    for i, line in enumerate(lines):
        m = _FIELD_LINE.match(line)
        if not m or _FIELDS[m.group(1).lower()] != "from":
            continue
        block = {"from": m.group(2).strip().strip("*")}
        last = "from"
        for nxt in lines[i + 1 : i + 12]:
            fm = _FIELD_LINE.match(nxt)
            if fm:
                last = _FIELDS[fm.group(1).lower()]
                if last in block:
                    break
                block[last] = fm.group(2).strip().strip("*")
            elif not nxt.strip():
                if len(block) > 1:
                    break
            elif last in ("to", "cc") and nxt.startswith((" ", "\t")):
                block[last] += " " + nxt.strip()  # a long list of recipients goes on
        if len(block) >= 3 and ("to" in block or "subject" in block):
            return block
    return None


def headers(data: bytes) -> Head:
    """The header block of ``data`` (a whole message or its headers alone), the body not read:
    no MIME structure is parsed."""
    return _head(data)


def needs_body(head: Message | Head) -> bool:
    """Whether a message whose headers are ``head`` must be read whole to be logged right (the
    body aside): a forward by its subject (Fwd:, FW:, RV:, REENV…), or a message that may carry
    an attached one (message/rfc822, any multipart but multipart/alternative). Plain text and
    multipart/alternative mail with another subject is read from its headers alone."""
    subject = clean_text(_header(head, "Subject", []))
    if _FORWARD_PREFIX.match(subject):
        return True
    ctype = head.get_content_type()
    if ctype == "message/rfc822":
        return True
    return ctype.startswith("multipart/") and ctype != "multipart/alternative"


def read(
    data: bytes | Message | Head, *, with_body: bool = False, headers_only: bool = False
) -> Mail:
    """The message in ``data`` (raw RFC 5322 bytes). Never raises for a bad message: what
    cannot be read is left empty and named in ``problems``. With ``headers_only`` ``data`` may
    be the header block alone (:func:`needs_body` said the body is not needed): the body is
    not parsed, so neither a forward nor a body is looked for in it (``data`` may then be the
    :func:`headers` already parsed)."""
    problems: list[str] = []
    msg: Message | Head
    single: Message | None = None  # a single-part message's body, read without the parser
    if isinstance(data, Message | Head):
        msg = data
    elif headers_only:
        msg = headers(data)
    else:
        head, body_at = _split(data)
        single = _single_part(data, head, body_at)
        msg = head if single is not None else message_from_bytes(data, policy=policy.compat32)
    message_id, key = message_key(msg, problems)
    subject = clean_text(_header(msg, "Subject", problems))
    sender = _people(msg, ("From",), problems)
    recipients = _people(msg, ("To", "Cc", "Bcc"), problems)
    mail = Mail(
        key=key,
        message_id=message_id,
        subject=subject,
        topic=topic(subject),
        date=_date(_header(msg, "Date", problems)),
        sender=sender[0] if sender else None,
        recipients=[p for p in recipients if not sender or p.email != sender[0].email],
    )
    text = ""
    whole = msg if isinstance(msg, Message) and not headers_only else None
    if single is not None:  # (not ``single or``: a Message without headers is falsy)
        whole = single
    if whole is not None:
        try:
            text = _text_part(whole)
        except Exception:
            problems.append("body")
    attached = None if whole is None else _attached_message(whole)
    if attached is not None:
        inner = read_headers_of(attached, problems)
        if inner is not None:
            _as_forward(mail, *inner)
    elif _FORWARD_PREFIX.match(subject) or text:
        block = _inline_forward(text)
        if block is not None:
            people = [*_people_in_text(block.get("from", ""))]
            for name in ("to", "cc"):
                people += _people_in_text(block.get(name, ""))
            _as_forward(
                mail,
                _unique(people),
                clean_text(block.get("subject", "")),
                _date(block.get("date", "")),
            )
    if with_body:
        mail.body = text.strip()[:MAX_BODY]
    mail.problems = sorted(set(problems))
    return mail


# What the ``email`` package reads of a single part's own headers to give its text.
_PART_HEADERS = ("content-type", "content-transfer-encoding", "content-disposition")


def _single_part(data: bytes, head: Head, body_at: int) -> Message | None:
    """A message that is not multipart nor message/* as the ``email`` parser would give it to
    :func:`_text_part` — the same headers that decide how its text is read (their first raw
    values) and the same payload (what follows the blank line, 8-bit bytes as surrogates) —
    without parsing it line by line (most of reading a whole forward's time). ``None`` when
    the MIME structure must be parsed (multipart, message/*) or the header block does not end
    with the blank line found (``body_at`` -1)."""
    if body_at < 0 or head.get_content_maintype() in ("multipart", "message"):
        return None
    part = Message()
    for name in _PART_HEADERS:
        value = head.first.get(name)
        if value is not None:
            part[name] = value  # compat32 keeps the raw value as given
    part.set_payload(data[body_at:].decode("ascii", "surrogateescape"))
    return part


def _attached_message(msg: Message) -> Message | None:
    for part in msg.walk():
        if part.get_content_type() == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
            if isinstance(payload, Message):
                return payload
    return None


def read_headers_of(
    msg: Message, problems: list[str]
) -> tuple[list[Person], str, datetime | None] | None:
    people = _people(msg, ("From", "To", "Cc"), problems)
    if not people:
        return None
    return (
        people,
        clean_text(_header(msg, "Subject", problems)),
        _date(_header(msg, "Date", problems)),
    )


def _as_forward(mail: Mail, people: list[Person], subject: str, when: datetime | None) -> None:
    if not people:
        return
    mail.forwarded = True
    mail.original = people
    if subject:
        mail.topic = topic(subject)
    if when is not None:
        mail.date = when


def summary(data: bytes) -> tuple[str, str, str]:
    """(key, subject, sender's address) of a message's headers alone (one too large to read)."""
    problems: list[str] = []
    msg = headers(data)
    _mid, key = message_key(msg, problems)
    sender = _people(msg, ("From",), problems)
    return key, clean_text(_header(msg, "Subject", problems)), sender[0].email if sender else ""
