"""The licence kamp is distributed under, as a packager or an operator reads it: the LICENSE
file holds the whole AGPL-3.0 text, and the installed package says the same in its metadata
(``License-Expression``, the form tools read since packaging metadata 2.4)."""

from __future__ import annotations

from importlib.metadata import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_licence_file_is_the_whole_agpl():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.lstrip().startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
    assert "Version 3, 19 November 2007" in text
    assert "END OF TERMS AND CONDITIONS" in text  # the whole text, not a notice
    assert (ROOT / "SECURITY.md").is_file()


def test_the_installed_package_declares_agpl_3_or_later():
    meta = metadata("kamp")
    assert meta["License-Expression"] == "AGPL-3.0-or-later"
    assert "LICENSE" in (meta.get_all("License-File") or [])
