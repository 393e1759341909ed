"""Every delete asks first, the same way everywhere: its form (or its button) carries
``hx-confirm`` with a translated question — htmx asks before the forms it sends, and
``kamp/static/kamp/confirm.js`` before ordinary ones — or it leads to a confirmation page
(``confirm_*.html``, for deletes with consequences worth listing)."""

from __future__ import annotations

import re
from pathlib import Path

import kamp

TEMPLATES = sorted(Path(kamp.__file__).parent.glob("**/templates/**/*.html"))
FORM = re.compile(r"<form\b.*?</form>", re.S)
DESTROYS = re.compile(r"_delete\b|:delete\b|_remove\b|value=\"delete\"|value=\"remove\"")
QUESTION = re.compile(r"hx-confirm=\"\{% (translate|blocktranslate)")


def _destructive_forms():
    for path in TEMPLATES:
        if path.name.startswith("confirm_"):
            continue  # the confirmation page itself: reading it is the asking
        for form in FORM.findall(path.read_text(encoding="utf-8")):
            action = re.search(r"<form\b[^>]*>", form, re.S)
            assert action is not None
            if DESTROYS.search(form):
                yield path.relative_to(Path(kamp.__file__).parent), form


def test_the_scan_finds_the_deletes():
    found = {str(p) for p, _f in _destructive_forms()}
    # The spend estimate's delete (once deleted on one click) and the plan items' are among them.
    assert "economics/templates/economics/customer_tab.html" in found
    assert any("plans/templates/plans/" in p for p in found)
    assert len(found) >= 8


def test_every_delete_asks_a_translated_question_first():
    unasked = [
        f"{path}: {form[:160]}" for path, form in _destructive_forms() if not QUESTION.search(form)
    ]
    assert not unasked, "deletes without a confirmation:\n" + "\n".join(unasked)


def test_the_question_is_asked_for_ordinary_forms_too():
    """Without hx-post, htmx does not read hx-confirm: the page loads confirm.js, which does."""
    base = (Path(kamp.__file__).parent / "templates" / "base.html").read_text(encoding="utf-8")
    assert "kamp/confirm.js" in base
    script = (Path(kamp.__file__).parent / "static" / "kamp" / "confirm.js").read_text()
    assert "window.confirm" in script and "hx-confirm" in script
