"""The programme's pages read an account's figures from the one function the customer page
uses (docs/figures.md): for Constructora CS in the demo, the benefits page's latest share of
wallet, the key accounts' plan completeness and the economics portfolio's profit after KAM equal
the account's own figures."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone

from kamp.core.demo import load
from kamp.economics import figures
from kamp.programme import service, sources

pytestmark = pytest.mark.django_db


def test_programme_and_portfolio_figures_equal_the_account_figures():
    ctx = load(
        modules=["kamp.team.demo", "kamp.economics.demo", "kamp.plans.demo"],
        log=lambda *_: None,
        today=timezone.localdate(),
    )
    cs, director = ctx.customers["cs"], ctx.users["director"]
    today = timezone.localdate()
    own = figures.account_figures(cs, today)
    assert own["share_of_wallet"].value is not None and own["plan_completeness"].value

    wallet = service.benefit_series([cs.pk], today)[cs.pk]["share_of_wallet"]
    assert wallet and wallet[-1] == (today.year, float(own["share_of_wallet"].rounded))

    plans = sources.plan_completeness([cs.pk], today)
    assert Decimal(str(plans[cs.pk]["completeness"])) == own["plan_completeness"].value

    from kamp.economics.views.portfolio import portfolio_data

    cache.clear()
    request = RequestFactory().get("/economics/portfolio/")
    request.user = director
    request._messages = []  # period_from may warn; not here (the default window)
    data = portfolio_data(request)
    assert data["period_code"] == "12m" and data["period_label"] == own["revenue"].period
    value = data["key_rows"] and next(r["value"] for r in data["key_rows"] if r["id"] == cs.pk)
    assert value.profit_after_kam == own["profit_after_kam"].value
    assert value.net_revenue == own["revenue"].value
