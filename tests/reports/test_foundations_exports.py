"""The plan's foundations in the exports: the demo CS's customer journey and buying process
(with who decides at each step) are in the PDF one-pager (still one page) and the QBR deck of
both editions and both languages; our note on a buying step stays out of the customer edition."""

import pytest
from django.utils import timezone, translation

from kamp.core.demo import load
from kamp.plans.models import AccountPlan, BuyingStep
from kamp.reports import deck, editions, pdf, plan_data
from tests.reports.test_demo_decks import _html_text, pptx_texts

pytestmark = pytest.mark.django_db

# One-pager headings, then the deck's slide title, each with the column naming who decides.
HEADINGS = {
    "en": (
        ("Customer journey", "Buying process", "Who decides"),
        ("Customer journey and buying process", "Who decides"),
    ),
    "es": (
        ("Recorrido del cliente", "Proceso de compra", "Quién decide"),
        ("Recorrido del cliente y proceso de compra", "Quién decide"),
    ),
}


@pytest.fixture
def cs_plan():
    ctx = load(
        modules=["kamp.team.demo", "kamp.economics.demo", "kamp.plans.demo"],
        log=lambda *_: None,
        today=timezone.localdate(),
    )
    return ctx, AccountPlan.objects.get(customer=ctx.customers["cs"])


def _exports(user, plan, edition):
    report = plan_data.gather(user, plan, edition=edition)
    slides = pptx_texts(deck.plan_deck(report))
    return report, "\n".join(s["text"] for s in slides), _html_text(pdf.plan_html(report))


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("edition", list(editions.EDITIONS))
def test_the_demo_journey_and_buying_steps_are_in_the_one_pager_and_the_deck(
    cs_plan, lang, edition
):
    ctx, plan = cs_plan
    stage = plan.journey_stages.first()
    step = BuyingStep.objects.get(plan=plan, name="Aprobación del directorio de CS")
    deciders = sorted(c.name for c in step.deciders.all())
    assert deciders == ["Andrés Silva", "María González"]
    with translation.override(lang):
        report, slides, html = _exports(ctx.users["ana"], plan, edition)
        assert len(pdf.plan_document(report).pages) == 1
    for text, headings in zip((html, slides), HEADINGS[lang], strict=True):
        assert stage.name in text
        assert step.name in text
        assert all(name in text for name in deciders)
        assert all(h in text for h in headings), headings
    # The pain points: on every slide; on the internal one-pager (full already) the journey is
    # the stages' names only.
    assert stage.pain_points[:30] in slides
    assert (stage.pain_points[:30] in html) == (edition == editions.CUSTOMER)
    # Our note on a step: on the internal deck only.
    note = step.note[:30]
    assert note not in html
    assert (note in slides) == (edition == editions.INTERNAL)


def test_the_buying_step_note_is_marked_internal():
    assert ("plans", "BuyingStep", "note", {}) in editions.INTERNAL_FIELDS


def test_a_plan_without_foundations_has_no_foundations_slide(cs_plan):
    ctx, plan = cs_plan
    plan.journey_stages.all().delete()
    plan.buying_steps.all().delete()
    with translation.override("en"):
        _report, slides, html = _exports(ctx.users["ana"], plan, editions.INTERNAL)
    assert "Customer journey and buying process" not in slides
    assert "Buying process" not in html
