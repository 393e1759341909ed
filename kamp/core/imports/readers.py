"""Streaming readers for CSV and XLSX files: a header row and then one row at a time, so a
file of a million lines never sits in memory.

:func:`open_table` picks the reader from the file's first bytes (an XLSX is a ZIP), not its name.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHUNK = 1 << 20
DELIMITERS = [";", ",", "\t", "|"]


class ReadError(Exception):
    """The file itself cannot be read (not a CSV/XLSX, no header row…)."""


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
    if _is_xlsx(path):
        return _open_xlsx(path, sheet)
    encoding = encoding or detect_encoding(path)
    with open(path, encoding=encoding, newline="") as f:
        sample = f.read(64 * 1024)
    if "\x00" in sample:
        raise ReadError("This is not a CSV or XLSX file.")
    delimiter = delimiter or sniff_delimiter(sample)
    table = Table(path=path, format="csv", header=[], encoding=encoding, delimiter=delimiter)
    with open(path, encoding=encoding, newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        for cells in reader:
            if any(c.strip() for c in cells):
                table.header = [c.strip() for c in cells]
                table.header_line = reader.line_num
                break
    if not table.header:
        raise ReadError("The file is empty.")
    return table


def _csv_rows(table: Table) -> Iterator[tuple[int, list[Any]]]:
    with open(table.path, encoding=table.encoding, newline="") as f:
        reader = csv.reader(f, delimiter=table.delimiter)
        start = reader.line_num
        for cells in reader:
            # reader.line_num counts physical lines: a quoted cell may span several.
            line = start + 1
            start = reader.line_num
            if line <= table.header_line:
                continue
            joined = "".join(cells)  # one C call instead of a Python loop over the cells
            if joined and not joined.isspace():
                yield line, cells


def _open_xlsx(path: Path, sheet: str | None) -> Table:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ReadError(f"This XLSX file cannot be read: {exc}") from None
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
        for number, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            if any(c is not None and str(c).strip() for c in cells):
                header = [("" if c is None else str(c)).strip() for c in cells]
                while header and not header[-1]:
                    header.pop()
                return Table(
                    path=path, format="xlsx", header=header, header_line=number, sheet=ws.title
                )
    finally:
        wb.close()
    raise ReadError("The file is empty.")


def _xlsx_rows(table: Table) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    wb = openpyxl.load_workbook(table.path, read_only=True, data_only=True)
    try:
        ws = wb[table.sheet] if table.sheet else wb.worksheets[0]
        width = len(table.header)
        for number, cells in enumerate(
            ws.iter_rows(min_row=table.header_line + 1, values_only=True),
            start=table.header_line + 1,
        ):
            row = ["" if c is None else c for c in cells[:width]]
            if any(c != "" and not (isinstance(c, str) and not c.strip()) for c in row):
                yield number, row
    finally:
        wb.close()
