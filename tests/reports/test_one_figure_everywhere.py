"""One figure, one value, on every surface: for Constructora CS in the demo, share of wallet,
net revenue, gross margin, profit after KAM and RQI read from the customer page, the API, ``kamp pnl --json``,
the PDF one-pager's laid-out text, the QBR deck and the Excel export are equal at the precision
they are displayed with — in English and in Spanish (docs/figures.md)."""

import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from openpyxl import load_workbook
from pptx import Presentation

from kamp.core.demo import load
from kamp.economics import figures
from kamp.plans.models import AccountPlan
from kamp.reports import deck, pdf, plan_data

pytestmark = pytest.mark.django_db

KEYS = ("revenue", "margin", "profit_after_kam", "share_of_wallet", "rqi")


def number(text: str, lang: str, kind: str) -> Decimal:
    """A displayed value back to a number, with the language's separators ("CLP 1.234.567",
    "24,2 %", "3,8")."""
    raw = re.sub(r"[^\d.,\-−]", "", text).replace("−", "-")
    thousands, decimal = (".", ",") if lang == "es" else (",", ".")
    raw = raw.replace(thousands, "").replace(decimal, ".")
    value = Decimal(raw)
    return value / 100 if kind in ("ratio", "percent") else value


def page_values(client, customer, lang) -> dict[str, Decimal]:
    html = client.get(
        reverse("customers:detail", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE=lang
    ).content.decode()
    out = {}
    for key in KEYS:
        found = re.search(rf'data-figure="{key}">([^<]+)<', html)
        assert found, f"{key} not on the customer page"
        out[key] = number(found.group(1), lang, figures.KINDS[key])
    return out


# The Economics tab's P&L opens on the same 12 complete months: its lines are the figures.
TAB_LINES = {
    "revenue": "net_revenue",
    "margin": "gross_margin",
    "profit_after_kam": "profit_after_kam",
}


def tab_values(client, customer, lang) -> dict[str, Decimal]:
    html = client.get(
        reverse("economics:customer_tab", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE=lang
    ).content.decode()
    out = {}
    for key, line in TAB_LINES.items():
        found = re.search(
            rf'data-line="{line}">\s*<th[^>]*>[^<]*</th>\s*<td class="num">([^<]+)<', html
        )
        assert found, f"{line} not on the Economics tab"
        out[key] = number(found.group(1), lang, "money")
    return out


def api_values(client, customer, keys=KEYS) -> dict[str, Decimal]:
    body = client.get(f"/api/v1/economics/customers/{customer.pk}/figures").json()
    return {key: Decimal(body[key]["value"]) for key in keys}


def cli_values(customer, keys=KEYS) -> dict[str, Decimal]:
    out = io.StringIO()
    year = str(timezone.localdate().year)
    call_command("pnl", "--period", year, "--customer", str(customer.pk), "--json", stdout=out)
    row = json.loads(out.getvalue())[0]
    return {key: Decimal(row["figures"][key]["value"]) for key in keys}


def _texts(box):
    text = getattr(box, "text", None)
    if text:
        yield text
    for child in getattr(box, "children", []):
        yield from _texts(child)


def _boxes(box):
    yield box
    for child in getattr(box, "children", []):
        yield from _boxes(child)


def pdf_values(report, lang, keys=KEYS) -> dict[str, Decimal]:
    """The values as WeasyPrint laid them out in the PDF: the bold text of each figure's box."""
    out = {}
    for page in pdf.plan_document(report).pages:
        for box in _boxes(page._page_box):
            element = getattr(box, "element", None)
            if element is None or getattr(box, "element_tag", "") != "div":
                continue
            css = element.get("class") or ""
            for key in keys:
                if f"figure-{key}" in css.split() and key not in out:
                    bold = next(b for b in _boxes(box) if getattr(b, "element_tag", "") == "b")
                    out[key] = number("".join(_texts(bold)), lang, figures.KINDS[key])
    return out


def deck_values(report, lang, keys=KEYS) -> dict[str, Decimal]:
    """The quarter-in-numbers table of the QBR deck: "<figure> · <period>" beside its value."""
    prs = Presentation(io.BytesIO(deck.plan_deck(report)))
    rows = {}
    for shape in (sh for slide in prs.slides for sh in slide.shapes):
        if shape.has_table:
            for row in shape.table.rows:
                cells = [c.text for c in row.cells]
                rows[cells[0]] = cells[1]
    out = {}
    for key in keys:
        label = str(figures.LABELS[key])
        value = next(v for k, v in rows.items() if k.startswith(label + " · "))
        out[key] = number(value, lang, figures.KINDS[key])
    return out


def xlsx_values(client, customer, keys=KEYS) -> dict[str, Decimal]:
    r = client.get(reverse("economics:customer_export", args=[customer.pk]))
    ws = load_workbook(io.BytesIO(r.content)).active
    cells = {str(row[0].value): row[1].value for row in ws.iter_rows() if row[0].value}
    out = {}
    for key in keys:
        cell = cells[str(figures.LABELS[key])]
        places = {"ratio": 3, "score": 1, "percent": 2}.get(figures.KINDS[key], 0)
        out[key] = round(Decimal(str(cell)), places)
    return out


def test_cs_figures_read_the_same_on_every_surface(client_for):
    ctx = load(
        modules=["kamp.team.demo", "kamp.economics.demo", "kamp.relationships.demo"],
        log=lambda *_: None,
        today=timezone.localdate(),
    )
    cs, ana = ctx.customers["cs"], ctx.users["ana"]
    plan = AccountPlan.objects.filter(customer=cs).first()
    if plan is None:
        from tests.plans.factories import PlanFactory

        plan = PlanFactory(customer=cs)
    client = client_for(ana)
    truth = api_values(client, cs)
    # The demo's CS has all four: a test of "—" against "—" would prove nothing.
    assert all(v is not None and v != 0 for v in truth.values()), truth
    assert truth["share_of_wallet"] < 1
    assert cli_values(cs) == truth
    assert xlsx_values(client, cs) == truth
    for lang in ("en", "es"):
        ana.language = lang
        ana.save(update_fields=["language"])
        client.cookies["django_language"] = lang
        with translation.override(lang):
            assert page_values(client, cs, lang) == truth, lang
            tab = tab_values(client, cs, lang)
            assert tab == {key: truth[key] for key in TAB_LINES}, lang
            report = plan_data.gather(ana, plan)
            assert pdf_values(report, lang) == truth, lang
            assert deck_values(report, lang) == truth, lang


def test_each_definition_is_in_the_doc_and_on_the_help_page(client_for, ana):
    doc = (Path(__file__).resolve().parents[2] / "docs" / "figures.md").read_text()
    client = client_for(ana)
    html = client.get(reverse("economics:figures_help")).content.decode()
    for key, _label, _kind in figures.FIGURES:
        with translation.override("en"):
            text = str(figures.DEFINITIONS[key])
        assert f"{{#{key}}}" in doc and text in doc, key
        assert f'id="{key}"' in html and escape(text) in html, key
    ana.language = "es"
    ana.save(update_fields=["language"])
    client.cookies["django_language"] = "es"
    html = client.get(reverse("economics:figures_help"), HTTP_ACCEPT_LANGUAGE="es")
    assert "¿Cómo se calcula?" in html.content.decode()
    assert "Índice de diamante:" in html.content.decode()
    assert "Completitud del plan:" in html.content.decode()


def test_the_api_gives_no_money_figure_to_whoever_may_not_see_it(client_for, member, account):
    body = client_for(member).get(f"/api/v1/economics/customers/{account.pk}/figures").json()
    assert body["revenue"] is None and body["share_of_wallet"] is None
    assert body["profit_after_kam"] is None and "rqi" in body


@pytest.mark.parametrize("ratio", ["0.2425", "0.2435", "0.2429", "0.2420", "0.0005", "1.0000"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_share_of_wallet_reads_as_the_percent_filter_shows_it(ratio, lang):
    """The Economics tab prints the period's ratio with ``|percent``; the figure rounds first
    (to what the API gives) and must still print the same, ties included."""
    from kamp.core.templatetags.kamp import percent

    figure = figures.Figure("share_of_wallet", Decimal(ratio), "", "")
    with translation.override(lang):
        assert figure.display == percent(Decimal(ratio))


OTHER_KEYS = ("diamond_index", "plan_completeness")


def shown(html: str, key: str) -> Decimal:
    """The value a page prints in its ``data-figure`` element ("63 %" → 0.63)."""
    found = re.search(rf'data-figure="{key}">([^<]+)<', html)
    assert found, f"{key} not on the page"
    return number(found.group(1), "en", figures.KINDS[key])


def test_diamond_index_and_plan_completeness_read_the_same_on_every_surface(client_for):
    """The interaction form's diamond index and the plan's completeness come from the figures
    set too: the Interactions tab and its summary card, the plan tab and its card, the API, the
    CLI, the workbook, the PDF and the deck give one value each."""
    ctx = load(
        modules=[
            "kamp.team.demo",
            "kamp.economics.demo",
            "kamp.relationships.demo",
            "kamp.interactions.demo",
            "kamp.plans.demo",
        ],
        log=lambda *_: None,
        today=timezone.localdate(),
    )
    cs, ana = ctx.customers["cs"], ctx.users["ana"]
    client = client_for(ana)
    truth = api_values(client, cs, OTHER_KEYS)
    # The demo's CS works beside its KAM (a diamond) and has a plan filled in: "0 %" against
    # "0 %" would prove nothing.
    assert 0 < truth["diamond_index"] < 1 and 0 < truth["plan_completeness"] <= 1, truth
    assert cli_values(cs, OTHER_KEYS) == truth
    assert xlsx_values(client, cs, OTHER_KEYS) == truth

    summary = client.get(reverse("customers:detail", args=[cs.pk])).content.decode()
    tab = client.get(reverse("interactions:customer_tab", args=[cs.pk])).content.decode()
    plan_tab = client.get(reverse("plans:customer_tab", args=[cs.pk])).content.decode()
    assert shown(summary, "diamond_index") == truth["diamond_index"]
    assert shown(tab, "diamond_index") == truth["diamond_index"]
    assert shown(summary, "plan_completeness") == truth["plan_completeness"]
    assert shown(plan_tab, "plan_completeness") == truth["plan_completeness"]
    # Each states its definition's place and its period.
    assert "#diamond_index" in tab and "#plan_completeness" in plan_tab

    plan = AccountPlan.objects.get(pk=cs_plan(cs))
    assert f"plan {plan.period}" in plan_tab
    report = plan_data.gather(ana, plan)
    assert pdf_values(report, "en", OTHER_KEYS) == truth
    assert deck_values(report, "en", OTHER_KEYS) == truth


def cs_plan(customer) -> int:
    from kamp.plans import health

    return health.current_plans([customer.pk])[customer.pk]


def test_the_economics_tab_names_its_period_and_links_each_definition(client_for):
    ctx = load(
        modules=["kamp.team.demo", "kamp.economics.demo"],
        log=lambda *_: None,
        today=timezone.localdate(),
    )
    cs, ana = ctx.customers["cs"], ctx.users["ana"]
    html = client_for(ana).get(reverse("economics:customer_tab", args=[cs.pk])).content.decode()
    period = figures.account_figures(cs)["profit_after_kam"].period
    cards = html.split('class="kpis"')[1].split('id="pnl-table"')[0]
    # Profit after KAM, share of wallet and cost to serve each name the window; the CLV the
    # 12 months it holds flat.
    assert cards.count(escape(period[0].upper() + period[1:])) == 3
    assert f"from the {escape(period)}, held flat" in cards
    for key in ("profit_after_kam", "share_of_wallet"):
        assert f"/economics/help/figures/#{key}" in cards, key
    # The period asked for reaches the export link and the delete forms (it once read "CLP").
    assert "?period=12m" in html and 'name="period" value="CLP"' not in html
