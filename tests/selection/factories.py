"""Helpers for selection tests: score customers quickly on the default model."""

from kamp.selection.models import Assessment

HIGH = {
    "profitability": 9,
    "growth_potential": 8,
    "strategic_value": 8,
    "customer_knowledge": 8,
    "brand_image": 8,
    "cost_to_serve": 3,
}
LOW = {
    "profitability": 3,
    "growth_potential": 2,
    "strategic_value": 3,
    "customer_knowledge": 3,
    "brand_image": 3,
    "cost_to_serve": 8,
}
STAR = {
    "profitability": 9,
    "growth_potential": 9,
    "strategic_value": 8,
    "customer_knowledge": 3,
    "brand_image": 3,
    "cost_to_serve": 8,
}


def score(customer, assessor, scores: dict, co_investment=None):
    rows = [
        Assessment(customer=customer, factor=k, assessor=assessor, score=v)
        for k, v in scores.items()
    ]
    if co_investment is not None:
        rows.append(
            Assessment(
                customer=customer, factor="co_investment", assessor=assessor, score=co_investment
            )
        )
    Assessment.objects.bulk_create(rows)
