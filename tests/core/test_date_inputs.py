"""Every date picker keeps its value in Spanish: ``<input type="date">`` takes ISO dates only,
so a localized value (``04-12-2026``) would show an empty field and a required date would be
lost on the next save."""

from __future__ import annotations

import datetime
import pathlib
import re

from django import forms
from django.utils import translation

from kamp.core.widgets import DateInput

KAMP = pathlib.Path(__file__).resolve().parents[2] / "kamp"


def test_the_date_picker_sends_iso_dates_in_spanish():
    class F(forms.Form):
        on = forms.DateField(widget=DateInput())

    with translation.override("es"):
        html = str(F(initial={"on": datetime.date(2026, 12, 4)})["on"])
    assert 'type="date"' in html
    assert 'value="2026-12-04"' in html


def test_no_form_builds_its_own_date_picker():
    """A date input declared by hand forgets the ISO format; every form uses the shared one."""
    offenders = []
    for path in KAMP.rglob("*.py"):
        if "migrations" in path.parts or path.name == "widgets.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"forms\.DateInput\(|class \w+\(forms\.DateInput\)", text):
            offenders.append(str(path.relative_to(KAMP)))
    assert offenders == []
