"""Both editions of the QBR deck and the PDF one-pager for every demo account with a plan, in
both languages: the customer edition holds no internal field (``kamp.reports.editions``) in any
format — slides, speaker notes, charts' data and their embedded workbooks, the PDF's HTML — and
every deck renders cleanly in LibreOffice: one page per slide, no placeholder text, no text
running past its shape or the page.

The rendering test needs LibreOffice (Debian: libreoffice-impress, poppler-utils); it skips
without it unless KAMP_REQUIRE_LIBREOFFICE=1 (.ci/run)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
from django.apps import apps
from django.db import transaction
from django.utils import timezone, translation
from openpyxl import load_workbook
from pptx import Presentation
from pptx.util import Emu, Pt

from kamp.core.money import format_amount
from kamp.reports import deck, editions, pdf, plan_data

# The databases are made for the tests marked so; each test reads only the files made once by
# the module's fixture (its data rolled back).
pytestmark = pytest.mark.django_db

LANGS = ("en", "es")
PLACEHOLDER = re.compile(
    r"Click to|Haga clic|Lorem|%\(|\{\{|\{%|(?-i:\bNone\b|\bnan\b)|Title \d|Subtitle", re.I
)


def pptx_texts(content: bytes) -> list[dict]:
    """Per slide: its shapes' text, its notes, and every chart's categories, series names,
    values and embedded workbook cells."""
    prs = Presentation(io.BytesIO(content))
    out = []
    for slide in prs.slides:
        parts, charts = [], []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts.extend(c.text for row in shape.table.rows for c in row.cells)
            if shape.has_chart:
                chart = shape.chart
                for plot in chart.plots:
                    charts.extend(str(c) for c in plot.categories)
                    for s in plot.series:
                        charts.append(str(s.name))
                        charts.extend(repr(v) for v in s.values)
                if chart.part.chart_workbook.xlsx_part is not None:
                    charts.append(_workbook(chart))
                charts.extend(_xml_text(chart.part.blob))
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        out.append({"text": "\n".join(parts), "notes": notes, "charts": "\n".join(charts)})
    return out


def _workbook(chart) -> str:
    wb = load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))
    return "\n".join(
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
    )


def _xml_text(blob: bytes) -> list[str]:
    return re.findall(r"<(?:a:t|c:v)>([^<]*)</", blob.decode("utf-8"))


def _html_text(html: str) -> str:
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _customer_values(model, field: str, customer, rows: dict) -> list[str]:
    names = {f.name for f in model._meta.get_fields()}
    if model._meta.model_name == "customer":
        qs = model.objects.filter(pk=customer.pk)
    elif "customer" in names:
        qs = model.objects.filter(customer=customer)
    else:
        qs = model.objects.filter(plan__customer=customer)
    qs = qs.filter(**rows)
    f = model._meta.get_field(field)
    values = []
    for value in qs.values_list(field, flat=True):
        if f.choices:
            values.append(str(dict(f.choices).get(value, value)))
        elif value:
            text = " ".join(str(value).split())
            values.append(text[:30])
    return [v for v in values if len(v) >= 4]


def internal_values(customer, plan) -> list[str]:
    """Every internal field's values for ``customer``, the internal labels and the account's
    money, as they would be written in the active language."""
    found = []
    for app_label, model_name, field, rows in editions.INTERNAL_FIELDS:
        model = apps.get_model(app_label, model_name)
        found += _customer_values(model, field, customer, rows)
    found += [str(label) for label in editions.INTERNAL_LABELS]
    econ = plan_data.economics_for(plan)
    if econ.available:
        for line in plan_data.PNL_LINES:
            amount = econ.current[line]
            if abs(amount) >= 10_000:
                found.append(format_amount(amount, econ.currency))
                found.append(str(int(amount)))
    from kamp.economics import figures

    for key, f in figures.account_figures(customer, money=True).items():
        if key in figures.MONEY_KEYS and f.value:
            found.append(f.display)
    return sorted(set(found))


@pytest.fixture(scope="module")
def demo_exports(django_db_setup, django_db_blocker, tmp_path_factory):
    """Every demo plan's deck and one-pager, both editions, both languages: made once, inside a
    transaction rolled back afterwards."""
    from kamp.core.demo import load
    from kamp.plans.models import AccountPlan

    out_dir = tmp_path_factory.mktemp("decks")
    made = []
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = load(log=lambda *_: None, today=timezone.localdate())
        ana = ctx.users["ana"]
        director = next(u for u in ctx.users.values() if u.manages_programme)
        plans = list(AccountPlan.objects.select_related("customer").order_by("customer__name"))
        latest = {}
        for p in plans:
            if p.customer_id not in latest or p.period > latest[p.customer_id].period:
                latest[p.customer_id] = p
        for plan in latest.values():
            user = ana if plan.customer.owner_id == ana.pk else director
            for lang in LANGS:
                with translation.override(lang):
                    secret = internal_values(plan.customer, plan)
                    for edition in editions.EDITIONS:
                        report = plan_data.gather(user, plan, edition=edition)
                        content = deck.plan_deck(report)
                        name = f"{plan.customer.pk}-{lang}-{edition}"
                        path = out_dir / f"{name}.pptx"
                        path.write_bytes(content)
                        made.append(
                            {
                                "name": name,
                                "customer": plan.customer.name,
                                "lang": lang,
                                "edition": edition,
                                "pptx": path,
                                "html": pdf.plan_html(report),
                                "pdf_pages": len(pdf.plan_document(report).pages),
                                "secret": secret,
                                "money": report.sees_money,
                            }
                        )
        transaction.set_rollback(True)
    assert len({m["customer"] for m in made}) >= 3, "the demo has plans for several accounts"
    return made


def test_every_demo_deck_is_made_in_both_editions_and_languages(demo_exports):
    for m in demo_exports:
        slides = pptx_texts(m["pptx"].read_bytes())
        assert m["customer"] in slides[0]["text"], m["name"]
        assert all(s["notes"].strip() for s in slides), f"{m['name']}: a slide without notes"
        assert m["pdf_pages"] == 1, f"{m['name']}: the one-pager is one page"
        whole = "\n".join(s["text"] + s["notes"] for s in slides)
        assert not PLACEHOLDER.search(whole), (m["name"], PLACEHOLDER.search(whole))
        assert not PLACEHOLDER.search(_html_text(m["html"])), m["name"]
        if m["lang"] == "es":
            assert "Revisión trimestral de negocios" in slides[0]["text"]
        else:
            assert "Quarterly business review" in slides[0]["text"]


def test_the_customer_edition_holds_no_internal_field_in_any_format(demo_exports):
    checked = 0
    for m in demo_exports:
        if m["edition"] != editions.CUSTOMER:
            continue
        slides = pptx_texts(m["pptx"].read_bytes())
        formats = {
            "slides": "\n".join(s["text"] for s in slides),
            "notes": "\n".join(s["notes"] for s in slides),
            "charts": "\n".join(s["charts"] for s in slides),
            "pdf": _html_text(m["html"]),
        }
        for where, text in formats.items():
            flat = " ".join(text.split())
            leaked = [v for v in m["secret"] if v in flat]
            assert not leaked, f"{m['name']} ({where}) shows internal values: {leaked}"
        checked += 1
        assert len(m["secret"]) > 20  # the check has something to find
    assert checked >= 6


def test_the_internal_edition_has_what_the_customer_edition_leaves_out(demo_exports):
    """The same check finds the internal fields in the internal edition: it would catch a leak."""
    for m in demo_exports:
        if m["edition"] != editions.INTERNAL or m["lang"] != "en":
            continue
        text = " ".join(
            " ".join(
                s["text"] + " " + s["notes"] for s in pptx_texts(m["pptx"].read_bytes())
            ).split()
        )
        assert [v for v in m["secret"] if v in text], m["name"]
        if m["money"]:
            assert "Profit after KAM" in text


# --- text inside its shapes ----------------------------------------------------------------


def _overflowing(content: bytes) -> list[str]:
    """Text boxes whose text needs more height than the box has, by the deck's own measure
    (font size × lines at its width), and shapes past the slide's edges."""
    prs = Presentation(io.BytesIO(content))
    bad = []
    for n, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            if shape.left + shape.width > prs.slide_width + Emu(10) or (
                shape.top + shape.height > prs.slide_height + Emu(10)
            ):
                bad.append(f"slide {n}: {shape.name} runs past the slide")
            if not shape.has_text_frame or not shape.text_frame.text.strip():
                continue
            paragraphs = shape.text_frame.paragraphs
            size = max((p.font.size or Pt(18)) for p in paragraphs) / Pt(1)
            need = deck.text_height([p.text for p in paragraphs], size, shape.width)
            if need > shape.height * 1.02:
                bad.append(f"slide {n}: '{shape.text_frame.text[:40]}' needs {need}")
    return bad


def test_no_text_box_overflows_its_shape(demo_exports):
    for m in demo_exports:
        assert _overflowing(m["pptx"].read_bytes()) == [], m["name"]


LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")


def _need_libreoffice():
    if LIBREOFFICE and shutil.which("pdftotext") and shutil.which("pdfinfo"):
        return
    if os.environ.get("KAMP_REQUIRE_LIBREOFFICE") == "1":
        pytest.fail("KAMP_REQUIRE_LIBREOFFICE=1 but LibreOffice or poppler-utils is missing")
    pytest.skip("needs LibreOffice and poppler-utils (Debian: libreoffice-impress poppler-utils)")


def _words(pdf_path: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words with their boxes, in points (pdftotext -bbox)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        words = [
            (float(a), float(b), float(c), float(d), unescape(w))
            for a, b, c, d, w in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<',
                page,
            )
        ]
        pages.append(words)
    return pages


def test_every_deck_renders_in_libreoffice(demo_exports, tmp_path):
    _need_libreoffice()
    files = [m["pptx"] for m in demo_exports]
    # One LibreOffice run converts every deck (a private profile: no clash with a running one).
    subprocess.run(
        [
            LIBREOFFICE,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    width, height = 13.333 * 72, 7.5 * 72
    footer = deck.FOOTER_TOP / Emu(12700)  # points
    for m in demo_exports:
        pdf_path = tmp_path / f"{m['name']}.pdf"
        assert pdf_path.exists(), m["name"]
        info = subprocess.run(
            ["pdfinfo", str(pdf_path)], capture_output=True, text=True, check=True
        ).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        slides = len(Presentation(str(m["pptx"])).slides)
        assert pages == slides, m["name"]
        for n, words in enumerate(_words(pdf_path), start=1):
            text = " ".join(w[4] for w in words)
            assert not PLACEHOLDER.search(text), (m["name"], n, text[:200])
            for x0, y0, x1, y1, w in words:
                assert x0 >= 0 and y0 >= 0 and x1 <= width + 1 and y1 <= height + 1, (
                    f"{m['name']} slide {n}: '{w}' runs off the page"
                )
                # Nothing straddles the footer's rule: a body text running down into it.
                assert not (y0 < footer - 1 < y1), f"{m['name']} slide {n}: '{w}' hits the footer"


def test_money_labels_are_localized_in_the_spanish_deck(demo_exports):
    for m in demo_exports:
        if m["lang"] == "es" and m["edition"] == editions.INTERNAL and m["money"]:
            text = "\n".join(s["text"] for s in pptx_texts(m["pptx"].read_bytes()))
            assert "Utilidad después de KAM" in text or "después de KAM" in text
            assert re.search(r"CLP\s\d{1,3}(\.\d{3})+", text), "grouped the Spanish way"
