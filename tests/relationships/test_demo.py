"""The demo tells CS's story: competitive interaction → collaborative partnership, rising trust,
an early perception gap; one account disintegrating."""

from kamp.core import demo
from kamp.relationships import results
from kamp.relationships.models import Assessment, SurveyRound


def test_demo_story(db):
    ctx = demo.load(
        log=lambda *_: None,
        modules=[
            "kamp.team.demo",
            "kamp.economics.demo",
            "kamp.interactions.demo",
            "kamp.relationships.demo",
        ],
    )
    cs = ctx.customers["cs"]
    path = list(
        Assessment.objects.filter(customer=cs).order_by("date").values_list("type", flat=True)
    )
    assert path[0] == "competitive_interaction" and path[-1] == "collaborative_partnership"
    trend = results.customer_trend(cs)
    assert len(trend) == 3
    customer_rqi = [t["customer"]["rqi"] for t in trend]
    assert customer_rqi == sorted(customer_rqi)
    assert [t["customer_n"] for t in trend] == [3, 3, 3]
    first, last = SurveyRound.objects.filter(customer=cs).order_by("opened_on")[::2]
    assert first.gap_flagged and not last.gap_flagged
    types = set(Assessment.objects.values_list("type", flat=True))
    assert len(types) >= 6
    minera = ctx.customers["minera_norte"]
    assert results.suggest_stage(minera, ctx.today).stage == "disintegrating"
    suggestion = results.suggest_stage(cs, ctx.today)
    assert suggestion.stage in ("interdependent", "cooperative"), suggestion
