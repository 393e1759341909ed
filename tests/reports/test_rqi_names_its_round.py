"""The RQI names its round the way the Relationship tab does (the day it opened) and says its n
— how many of our team and of the customer answered — beside the figure on every surface: the
Summary card, the API, ``kamp pnl --json``, the PDF one-pager, the QBR deck and the Excel export,
in English and in Spanish (docs/figures.md, "RQI")."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from openpyxl import load_workbook
from pptx import Presentation

from kamp.core.demo import load
from kamp.core.formatting import format_date
from kamp.economics import figures
from kamp.plans.models import AccountPlan
from kamp.relationships import results
from kamp.reports import deck, pdf, plan_data

pytestmark = pytest.mark.django_db


def _pdf_text(report) -> str:
    document = pdf.plan_document(report)
    out = []

    def walk(box):
        text = getattr(box, "text", None)
        if text:
            out.append(text)
        for child in getattr(box, "children", []):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return re.sub(r"\s+", " ", " ".join(out))


def _deck_rows(report) -> dict[str, str]:
    prs = Presentation(io.BytesIO(deck.plan_deck(report)))
    rows = {}
    for shape in (sh for slide in prs.slides for sh in slide.shapes):
        if shape.has_table:
            for row in shape.table.rows:
                cells = [c.text for c in row.cells]
                rows[cells[0]] = cells[1]
    return rows


def test_the_rqi_names_its_round_and_its_n_on_every_surface(client_for):
    ctx = load(
        modules=["kamp.team.demo", "kamp.economics.demo", "kamp.relationships.demo"],
        log=lambda *_: None,
        today=timezone.localdate(),
    )
    cs, ana = ctx.customers["cs"], ctx.users["ana"]
    (rnd, *_older) = results.latest_scored_rounds([cs.pk])[cs.pk]
    # The demo's CS round closed with both sides answering: n is not a placeholder.
    assert rnd.team_answered >= 3 and rnd.customer_answered >= 2
    n = {"team": rnd.team_answered, "customer": rnd.customer_answered}
    plan = AccountPlan.objects.filter(customer=cs).first()
    if plan is None:
        from tests.plans.factories import PlanFactory

        plan = PlanFactory(customer=cs)
    client = client_for(ana)

    body = client.get(f"/api/v1/economics/customers/{cs.pk}/figures").json()
    assert body["rqi"]["answers"] == n
    assert body["rqi"]["period"] == rnd.opened_on.isoformat()
    # Only a survey figure has an n.
    assert "answers" not in body["revenue"] or body["revenue"]["answers"] is None

    out = io.StringIO()
    year = str(timezone.localdate().year)
    call_command("pnl", "--period", year, "--customer", str(cs.pk), "--json", stdout=out)
    row = json.loads(out.getvalue())[0]
    assert row["figures"]["rqi"]["answers"] == n
    assert row["figures"]["rqi"]["period"] == rnd.opened_on.isoformat()

    for lang, said in (
        ("en", f"(answers: {n['team']} ours, {n['customer']} the customer's)"),
        ("es", f"(respuestas: {n['team']} nuestras, {n['customer']} del cliente)"),
    ):
        ana.language = lang
        ana.save(update_fields=["language"])
        client.cookies["django_language"] = lang
        with translation.override(lang):
            period = figures.account_figures(cs, keys=("rqi",))["rqi"].period
            day = format_date(rnd.opened_on)
            assert day in period and said in period, period
            summary = client.get(reverse("customers:detail", args=[cs.pk])).content.decode()
            assert escape(period) in summary, lang
            # The Relationship tab names the same round by the same day.
            tab = client.get(reverse("relationships:customer_tab", args=[cs.pk])).content.decode()
            counted = "Latest counted round" if lang == "en" else "Última ronda contabilizada"
            assert f"{counted}: {day}." in tab, lang
            report = plan_data.gather(ana, plan)
            assert period in _pdf_text(report), lang
            label = f"{figures.LABELS['rqi']} · {period}"
            assert label in _deck_rows(report), lang
            r = client.get(reverse("economics:customer_export", args=[cs.pk]))
            ws = load_workbook(io.BytesIO(r.content)).active
            cells = {str(x[0].value): x for x in ws.iter_rows() if x[0].value}
            assert cells[str(figures.LABELS["rqi"])][2].value == period, lang
