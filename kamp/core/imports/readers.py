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
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHUNK = 1 << 20
DELIMITERS = [";", ",", "\t", "|"]


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

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """Data rows after the header, skipping wholly empty ones; numbers are the line (CSV)
        or row (XLSX) a person sees in their editor."""
        if self.format == "xlsx":
            yield from _xlsx_rows(self)
        else:
            yield from _csv_rows(self)

    def preview(self, n: int = 5) -> list[list[Any]]:
        out = []
        for _line, cells in self.rows():
            out.append(cells)
            if len(out) >= n:
                break
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
    characters), or ``latin-1`` for the few bytes cp1252 leaves undefined."""
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
        cp1252 = codecs.getincrementaldecoder("cp1252")()
        try:
            while chunk := f.read(CHUNK):
                cp1252.decode(chunk)
            return "cp1252"
        except UnicodeDecodeError:
            return "latin-1"


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the first lines into the same, largest number of columns."""
    lines = [ln for ln in sample.splitlines()[:20] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", (0, 0)
    for d in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=d)]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        consistent = sum(1 for c in counts if c == counts[0])
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = d, score
    return best


def _is_xlsx(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def open_table(
    path: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Table:
    path = Path(path)
    bounds = limits()
    if _is_xlsx(path):
        return _open_xlsx(path, sheet, bounds)
    encoding = encoding or detect_encoding(path)
    _check_csv(path, encoding, bounds)
    with open(path, encoding=encoding, newline="") as f:
        sample = f.read(64 * 1024)
    delimiter = delimiter or sniff_delimiter(sample)
    table = Table(path=path, format="csv", header=[], encoding=encoding, delimiter=delimiter)
    with open(path, encoding=encoding, newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        try:
            for cells in reader:
                if any(c.strip() for c in cells):
                    table.header = [c.strip() for c in cells]
                    table.header_line = reader.line_num
                    break
        except csv.Error as exc:
            raise ReadError(
                gettext_noop("Line %(line)s cannot be read: %(error)s"),
                line=reader.line_num,
                error=str(exc),
            ) from None
    if not table.header:
        raise ReadError(gettext_noop("The file is empty."))
    _check_width(table.header, bounds)
    table.extra["limits"] = bounds
    return table


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
    with open(table.path, encoding=table.encoding, newline="") as f:
        reader = csv.reader(f, delimiter=table.delimiter)
        start = reader.line_num
        try:
            for cells in reader:
                # reader.line_num counts physical lines: a quoted cell may span several.
                line = start + 1
                start = reader.line_num
                if line <= table.header_line:
                    continue
                joined = "".join(cells)  # one C call instead of a Python loop over the cells
                if len(joined) > cap and max(map(len, cells)) > cap:
                    raise _cell_too_long(line, cap)
                if joined and not joined.isspace():
                    yield line, cells
        except csv.Error as exc:
            raise ReadError(
                gettext_noop("Line %(line)s cannot be read: %(error)s"),
                line=start + 1,
                error=str(exc),
            ) from None


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


def _open_xlsx(path: Path, sheet: str | None, bounds: Limits) -> Table:
    _check_xlsx(path, bounds)
    wb = _load_workbook(path)
    try:
        try:
            ws = wb[sheet] if sheet else wb.worksheets[0]
        except (KeyError, IndexError):
            raise ReadError(gettext_noop("The file is empty.")) from None
        for number, cells in _sheet_rows(wb, ws, bounds, header=True):
            if any(c is not None and str(c).strip() for c in cells):
                header = [("" if c is None else str(c)).strip() for c in cells]
                while header and not header[-1]:
                    header.pop()
                _check_width(header, bounds)
                return Table(
                    path=path,
                    format="xlsx",
                    header=header,
                    header_line=number,
                    sheet=ws.title,
                    extra={"limits": bounds},
                )
    finally:
        wb.close()
    raise ReadError(gettext_noop("The file is empty."))


def _xlsx_rows(table: Table) -> Iterator[tuple[int, list[Any]]]:
    bounds = table.extra.get("limits") or limits()
    cap = bounds.cell_chars
    wb = _load_workbook(table.path)
    try:
        ws = wb[table.sheet] if table.sheet else wb.worksheets[0]
        width = len(table.header)
        for number, cells in _sheet_rows(wb, ws, bounds, width=width):
            if number <= table.header_line:
                continue
            row = ["" if c is None else c for c in cells[:width]]
            if any(c != "" and not (isinstance(c, str) and not c.strip()) for c in row):
                for c in row:
                    if c.__class__ is str and len(c) > cap:
                        raise _cell_too_long(number, cap)
                yield number, row
    finally:
        wb.close()


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
    from openpyxl.worksheet._reader import CELL_TAG, DATA_TAG, ROW_TAG, WorkSheetParser
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
