"""Form widgets every app shares."""

from __future__ import annotations

from django import forms


class DateInput(forms.DateInput):
    """A browser date picker. ``<input type="date">`` only accepts ISO dates (``2026-12-04``):
    with the locale's format (``04-12-2026`` in Spanish) the browser shows an empty field and a
    required date is lost on the next save. The picker itself shows the date in the reader's
    locale, so the value is always ISO."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
