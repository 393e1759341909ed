import io
import os

import pytest
from django.utils import timezone, translation
from pptx import Presentation

from kamp.core.demo import load
from kamp.plans.models import AccountPlan
from kamp.reports import deck, pdf, plan_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_demo_plan_fits_one_page_and_the_deck_has_the_pnl(lang):
    ctx = load(
        modules=["kamp.team.demo", "kamp.economics.demo", "kamp.plans.demo"],
        log=lambda *_: None,
        today=timezone.localdate(),
    )
    plan = AccountPlan.objects.get(customer=ctx.customers["cs"])
    with translation.override(lang):
        report = plan_data.gather(ctx.users["ana"], plan)
        assert report.economics.available and report.economics.current["net_revenue"] > 0
        assert len(pdf.plan_document(report).pages) == 1
        content = deck.plan_deck(report)
        if os.environ.get("KAMP_KEEP_EXPORTS"):  # to look at them: var/screenshots/
            from pathlib import Path

            Path(f"var/screenshots/plan-{lang}.pdf").write_bytes(pdf.plan_pdf(report))
            Path(f"var/screenshots/plan-{lang}.pptx").write_bytes(content)
    prs = Presentation(io.BytesIO(content))
    pnl = "Account P&L" if lang == "en" else "Estado de resultados de la cuenta"
    titled = [
        sl
        for sl in prs.slides
        if any(sh.has_text_frame and sh.text_frame.text == pnl for sh in sl.shapes)
    ]
    assert titled and any(shape.has_chart for shape in titled[0].shapes)
