"""Form fields are drawn by Django's Jinja2 form templates (kamp.core.formrenderer): the same
markup as Django's own templates, and the admin's widgets, which exist only for Django's
template language, still drawn."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.urls import reverse
from django.utils import translation

from kamp.core.formrenderer import FormRenderer
from kamp.core.widgets import DateInput


class Everything(forms.Form):
    name = forms.CharField(max_length=20, help_text="Shown <b>escaped</b>")
    amount = forms.DecimalField(localize=True, required=False)
    when = forms.DateField(widget=DateInput)
    kind = forms.ChoiceField(choices=[("a", "A & B"), ("b", "O'Higgins")])
    many = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple
    )
    one = forms.ChoiceField(choices=[("p", "P"), ("q", "Q")], widget=forms.RadioSelect)
    note = forms.CharField(widget=forms.Textarea, required=False)
    agree = forms.BooleanField(required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)


def _same_markup(text: str) -> str:
    # The two sets of templates differ only in whitespace between tags and in how an
    # apostrophe is written (&#x27; or &#39;): what a browser reads is the same.
    return re.sub(r"\s+", " ", html.unescape(text)).replace("> <", "><").strip()


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("bound", [False, True])
def test_the_same_markup_as_djangos_own_templates(language, bound):
    data = {"name": "x" * 30, "amount": "1234,5" if language == "es" else "1234.5", "when": "no"}
    data |= {"kind": "b", "many": ["x", "y"], "one": "q", "note": "<script>", "agree": "on"}
    with translation.override(language):
        drawn = {}
        for name, renderer in (("jinja2", FormRenderer()), ("django", DjangoTemplates())):
            form = Everything(
                data if bound else None, renderer=renderer, initial={"amount": Decimal("1234.5")}
            )
            if bound:
                form.is_valid()
            drawn[name] = str(form)
    assert _same_markup(drawn["jinja2"]) == _same_markup(drawn["django"])
    assert "<script>" not in drawn["jinja2"]  # the value typed is escaped
    if bound:  # the errors are shown beside the fields
        assert 'class="errorlist"' in drawn["jinja2"]


def test_every_page_form_uses_it():
    assert isinstance(Everything().renderer, FormRenderer)


def test_the_admins_own_widgets_are_still_drawn(admin, client, account):
    client.force_login(admin)
    page = client.get(reverse("admin:customers_customer_change", args=[account.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    # the raw-id lookup of the owner: a widget whose template exists only for Django's language
    assert "vForeignKeyRawIdAdminField" in text and "related-lookup" in text
    assert account.name in text
