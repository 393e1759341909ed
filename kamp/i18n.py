"""Compile every .po catalogue of kamp to .mo with polib, so a fresh machine needs no GNU gettext.

Run by ``make`` (``python -m kamp.i18n``); catalogues live in ``kamp/<app>/locale`` and
``kamp/locale``."""

from pathlib import Path

import polib


def compile_all(root: Path | None = None) -> int:
    root = root or Path(__file__).parent
    count = 0
    for po_path in root.glob("**/locale/*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        count += 1
    return count


if __name__ == "__main__":
    print(f"compiled {compile_all()} message catalogue(s)")
