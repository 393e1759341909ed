"""What the customer search compares (pure: no Django). People type "Clinica" for "Clínica Los
Aromos", "nunoa" for "Ñuñoa" and a RUT with or without its dots and dash: both the stored text
and the query are folded the same way — lower case (casefold), accents and the tilde stripped,
and a tax id or code also kept without its punctuation. Stored, not computed in SQL, so it is
the same on SQLite and PostgreSQL (no unaccent extension, no PostgreSQL-only type)."""

from __future__ import annotations

import re
import unicodedata

# Name, tax id, external id and region are what people search a customer by.
SEARCHED_FIELDS = ("name", "tax_id", "external_id", "region")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")
# A query made only of digits, dots, dashes, spaces and a RUT's check letter is a tax id or a
# code: it is also searched without its punctuation ("78.555.444-2" and "785554442").
_ID_LIKE = re.compile(r"^[0-9][0-9.\-\s/]*[0-9k]?$")


def fold(text: str) -> str:
    """Lower case without accents, spaces collapsed: "Clínica  ÑUÑOA" → "clinica nunoa"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip()


def compact(text: str) -> str:
    """Letters and digits only, folded: "76.123.456-K" → "76123456k"."""
    return _NOT_ALNUM.sub("", fold(text))


def search_text(name: str, tax_id: str, external_id: str, region: str) -> str:
    """The text stored with a customer: each searched value folded, the ids also compacted,
    separated by " | " so a query does not match across two values."""
    parts = [fold(name), fold(tax_id), compact(tax_id), fold(external_id), compact(external_id)]
    parts.append(fold(region))
    return " | ".join(p for p in dict.fromkeys(parts) if p)


def query_terms(query: str) -> list[str]:
    """The forms of a query to look for (any may match): the folded query, and for one that
    looks like a tax id or code, also its compact form."""
    folded = fold(query)
    if not folded:
        return []
    terms = [folded]
    squeezed = compact(query)
    if squeezed and squeezed != folded and _ID_LIKE.match(folded):
        terms.append(squeezed)
    return terms
