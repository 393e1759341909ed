"""Which encoding a text file in another script is written in — pure (no Django, no kamp
module): the CSV reader (kamp.core.imports.readers) and the calendar reader
(kamp.interactions.ics) ask it once a file is not UTF-8, before their own rules for Latin text
(Excel's cp1252 and Mac Roman, older Outlook's cp1252 / Latin-1)."""

from __future__ import annotations

import unicodedata

#: Unicode blocks of the Latin family: text in these is left to the
#: caller's own rule for Latin encodings.
LATIN_BLOCKS = frozenset(
    {
        "Basic Latin",
        "Control character",
        "Latin-1 Supplement",
        "Latin Extended-A",
        "Latin Extended-B",
        "Latin Extended Additional",
        "General Punctuation",
        "Currency Symbols",
        "Letterlike Symbols",
        "Spacing Modifier Letters",
    }
)


def other_script(sample: bytes) -> str | None:
    """The encoding of a file written in another script (Cyrillic windows-1251, Greek,
    Japanese Shift-JIS, …), as a maintained detector (charset-normalizer) reads it; ``None`` for
    Latin text. Among the single-byte Latin encodings the detector's guess is no better than a
    coin (Spanish cp1252 comes back as Central European cp1250, whose ``ñ`` is ``ń``), so for
    those kamp's own rule decides: Excel in Spanish-speaking countries writes cp1252, Excel
    for Mac Mac Roman."""
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None or set(best.alphabets) <= LATIN_BLOCKS:
        return None
    # A guess is taken only when the text it gives is words of that script: most characters
    # past ASCII are letters beyond the Latin blocks. One stray byte (a Latin-1 ``\x81``) is
    # read as a Japanese punctuation mark by the detector, and is no reason to leave Latin.
    beyond = [ch for ch in str(best) if ord(ch) > 0x7F]
    letters = [ch for ch in beyond if ord(ch) > 0x24F and unicodedata.category(ch)[0] == "L"]
    if len(letters) < 4 or len(letters) < 0.8 * len(beyond):
        return None
    return best.encoding
