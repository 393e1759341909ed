"""Reading numbers out of a query string: what a person typed or a link carried, never trusted.

``"²".isdigit()`` is true and ``int("²")`` fails; ``"99999999999999999999"`` is all digits and
too large for the database (SQLite raises ``OverflowError`` on it). These helpers give
``None`` for anything that is not an id or a year kamp can look up, so a filter is ignored
rather than answering 500."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

# The largest value of a 64-bit signed column (ids, and every integer filter).
MAX_ID = 2**63 - 1


def int_param(value: object, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """``value`` as an int between ``minimum`` and ``maximum`` (ASCII digits, an optional
    leading minus when ``minimum`` allows it), else ``None``."""
    text = str(value or "").strip()
    digits = text[1:] if text.startswith("-") else text
    if not digits or not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def year_param(value: object) -> int | None:
    """A year from a query string: ``None`` when empty; a 400 with a message when it is not a
    year between 1 and 9999 (a date cannot hold it, so no filter could use it)."""
    text = str(value or "").strip()
    if not text:
        return None
    year = int_param(text, minimum=1, maximum=9999)
    if year is None:
        raise BadRequest(_("“%(value)s” is not a year.") % {"value": text[:20]})
    return year
