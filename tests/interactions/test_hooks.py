"""Alerts, summary card, badges and demo."""

import datetime

from django.urls import reverse

from kamp.core.alerts import collect
from kamp.customers.models import Customer
from kamp.interactions import alerts, summary

from .factories import log


def test_alerts_for_the_risks(
    ana, account, other_account, cs_people, django_assert_max_num_queries
):
    for d in (1, 2, 3):
        log(account, [ana], [cs_people["jorge"]], days_ago=d)
    andres = cs_people["andres"]
    andres.active, andres.left_on = False, datetime.date.today() - datetime.timedelta(days=10)
    andres.save()
    with django_assert_max_num_queries(8):
        found = alerts.alerts(Customer.objects.all(), datetime.date.today())
    kinds = {(a.customer_id, a.kind) for a in found}
    assert (account.pk, "single_threaded") in kinds
    assert (account.pk, "champion_left") in kinds
    # María still decides: the roles nobody covers (user, influencer…) are the tab's homework.
    assert (account.pk, "dmu_gap") not in kinds
    assert all(a.area == "interactions" and a.url and a.cause == "coverage" for a in found)
    rolled = [a for a in collect(Customer.objects.filter(pk=account.pk)) if a.cause == "coverage"]
    # One alert for the account, listing every sign (single-threaded, champion left, not met).
    assert len(rolled) == 1
    assert len(rolled[0].signs) == len([a for a in found if a.customer_id == account.pk]) >= 2
    maria = cs_people["maria"]
    maria.active = False
    maria.save()
    found = alerts.alerts(Customer.objects.all(), datetime.date.today())
    assert (account.pk, "dmu_gap") in {(a.customer_id, a.kind) for a in found}


def test_summary_card(client_for, rf, ana, account, cs_people):
    log(account, [ana], [cs_people["jorge"]])
    request = rf.get("/")
    request.user = ana
    template, ctx = summary.card(request, account)
    assert ctx["a"].form == "A"
    html = client_for(ana).get(reverse("customers:detail", args=[account.pk])).content.decode()
    assert "Type A · bow-tie" in html


def test_badges_bulk(ana, account, other_account, cs_people, django_assert_max_num_queries):
    log(account, [ana], [cs_people["jorge"]])
    with django_assert_max_num_queries(6):
        b = summary.badges([account.pk, other_account.pk])
    assert b[account.pk][0]["label"] == "Bow-tie"
    assert any(x["label"] == "Single-threaded" for x in b[account.pk])
    assert summary.badges([]) == {}


def test_demo_tells_the_cs_story(db):
    from kamp.core import demo as core_demo
    from kamp.interactions import analysis

    ctx = core_demo.load(log=lambda *_: None, modules=["kamp.interactions.demo"])
    cs = ctx.customers["cs"]
    acc = analysis.account(cs, ctx.today)
    assert acc.analysis.form == "B"
    assert acc.history[0].form == "A" and acc.history[-1].form == "B"
    results = analysis.analyse_many(Customer.objects.filter(status="key_account"), ctx.today)
    vinos = results[ctx.customers["vinos"].pk]
    assert vinos.form == "A" and any(r.kind == "single_threaded" for r in vinos.risks)
    minera = results[ctx.customers["minera_norte"].pk]
    assert any(r.kind == "champion_left" for r in minera.risks)


def test_people_tab_one_line_embed(account):
    """The one line the People tab needs: an HTMX placeholder that loads the map in place."""
    from django.template import Context, Template

    html = Template('{% include "interactions/_dmu_embed.html" %}').render(
        Context({"customer": account})
    )
    assert (
        f'hx-get="/interactions/customer/{account.pk}/dmu/"' in html and 'hx-trigger="load"' in html
    )
