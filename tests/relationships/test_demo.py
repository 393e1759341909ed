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


def test_demo_numbers_agree_and_a_new_answer_in_an_open_round_moves_none(db):
    """What a new user did on the demo: opened a round at CS and had one contact answer it
    badly. CS's RQI, its trend, its stage suggestion and the programme's mean stay put; the same
    RQI shows on the badge, the portfolio and the programme."""
    from datetime import timedelta

    from kamp.customers.models import Customer, CustomerStatus
    from kamp.programme import health, sources
    from kamp.relationships import actions, quality, summary
    from kamp.relationships.views.portfolio import portfolio_rows

    from .conftest import answer_all

    ctx = demo.load(
        log=lambda *_: None,
        modules=[
            "kamp.team.demo",
            "kamp.economics.demo",
            "kamp.relationships.demo",
            "kamp.plans.demo",
        ],
    )
    cs = ctx.customers["cs"]
    # The plan's relationship objective reads what the Relationship tab reads.
    from decimal import ROUND_HALF_UP, Decimal

    from kamp.plans import live
    from kamp.plans.models import Objective

    objective = Objective.objects.get(plan__customer=cs, title__contains="ICR")
    objective = live.bind([objective], cs, money=False)[0]  # bound to the RQI figure
    rqi = results.latest_scored_rounds([cs.pk])[cs.pk][0].rqi
    assert objective.metric == "rqi"
    assert objective.current == Decimal(str(rqi)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    keys = list(
        Customer.objects.filter(status=CustomerStatus.KEY_ACCOUNT).values_list("pk", flat=True)
    )

    def figures():
        series = sources.rqi_series(keys)
        trust = health.trust(keys, series, None, None).figures
        cs_rqi = float(results.latest_scored_rounds([cs.pk])[cs.pk][0].rqi)
        badge = next(b for b in summary.badges([cs.pk])[cs.pk] if b["css"].startswith("rqi"))
        row = next(r for r in portfolio_rows(ctx.users["director"]) if r["customer"] == cs)
        return {
            "mean": trust["rqi"],
            "falling": sorted(trust["rqi_falling"]),
            "cs": cs_rqi,
            "cs_series": series[cs.pk][-1][1],
            "badge": badge["label"],
            "portfolio": float(row["rqi"]),
            "stage": results.suggest_stage(cs, ctx.today).stage,
        }

    before = figures()
    assert before["cs"] == before["cs_series"] == before["portfolio"]
    assert before["badge"] == "RQI " + f"{round(before['cs'], 1):.1f}"
    assert cs.pk not in before["falling"]  # CS's trust is rising
    # Energía's round is open with one answer: provisional, not in the programme's figures.
    energia = ctx.customers["energia"]
    open_round = SurveyRound.objects.get(customer=energia)
    assert results.standing(open_round) == quality.PROVISIONAL
    assert energia.pk not in sources.rqi_series(keys)

    rnd = actions.do_start_round(
        ctx.users["ana"],
        cs,
        closes_on=ctx.today + timedelta(days=14),
        contacts=[(ctx.contacts["jorge.perez"], "es"), (ctx.contacts["maria.gonzalez"], "es")],
        send=False,
    )
    jorge = rnd.respondents.get(contact=ctx.contacts["jorge.perez"])
    actions.do_answer(None, jorge, values=answer_all(rnd, 1))
    assert results.round_result(rnd).customer.scores["rqi"] == 1.0
    assert figures() == before
