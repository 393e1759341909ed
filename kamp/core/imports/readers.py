"""Streaming readers for CSV and XLSX files: a header row and then one row at a time, so a
file of a million lines never sits in memory.

:func:`open_table` picks the reader from the file's first bytes (an XLSX is a ZIP), not its name.

Any file may be hostile, so reading one costs bounded memory and time: a CSV with a NUL byte
anywhere or a line longer than :attr:`Limits.line_chars` is refused before its rows are read;
an XLSX is refused when it would unpack to more than :attr:`Limits.unpacked_bytes`; its rows
are read as they are in the sheet (not as its ``<dimension>`` declares them); a header wider
than :attr:`Limits.columns` or a cell longer than :attr:`Limits.cell_chars` is refused.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kamp.core.encodings import other_script as _other_script

from .parsers import date_to_iso, decide_date_order

CHUNK = 1 << 20
DELIMITERS = [";", ",", "\t", "|"]
#: Rows looked at when finding the header under a spreadsheet's title rows.
HEADER_SEARCH_ROWS = 20
#: Rows after which a date column with no d/m/y text yet is taken to have none.
SCAN_SAMPLE_ROWS = 1000
# Excel's "sep=;" first line: which delimiter the file uses (Excel writes and reads it).
_SEP_HINT = re.compile(r'^"?sep=(.)"?[,;\t|]*\r?\n?$', re.IGNORECASE)
# What CRM and BI report exports write under the data (Salesforce, Dynamics, HubSpot…).
_FOOTER_TEXT = re.compile(
    r"^(grand )?(sub)?totals?\s*(\(|:|$)|^total general\s*(\(|:|$)"
    r"|confidential|do not distribute|copyright|\u00a9|\(c\)\s*\d{4}|all rights reserved"
    r"|^generated (by|on|at)\b|^report (generated|run)\b|^filtered by\b|^\d+ records?\b",
    re.IGNORECASE,
)
# Of those, the ones a footer row of several cells starts with ("Grand Totals (3
# records)",,,"1.234"); matched from the first character, so a row of data fails at once.
_FOOTER_START = re.compile(
    r"(grand )?(sub)?totals?\s*(\(|:|$)|total general\s*(\(|:|$)", re.IGNORECASE
)


def gettext_noop(message: str) -> str:
    """Marks a message for the catalogue (this module imports no Django); :class:`ReadError`
    translates it when it is shown."""
    return message


@dataclass(frozen=True)
class Limits:
    """Bounds on what a file may hold; :func:`limits` reads them from the settings."""

    columns: int = 500
    cell_chars: int = 32_767  # Excel's own limit for a cell
    line_chars: int = 1 << 20  # one physical line of a CSV
    unpacked_bytes: int = 1 << 30  # everything an XLSX unpacks to
    shared_strings_bytes: int = 1 << 28  # what openpyxl holds in memory for a whole workbook


def limits() -> Limits:
    """The limits of ``settings.KAMP_IMPORT_MAX_*`` when Django is configured, else the
    defaults."""
    default = Limits()
    try:
        from django.conf import settings

        return Limits(
            columns=getattr(settings, "KAMP_IMPORT_MAX_COLUMNS", default.columns),
            cell_chars=getattr(settings, "KAMP_IMPORT_MAX_CELL_CHARS", default.cell_chars),
            unpacked_bytes=getattr(
                settings, "KAMP_IMPORT_MAX_UNPACKED_BYTES", default.unpacked_bytes
            ),
        )
    except Exception:  # Django missing or not configured: plain defaults
        return default


class ReadError(Exception):
    """The file itself cannot be read (not a CSV/XLSX, no header row, beyond the limits…).

    ``message`` is a catalogue message with ``%(name)s`` placeholders filled from ``params``;
    ``str()`` gives it in the active language when Django is there."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def __str__(self) -> str:
        message = self.message
        try:
            from django.utils.translation import gettext

            message = gettext(message)
        except Exception:  # no Django, or not configured: the English message
            pass
        return message % self.params if self.params else message


@dataclass
class Table:
    """What a reader knows about a file: its format, encoding and delimiter (CSV), header and a
    way to iterate the data rows as ``(line_number, cells)``."""

    path: Path
    format: str  # "csv" | "xlsx"
    header: list[str]
    encoding: str = ""
    delimiter: str = ""
    header_line: int = 1
    sheet: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def rows(self, *, strict: bool = True) -> Iterator[tuple[int, list[Any]]]:
        """Data rows after the header, skipping wholly empty ones; numbers are the line (CSV)
        or row (XLSX) a person sees in their editor.

        A report's footer under the data ("Grand Totals (3 records)", "Confidential
        Information", a copyright line) is left out and listed in ``extra["footer"]``. The
        columns of ``extra["dates"]`` (index → "dmy"/"mdy"/"ymd") hold their dates as
        ``yyyy-mm-dd``. ``strict``: a formula without a computed value (XLSX) in a column of
        ``extra["columns"]`` (every column when not given) is refused; otherwise read as
        empty (the preview)."""
        raw = _xlsx_rows(self, strict) if self.format == "xlsx" else _csv_rows(self)
        dates = self.extra.get("dates") or {}
        if dates:
            raw = _with_iso_dates(raw, dates)
        yield from _without_footer(self, raw)

    def preview(self, n: int = 5) -> list[list[Any]]:
        out = []
        for _line, cells in self.rows(strict=False):
            out.append(cells)
            if len(out) >= n:
                break
        return out

    def date_orders(self, columns: list[int], given: str | None = None) -> dict[int, str]:
        """The day/month order of each date column, from its values (a day over 12 settles
        it): ``{index: "dmy" | "mdy" | "ymd"}`` for the columns holding dates written as text.
        ``given`` (the person's choice) wins. A column whose values fit both orders (only
        ``3/4/2025``-like dates) is refused naming the column and a value."""
        if not columns:
            return {}
        if given:
            return dict.fromkeys(columns, given)
        seen: dict[int, set[str]] = {i: set() for i in columns}
        settled: dict[int, str] = {}
        typed: set[int] = set()  # columns of date cells, serials or yyyy-mm-dd so far
        for count, (_line, cells) in enumerate(self.rows(strict=False), 1):
            n = len(cells)
            for i in columns:
                if i in settled or i >= n:
                    continue
                value = cells[i]
                if value.__class__ is str and value and value not in seen[i]:
                    seen[i].add(value)
                    order = decide_date_order([value])
                    if order in ("dmy", "mdy"):
                        settled[i] = order
            if count == SCAN_SAMPLE_ROWS:
                # A column whose first rows hold no d/m/y text (Excel date cells, serials,
                # yyyy-mm-dd) is not read to its end for one: a second pass over a large
                # file costs as much as the first.
                typed = {i for i in columns if decide_date_order(seen[i]) in (None, "ymd")}
                for i in typed:
                    settled.setdefault(i, "")
            if len(settled) == len(columns):
                break  # a later row in the other order is a bad date of that row
        out: dict[int, str] = {}
        for i in columns:
            if i in settled:
                if settled[i]:
                    out[i] = settled[i]
                continue
            order = decide_date_order(seen[i])
            if order == "ambiguous":
                example = next(v for v in sorted(seen[i]) if decide_date_order([v]) == order)
                raise ReadError(
                    gettext_noop(
                        "Column “%(column)s”: a date such as “%(value)s” could be read day "
                        "first or month first, and no date of the column settles it. Choose "
                        "the date order (day/month/year or month/day/year)."
                    ),
                    column=self.header[i] if i < len(self.header) else i + 1,
                    value=example,
                )
            if order:
                out[i] = order
        return out


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` (with a BOM), ``utf-8`` if the whole file decodes as such, else
    ``cp1252`` (what Excel writes in Spanish-speaking countries; a superset of Latin-1's printable
    characters), ``mac_roman`` (Excel for Mac's "CSV (Macintosh)") when its accents read as
    letters where cp1252 reads punctuation, or ``latin-1`` for the few bytes cp1252 leaves
    undefined; a file in another script (Cyrillic, Greek, Japanese…) in the encoding the
    detector finds."""
    with open(path, "rb") as f:
        head = f.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := f.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
        f.seek(0)
        sample = f.read(CHUNK)
        other = _other_script(sample)
        if other:
            return other
        f.seek(0)
        cp1252 = codecs.getincrementaldecoder("cp1252")()
        try:
            while chunk := f.read(CHUNK):
                cp1252.decode(chunk)
        except UnicodeDecodeError:
            return "mac_roman" if _mac_roman_score(sample) > 0 else "latin-1"
        return "mac_roman" if _mac_roman_score(sample) > 0 else "cp1252"


def _mac_roman_score(data: bytes) -> int:
    """How much better ``data`` reads as Mac Roman than as cp1252: each byte over 127 between
    two ASCII letters counts for the encoding that makes a lowercase letter of it (``Raz\x97n``
    is "Razón" in Mac Roman, "Raz—n" in cp1252), and for cp1252 when it is its apostrophe
    (``don\x92t``). Maintained detectors (charset-normalizer) call both encodings equally
    likely for such text; the letters between letters decide it."""
    score = 0
    for m in re.finditer(rb"[A-Za-z]([\x80-\xff])(?=[A-Za-z])", data):
        byte = m.group(1)
        win, mac = byte.decode("cp1252", "replace"), byte.decode("mac_roman")
        win_ok = win.islower() or win == "\u2019"
        mac_ok = mac.islower()
        score += (mac_ok and not win_ok) - (win_ok and not mac_ok)
    return score


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits most of the first lines into the same number (two or more) of
    columns — title lines of one cell above the table do not count against it."""
    lines = [ln for ln in sample.splitlines()[:HEADER_SEARCH_ROWS] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", (0, 0)
    for d in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=d)]
        except csv.Error:
            continue
        wide = [c for c in counts if c >= 2]
        if not wide:
            continue
        common = max(set(wide), key=lambda c: (wide.count(c), c))
        score = (wide.count(common), common)
        if score > best_score:
            best, best_score = d, score
    return best


def _is_xlsx(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def _refuse_other_spreadsheets(path: Path) -> None:
    """An Excel 97-2003 ``.xls`` (an OLE file) is told apart from a damaged CSV."""
    with open(path, "rb") as f:
        if f.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise ReadError(
                gettext_noop(
                    "This is an Excel 97-2003 workbook (.xls): kamp reads .xlsx and CSV. Open "
                    "it in Excel or LibreOffice, save it as “Excel Workbook (.xlsx)” and upload "
                    "it again."
                )
            )


def open_table(
    path: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
) -> Table:
    """The file's header and how to read its rows. ``sheet``: the sheet of an XLSX (default:
    the one Excel opens on, if visible, else the first visible one). ``header_row``: the line
    (CSV) or row (XLSX) of the header; by default the first of the first rows with two or more
    filled cells, so that a report's title rows above it are skipped."""
    path = Path(path)
    bounds = limits()
    if _is_xlsx(path):
        return _open_xlsx(path, sheet, bounds, header_row)
    _refuse_other_spreadsheets(path)
    encoding = encoding or detect_encoding(path)
    _check_csv(path, encoding, bounds)
    with open(path, encoding=encoding, newline="") as f:
        first = f.readline(1024)
        hint = _SEP_HINT.match(first.lstrip("\ufeff"))
        skip = 1 if hint else 0
        sample = f.read(64 * 1024) if hint else first + f.read(64 * 1024)
    delimiter = delimiter or (hint.group(1) if hint else sniff_delimiter(sample))
    table = Table(path=path, format="csv", header=[], encoding=encoding, delimiter=delimiter)
    if hint:
        table.extra["sep_hint"] = True
    with open(path, encoding=encoding, newline="") as f:
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        start = 0
        candidates: list[tuple[int, list[str]]] = []
        try:
            for cells in reader:
                line, start = start + 1, reader.line_num
                if line <= skip:
                    continue
                if header_row is not None:
                    if line == header_row:
                        candidates = [(line, cells)]
                        break
                    continue
                if any(c.strip() for c in cells):
                    candidates.append((line, cells))
                    if len(candidates) >= HEADER_SEARCH_ROWS:
                        break
        except csv.Error as exc:
            raise _quote_error(start + 1, exc) from None
    found = _pick_header(candidates, header_row)
    table.header_line, cells = found
    table.header = [c.strip() for c in cells]
    _check_width(table.header, bounds)
    table.extra["limits"] = bounds
    return table


def _pick_header(candidates: list[tuple[int, list[Any]]], header_row: int | None):
    """The header among the first non-empty rows: the row asked for, else the first with two
    or more filled cells (a title row holds one), else the first."""
    if header_row is not None:
        if not candidates:
            raise ReadError(gettext_noop("The file has no row %(n)s."), n=header_row)
        if not any(_filled(c) for c in candidates[0][1]):
            raise ReadError(
                gettext_noop("Row %(n)s is empty: choose the row that holds the column names."),
                n=header_row,
            )
        return candidates[0]
    if not candidates:
        raise ReadError(gettext_noop("The file is empty."))
    for found in candidates:
        if sum(1 for c in found[1] if _filled(c)) >= 2:
            return found
    return candidates[0]


def _filled(value: Any) -> bool:
    return value is not None and value is not UNCOMPUTED and str(value).strip() != ""


def _quote_error(line: int, exc: csv.Error) -> ReadError:
    if "unexpected end of data" in str(exc):
        return ReadError(
            gettext_noop(
                "Line %(line)s: a quote opens a value that is never closed (it runs to the end "
                "of the file). Check the quotes on that line."
            ),
            line=line,
        )
    if "expected after" in str(exc):
        return ReadError(
            gettext_noop(
                "Line %(line)s: a quote closes a value and more text follows it in the same "
                "cell. Check the quotes on that line."
            ),
            line=line,
        )
    return ReadError(
        gettext_noop("Line %(line)s cannot be read: %(error)s"), line=line, error=str(exc)
    )


def _check_width(header: list[Any], bounds: Limits) -> None:
    if len(header) > bounds.columns:
        raise ReadError(
            gettext_noop("The file has more than %(n)s columns: kamp reads at most %(n)s."),
            n=bounds.columns,
        )


def _check_csv(path: Path, encoding: str, bounds: Limits) -> None:
    """Refuse a file with a NUL character anywhere (a binary file, or text hiding one) or a
    line too long to be a spreadsheet's row, before any row is parsed: one pass over the
    bytes, a megabyte at a time."""
    nul = ReadError(gettext_noop("This is not a CSV or XLSX file."))
    too_long = ReadError(
        gettext_noop("A line of the file is longer than %(n)s characters: it is not a table."),
        n=bounds.line_chars,
    )
    if encoding.startswith("utf-16"):  # NUL bytes are part of its characters: look at text
        with open(path, encoding=encoding, newline="") as f:
            run = 0
            while chunk := f.read(CHUNK):
                if "\x00" in chunk:
                    raise nul
                run = _longest_line(chunk, "\n", run, bounds.line_chars, too_long)
        return
    with open(path, "rb") as raw:
        run = 0
        while data := raw.read(CHUNK):
            if b"\x00" in data:
                raise nul
            run = _longest_line(data, b"\n", run, bounds.line_chars, too_long)


def _longest_line(chunk: Any, newline: Any, run: int, limit: int, error: ReadError) -> int:
    """The length of the line still open at the end of ``chunk`` (``run``: the one open at its
    start); raises ``error`` when a line passes ``limit``."""
    first = chunk.find(newline)
    if first < 0:
        run += len(chunk)
        if run > limit:
            raise error
        return run
    if run + first > limit:
        raise error
    last = chunk.rfind(newline)
    # Only a chunk with lines longer than the limit on average is split (C speed either way).
    if last - first > limit and max(map(len, chunk[first:last].split(newline))) > limit:
        raise error
    run = len(chunk) - last - 1
    if run > limit:
        raise error
    return run


def _csv_rows(table: Table) -> Iterator[tuple[int, list[Any]]]:
    cap = table.extra["limits"].cell_chars if "limits" in table.extra else Limits().cell_chars
    delimiter = table.delimiter
    # A line that is a whole row of the table: what a value with a stray quote swallows.
    row_like = max(1, len(table.header) - 1)
    with open(table.path, encoding=table.encoding, newline="") as f:
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        start = reader.line_num
        try:
            for cells in reader:
                # reader.line_num counts physical lines: a quoted cell may span several.
                line = start + 1
                start = reader.line_num
                if line <= table.header_line:
                    continue
                if start > line:  # a value with line breaks (a description, a note)
                    _check_swallowed(cells, line, start, delimiter, row_like)
                joined = "".join(cells)  # one C call instead of a Python loop over the cells
                if len(joined) > cap and max(map(len, cells)) > cap:
                    raise _cell_too_long(line, cap)
                if joined and not joined.isspace():
                    yield line, cells
        except csv.Error as exc:
            raise _quote_error(start + 1, exc) from None


def _check_swallowed(cells: list[str], line: int, end: int, delimiter: str, row_like: int):
    """A quoted value may hold line breaks; one whose later lines are whole rows of the table
    (as many delimiters as the header) is a quote left open that swallowed them."""
    for cell in cells:
        if "\n" not in cell and "\r" not in cell:
            continue
        for part in cell.splitlines()[1:]:
            if part.count(delimiter) >= row_like:
                raise ReadError(
                    gettext_noop(
                        "Line %(line)s: a quote is not closed where the value ends, so the "
                        "lines up to %(end)s were read as one value. Check the quotes on line "
                        "%(line)s."
                    ),
                    line=line,
                    end=end,
                )


def _with_iso_dates(
    rows: Iterator[tuple[int, list[Any]]], dates: dict[int, str]
) -> Iterator[tuple[int, list[Any]]]:
    """Dates written as text in the order found for their column, as ``yyyy-mm-dd``: every
    kind's date parser reads that one way, whatever the file's habit."""
    columns = sorted(dates.items())
    for line, cells in rows:
        n = len(cells)
        for i, order in columns:
            if i < n and cells[i].__class__ is str and cells[i]:
                cells[i] = date_to_iso(cells[i], order)
        yield line, cells


def _without_footer(
    table: Table, rows: Iterator[tuple[int, list[Any]]]
) -> Iterator[tuple[int, list[Any]]]:
    """The rows without a report's footer: rows of known footer text ("Grand Totals (3
    records)", "Confidential Information - Do Not Distribute", a copyright) or of one filled
    cell, after the last row of data, in a table whose rows fill more than one cell. They wait
    until a row of data follows them (then they are data) or the file ends (then they are the
    footer, listed in ``extra["footer"]``, never imported)."""
    waiting: list[tuple[int, list[Any]]] = []
    wide = len(table.header) > 1
    several = False  # a data row filled more than one cell
    table.extra.pop("footer", None)
    search, starts = _FOOTER_TEXT.search, _FOOTER_START.match
    for line, cells in rows:
        first = cells[0]
        # The rows of a large file take this path: C calls only, no loop over the cells.
        if (
            first.__class__ is str
            and first
            and not first.isspace()
            and len(cells) - cells.count("") >= 2
            and not starts(first)
        ):
            if waiting:
                yield from waiting
                waiting = []
            several = True
            yield line, cells
            continue
        filled = [c for c in cells if _filled(c)]
        text = str(filled[0]).strip() if filled else ""
        if (wide and len(filled) == 1) or search(text):
            waiting.append((line, cells))
            continue
        if waiting:
            yield from waiting
            waiting = []
        several = several or len(filled) > 1
        yield line, cells
    if (
        waiting
        and not several
        and not any(
            _FOOTER_TEXT.search(str(next(c for c in cells if _filled(c))).strip())
            for _line, cells in waiting
        )
    ):
        yield from waiting  # a table of one filled cell a row: those are its rows
        return
    if waiting:
        table.extra["footer"] = [
            (line, " ".join(str(c).strip() for c in cells if _filled(c))[:200])
            for line, cells in waiting
        ]


def _cell_too_long(line: int, cap: int) -> ReadError:
    return ReadError(
        gettext_noop("Line %(line)s has a cell longer than %(n)s characters."), line=line, n=cap
    )


def _check_xlsx(path: Path, bounds: Limits) -> None:
    """Refuse an XLSX that would unpack to more than the limits (a few kilobytes may unpack to
    gigabytes), from the sizes its ZIP directory declares — reading never goes past them."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadError(gettext_noop("This XLSX file cannot be read: %(error)s"), error=str(exc))
    names = {i.filename for i in infos}
    if "mimetype" in names:
        with zipfile.ZipFile(path) as archive:
            mimetype = archive.read("mimetype")[:100]
        if b"opendocument" in mimetype:
            raise ReadError(
                gettext_noop(
                    "This is an OpenDocument spreadsheet (.ods, from LibreOffice or Google "
                    "Sheets): kamp reads Excel (.xlsx) and CSV files. Save it as “Excel 2007-365 "
                    "(.xlsx)” or CSV and upload it again."
                )
            )
    if "xl/workbook.xml" not in names:
        raise ReadError(
            gettext_noop(
                "This file is a ZIP archive but not an Excel workbook: upload an .xlsx or CSV file."
            )
        )
    total = sum(i.file_size for i in infos)
    strings = sum(i.file_size for i in infos if i.filename.lower().endswith("sharedstrings.xml"))
    # Both are true statements: the total is at least the strings.
    exceeded = (
        bounds.unpacked_bytes
        if total > bounds.unpacked_bytes
        else bounds.shared_strings_bytes
        if strings > bounds.shared_strings_bytes
        else None
    )
    if exceeded is not None:
        raise ReadError(
            gettext_noop(
                "This XLSX file unpacks to more than %(mb)s MB: split it, or save it as CSV."
            ),
            mb=max(1, exceeded // (1 << 20)),
        )


def unpacked_size(path: str | Path) -> int:
    """What an XLSX unpacks to (its ZIP directory's sizes); a CSV's size on disk."""
    path = Path(path)
    if not _is_xlsx(path):
        return path.stat().st_size
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(i.file_size for i in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return path.stat().st_size


def _load_workbook(path: Path):
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ReadError(
            gettext_noop("This XLSX file cannot be read: %(error)s"), error=str(exc)
        ) from None


def _choose_sheet(wb: Any, sheet: str | None) -> Any:
    """The sheet asked for; else the one Excel opens on (the active one) when it is visible,
    else the first visible one — never a hidden sheet of lookups that happens to come first."""
    worksheets = [ws for ws in wb.worksheets if hasattr(ws, "_worksheet_path")]
    if sheet:
        for ws in worksheets:
            if ws.title == sheet:
                return ws
        raise ReadError(
            gettext_noop("The file has no sheet “%(sheet)s” (its sheets: %(sheets)s)."),
            sheet=sheet,
            sheets=", ".join(ws.title for ws in worksheets),
        )
    visible = [ws for ws in worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    try:
        active = wb.active
    except (IndexError, AttributeError):
        active = None
    if active is not None and active in visible:
        return active
    if visible:
        return visible[0]
    if worksheets:
        return worksheets[0]
    raise ReadError(gettext_noop("The file is empty."))


def sheet_names(wb: Any) -> list[tuple[str, bool]]:
    """``(title, visible)`` of each worksheet, in the workbook's order."""
    return [
        (ws.title, getattr(ws, "sheet_state", "visible") == "visible")
        for ws in wb.worksheets
        if hasattr(ws, "_worksheet_path")
    ]


def _open_xlsx(path: Path, sheet: str | None, bounds: Limits, header_row: int | None) -> Table:
    _check_xlsx(path, bounds)
    wb = _load_workbook(path)
    try:
        ws = _choose_sheet(wb, sheet)
        candidates: list[tuple[int, list[Any]]] = []
        # The header as the sheet holds it (a merged title above it has one filled cell
        # either way); the merged ranges are read once the header passed the width check.
        for number, cells in _sheet_rows(wb, ws, bounds, header=True):
            if header_row is not None:
                if number == header_row:
                    candidates = [(number, cells)]
                    break
                if number > header_row:
                    break
                continue
            if any(_filled(c) for c in cells):
                candidates.append((number, cells))
                if len(candidates) >= HEADER_SEARCH_ROWS:
                    break
        if header_row is not None and not candidates:
            # An empty row has no XML: say so, rather than "no such row".
            raise ReadError(
                gettext_noop("Row %(n)s is empty: choose the row that holds the column names."),
                n=header_row,
            )
        number, cells = _pick_header(candidates, header_row)
        header = [("" if not _filled(c) else str(c)).strip() for c in cells]
        while header and not header[-1]:
            header.pop()
        _check_width(header, bounds)
        return Table(
            path=path,
            format="xlsx",
            header=header,
            header_line=number,
            sheet=ws.title,
            extra={
                "limits": bounds,
                "sheets": sheet_names(wb),
                "merges": _merged_ranges(wb, ws),
            },
        )
    finally:
        wb.close()


#: A formula cell without the value Excel computes and keeps beside it (files written by
#: pandas, openpyxl and other libraries that cannot compute formulas).
UNCOMPUTED = type("Uncomputed", (), {"__repr__": lambda self: "<formula without a value>"})()


def _xlsx_rows(table: Table, strict: bool = True) -> Iterator[tuple[int, list[Any]]]:
    bounds = table.extra.get("limits") or limits()
    cap = bounds.cell_chars
    needed = table.extra.get("columns")
    wb = _load_workbook(table.path)
    try:
        ws = _choose_sheet(wb, table.sheet or None)
        width = len(table.header)
        merges = table.extra.get("merges")
        if merges is None:
            merges = _merged_ranges(wb, ws)
        rows = _filled_merges(_sheet_rows(wb, ws, bounds, width=width), merges)
        for number, cells in rows:
            if number <= table.header_line:
                continue
            row = ["" if c is None else c for c in cells[:width]]
            for i, c in enumerate(row):
                if c is UNCOMPUTED:
                    if strict and (needed is None or i in needed):
                        raise ReadError(
                            gettext_noop(
                                "Row %(row)s, column “%(column)s”: formula without a computed "
                                "value: open and save the file in Excel (the program that wrote "
                                "it kept the formula but not its result)."
                            ),
                            row=number,
                            column=table.header[i] or _column_letter(i + 1),
                        )
                    row[i] = ""
            if any(c != "" and not (isinstance(c, str) and not c.strip()) for c in row):
                for c in row:
                    if c.__class__ is str and len(c) > cap:
                        raise _cell_too_long(number, cap)
                yield number, row
    finally:
        wb.close()


def _column_letter(n: int) -> str:
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)\"")


def _column_number(letters: bytes) -> int:
    n = 0
    for b in letters:
        n = n * 26 + b - 64
    return n


def _merged_ranges(wb: Any, ws: Any) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges as ``(first row, first column, last row, last column)``. The
    read-only reader ignores them; they come after the rows in the XML, so the raw bytes are
    scanned for them, a megabyte at a time (C speed, bounded memory)."""
    found: list[tuple[int, int, int, int]] = []
    tail = b""
    with wb._archive.open(ws._worksheet_path) as source:
        while data := source.read(CHUNK):
            data = tail + data
            cut = data.rfind(b"<")
            complete, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
            for m in _MERGE.finditer(complete):
                r1, r2 = int(m.group(2)), int(m.group(4))
                c1, c2 = _column_number(m.group(1)), _column_number(m.group(3))
                if r2 > r1 or c2 > c1:
                    found.append((r1, c1, r2, c2))
        for m in _MERGE.finditer(tail):
            r1, r2 = int(m.group(2)), int(m.group(4))
            c1, c2 = _column_number(m.group(1)), _column_number(m.group(3))
            if r2 > r1 or c2 > c1:
                found.append((r1, c1, r2, c2))
    return sorted(found)


def _filled_merges(
    rows: Iterator[tuple[int, list[Any]]], merges: list[tuple[int, int, int, int]]
) -> Iterator[tuple[int, list[Any]]]:
    """Every cell of a merged range holds its first cell's value: a customer merged over the
    three rows of its sales is the customer of each row (Excel shows it so; the file keeps it
    in the first cell only)."""
    if not merges:
        yield from rows
        return
    pending = list(reversed(merges))  # by first row, the next one last
    active: list[tuple[int, int, int, int, Any]] = []
    for number, cells in rows:
        while pending and pending[-1][0] <= number:
            r1, c1, r2, c2 = pending.pop()
            if r1 == number and c1 <= len(cells):
                active.append((r1, c1, r2, c2, cells[c1 - 1]))
            elif r1 < number:
                active.append((r1, c1, r2, c2, None))  # its first row was empty
        if active:
            active = [m for m in active if m[2] >= number]
            for _r1, c1, _r2, c2, value in active:
                if value is None:
                    continue
                if len(cells) < c2:
                    cells = cells + [None] * (c2 - len(cells))
                for c in range(c1, c2 + 1):
                    if cells[c - 1] is None:
                        cells[c - 1] = value
        yield number, cells


def _sheet_rows(
    wb: Any, ws: Any, bounds: Limits, *, header: bool = False, width: int | None = None
) -> Iterator[tuple[int, list[Any]]]:
    """The rows of a read-only sheet as they are in its XML: ``(row number, values)``, the
    values up to the last cell of the row (or ``width``). openpyxl's own ``iter_rows`` trusts the
    sheet's ``<dimension>`` (a sheet that declares two rows and holds millions is read as two)
    and builds each whole row before handing it over (a row of a million cells costs
    gigabytes); here rows come as the XML holds them and a row is cut at ``width`` — or refused
    past ``bounds.columns`` for the header — while it is read. openpyxl still turns each cell
    into a value (shared strings, dates by the cell's style, booleans)."""
    from openpyxl.worksheet._reader import (
        CELL_TAG,
        DATA_TAG,
        FORMULA_TAG,
        ROW_TAG,
        VALUE_TAG,
        WorkSheetParser,
    )
    from openpyxl.xml.functions import iterparse

    limit = width if width is not None else bounds.columns
    with wb._archive.open(ws._worksheet_path) as source:
        parser = WorkSheetParser(
            source,
            ws._shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        data = None
        number = 0
        values: dict[int, Any] = {}
        for event, element in iterparse(source, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == DATA_TAG:
                    data = element
                continue
            if tag == CELL_TAG:
                cell = parser.parse_cell(element)
                if (
                    cell["value"] is None
                    and element.find(FORMULA_TAG) is not None
                    and not element.findtext(VALUE_TAG)
                ):
                    cell["value"] = UNCOMPUTED
                element.clear()
                column = cell["column"]
                if column > limit:
                    if header and column > bounds.columns:
                        raise ReadError(
                            gettext_noop(
                                "The file has more than %(n)s columns: kamp reads at most %(n)s."
                            ),
                            n=bounds.columns,
                        )
                    continue
                if cell["value"] is not None:
                    values[column] = cell["value"]
            elif tag == ROW_TAG:
                r = element.get("r")
                try:
                    number = int(float(r)) if r else number + 1
                except ValueError:
                    raise ReadError(
                        gettext_noop("This XLSX file cannot be read: %(error)s"),
                        error=f"row {r!r}",
                    ) from None
                parser.col_counter = 0
                parser.row_counter = number
                element.clear()
                if data is not None:
                    data.clear()  # the rows read so far would stay in the tree otherwise
                if values:
                    cells = [None] * max(values)
                    for column, value in values.items():
                        cells[column - 1] = value
                    values = {}
                    yield number, cells
