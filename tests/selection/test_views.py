"""Who may and who may not, for every selection page; what the pages show."""

from pathlib import Path

import pytest
from django.urls import reverse

from kamp.customers.models import CustomerStatus
from kamp.selection import engine
from kamp.selection.models import Assessment, Decision, SelectionModel, Snapshot
from tests.factories import CustomerFactory

from .factories import HIGH, LOW, STAR, score

EXAMPLE = Path(__file__).with_name("example_model.toml")

pytestmark = pytest.mark.django_db

READERS = ["admin", "director", "ana", "bruno", "member", "viewer"]
MANAGERS = ["admin", "director"]
NOT_MANAGERS = ["ana", "bruno", "member", "viewer"]


@pytest.fixture
def people(admin, director, ana, bruno, member, viewer):
    return {
        "admin": admin,
        "director": director,
        "ana": ana,
        "bruno": bruno,
        "member": member,
        "viewer": viewer,
    }


@pytest.fixture
def portfolio(director, account, other_account):
    score(account, director, HIGH, co_investment=8)
    score(other_account, director, STAR, co_investment=3)
    lonely = CustomerFactory(name="Half scored")
    score(lonely, director, {"profitability": 5})
    unrec = CustomerFactory(name="Unreciprocated SA")
    score(unrec, director, HIGH, co_investment=2)
    return {"unrec": unrec, "lonely": lonely}


def test_anonymous_is_sent_to_login(anonymous, account):
    for url in [
        reverse("selection:portfolio"),
        reverse("selection:grid"),
        reverse("selection:models"),
        reverse("selection:customer_tab", args=[account.pk]),
    ]:
        r = anonymous.get(url)
        assert r.status_code == 302 and "/login/" in r["Location"]


@pytest.mark.parametrize("who", READERS)
def test_everyone_who_reads_customers_reads_the_matrix(client_for, people, who, portfolio):
    r = client_for(people[who]).get(reverse("selection:portfolio"))
    assert r.status_code == 200
    body = r.content.decode()
    assert 'id="matrix-data"' in body
    if who == "member":  # on Constructora CS's team only
        assert "Minera Norte" not in body and "Constructora CS" in body
    else:
        assert "Minera Norte" in body


def test_matrix_explains_each_customer(client_for, director, portfolio):
    body = client_for(director).get(reverse("selection:portfolio")).content.decode()
    assert "Strategic but unreciprocated" in body
    assert "Recommended (rank 1 of 10)" in body
    assert "Star: attractive" in body
    assert "Incomplete: not on the matrix" in body and "Half scored" in body
    assert "1 of 10" in body  # the cap indicator (Constructora CS is the key account)
    assert "Robustness" in body
    assert "Key accounts outside the strategic quadrant: Minera Norte (star)" in body


def test_matrix_filters_and_sorts(client_for, director, portfolio):
    c = client_for(director)
    body = c.get(reverse("selection:portfolio") + "?quadrant=star").content.decode()
    assert (
        "Minera Norte" in body.split('id="table"')[1]
        and "Unreciprocated SA" not in body.split('id="table"')[1]
    )
    body = c.get(reverse("selection:portfolio") + "?q=unrec").content.decode()
    assert "Constructora CS</a>" not in body.split('id="table"')[1]
    for sort in [
        "name",
        "-attractiveness",
        "position",
        "co_investment",
        "-rank",
        "quadrant",
        "-revenue",
        "nonsense",
    ]:
        assert c.get(reverse("selection:portfolio") + f"?sort={sort}").status_code == 200


def test_matrix_query_count_is_constant(client_for, director, django_assert_max_num_queries):
    for i in range(30):
        c = CustomerFactory(
            name=f"Bulk {i:02d}",
            status=CustomerStatus.KEY_ACCOUNT if i < 3 else CustomerStatus.CANDIDATE,
        )
        score(c, director, HIGH if i % 2 else LOW, co_investment=6)
    from django.core.cache import cache

    from kamp.selection.actions import do_save_snapshot

    do_save_snapshot(director, "before")
    client = client_for(director)
    client.get(reverse("selection:portfolio"))  # the default model, the session
    cache.clear()
    engine.forget()
    with django_assert_max_num_queries(30) as ctx:
        client.get(reverse("selection:portfolio") + "?trails=1")
    first = len(ctx.captured_queries)
    for i in range(30):
        score(CustomerFactory(name=f"More {i:02d}"), director, HIGH, co_investment=6)
    cache.clear()
    engine.forget()
    with django_assert_max_num_queries(first):  # twice the customers, same queries
        client.get(reverse("selection:portfolio") + "?trails=1")
    with django_assert_max_num_queries(first - 3):  # cached run
        client.get(reverse("selection:portfolio") + "?trails=1")


def test_large_portfolio_groups_bubbles(client_for, director, monkeypatch):
    from kamp.selection.views import matrix

    monkeypatch.setattr(matrix, "MAX_POINTS", 5)
    for i in range(12):
        score(CustomerFactory(name=f"C{i:02d}"), director, HIGH if i % 3 else LOW, co_investment=6)
    r = client_for(director).get(reverse("selection:portfolio"))
    chart = r.context["chart"]
    assert len(chart["points"]) == 5
    assert sum(c["n"] for c in chart["density"]) == 7


@pytest.mark.parametrize("who", MANAGERS + ["ana"])
def test_grid_for_those_who_score(client_for, people, who, account, other_account):
    body = client_for(people[who]).get(reverse("selection:grid")).content.decode()
    assert "Constructora CS" in body
    assert ("Minera Norte" in body) == (who != "ana")  # Ana scores only what she may edit


@pytest.mark.parametrize("who", ["member", "viewer", "bruno"])
def test_grid_shows_nothing_to_others(client_for, people, who, account):
    body = client_for(people[who]).get(reverse("selection:grid")).content.decode()
    assert "Constructora CS" not in body
    assert "No customer to score here" in body


def test_grid_save(client_for, ana, account):
    c = client_for(ana)
    r = c.post(
        reverse("selection:grid_save"),
        {"customer": account.pk, "factor": "profitability", "score": "7,5"},
    )
    assert r.status_code == 200 and "✓" in r.content.decode()
    assert (
        Assessment.objects.get(customer=account, assessor=ana, factor="profitability").score == 7.5
    )
    r = c.post(
        reverse("selection:grid_save"),
        {"customer": account.pk, "factor": "profitability", "score": "12"},
    )
    assert "Scores go from 1 to 10" in r.content.decode()
    assert (
        Assessment.objects.get(customer=account, assessor=ana, factor="profitability").score == 7.5
    )


@pytest.mark.parametrize("who, status", [("bruno", 403), ("member", 403), ("viewer", 403)])
def test_grid_save_refused(client_for, people, who, status, account):
    r = client_for(people[who]).post(
        reverse("selection:grid_save"),
        {"customer": account.pk, "factor": "profitability", "score": "7"},
    )
    assert r.status_code == status
    assert not Assessment.objects.exists()


def test_grid_save_invisible_customer_is_404(client_for, member, other_account):
    r = client_for(member).post(
        reverse("selection:grid_save"),
        {"customer": other_account.pk, "factor": "profitability", "score": "7"},
    )
    assert r.status_code == 404


@pytest.mark.parametrize("who", READERS)
def test_customer_tab(client_for, people, who, account, portfolio):
    r = client_for(people[who]).get(reverse("selection:customer_tab", args=[account.pk]))
    assert r.status_code == 200
    body = r.content.decode()
    assert "Recommended (rank 1 of 10)" in body
    assert ("Save my scores" in body) == (who in ("admin", "director", "ana"))
    assert ("Revoke key account status" in body) == (who in MANAGERS)


def test_customer_tab_scoring_form(client_for, ana, account, bruno):
    r = client_for(ana).post(
        reverse("selection:customer_score", args=[account.pk]),
        {"score_profitability": "6", "score_co_investment": "7"},
    )
    assert r.status_code == 302
    assert Assessment.objects.filter(customer=account, assessor=ana).count() == 2
    r = client_for(bruno).post(
        reverse("selection:customer_score", args=[account.pk]), {"score_profitability": "6"}
    )
    assert r.status_code == 403


@pytest.mark.parametrize("who", NOT_MANAGERS)
def test_decisions_only_for_managers(client_for, people, who, account):
    r = client_for(people[who]).post(
        reverse("selection:decide", args=[account.pk]),
        {"kind": "revoke", "rationale": "x", "decided_on": "2026-01-01"},
    )
    assert r.status_code in (403, 404)
    assert not Decision.objects.exists()


def test_decision_flow(client_for, director, portfolio):
    c = client_for(director)
    unrec = portfolio["unrec"]
    page = c.get(reverse("selection:decide", args=[unrec.pk])).content.decode()
    assert "Strategic but unreciprocated" in page
    r = c.post(
        reverse("selection:decide", args=[unrec.pk]),
        {"kind": "make", "rationale": "", "decided_on": "2026-11-01"},
    )
    assert r.status_code == 200 and not Decision.objects.exists()
    r = c.post(
        reverse("selection:decide", args=[unrec.pk]),
        {"kind": "make", "rationale": "Board bet", "decided_on": "2026-11-01"},
        follow=True,
    )
    body = r.content.decode()
    assert "Decision recorded" in body and "Board bet" in body and "override" in body
    unrec.refresh_from_db()
    assert unrec.status == CustomerStatus.KEY_ACCOUNT


@pytest.mark.parametrize("who", NOT_MANAGERS)
def test_models_pages_only_for_managers(client_for, people, who):
    c = client_for(people[who])
    model = engine.ensure_default_model()
    assert c.get(reverse("selection:models")).status_code == 403
    assert c.get(reverse("selection:model_edit", args=[model.pk])).status_code == 403
    assert c.post(reverse("selection:model_activate", args=[model.pk])).status_code == 403
    assert c.post(reverse("selection:snapshot_create")).status_code == 403


def _formset(factors, **model):
    data = {
        "name": "Mine",
        "description": "",
        "scale_min": "1",
        "scale_max": "10",
        "split": "",
        "co_investment_min": "",
        "cap": "",
        "factor-TOTAL_FORMS": str(len(factors)),
        "factor-INITIAL_FORMS": "0",
        "factor-MIN_NUM_FORMS": "0",
        "factor-MAX_NUM_FORMS": "1000",
    }
    data.update(model)
    for i, f in enumerate(factors):
        for k, v in f.items():
            data[f"factor-{i}-{k}"] = v
    return data


def _f(key, dim, weight, direction="higher"):
    return {
        "key": key,
        "dimension": dim,
        "weight": weight,
        "direction": direction,
        "source": "assessed",
        "mapping": "percentile",
    }


def test_model_edit_and_refusal(client_for, director):
    c = client_for(director)
    assert c.get(reverse("selection:model_create")).status_code == 200
    r = c.post(reverse("selection:model_create"), _formset([_f("a", "attractiveness", "1")]))
    assert r.status_code == 200
    assert "There is no factor for competitive position" in r.content.decode()
    r = c.post(
        reverse("selection:model_create"),
        _formset([_f("a", "attractiveness", "1"), _f("b", "position", "2", "lower")], activate="1"),
    )
    assert r.status_code == 302
    m = SelectionModel.objects.get(name="Mine")
    assert m.is_active and m.factors.get(key="b").direction == "lower"


def test_model_load_and_export(client_for, director):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for(director)
    data = EXAMPLE.read_bytes()
    r = c.post(
        reverse("selection:models"), {"file": SimpleUploadedFile("m.toml", data), "activate": "on"}
    )
    assert r.status_code == 302
    m = SelectionModel.objects.get(name="Example")
    assert m.is_active
    text = c.get(reverse("selection:model_export", args=[m.pk])).content.decode()
    assert 'name = "Example"' in text and 'direction = "lower"' in text
    r = c.post(reverse("selection:models"), {"file": SimpleUploadedFile("m.toml", b'name="Bad"\n')})
    assert "There is no factor for" in r.content.decode()


def test_an_oversized_model_file_is_refused_unread(client_for, director):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for(director)
    big = b'name = "Huge"\n' + b"# padding\n" * 40_000
    r = c.post(reverse("selection:models"), {"file": SimpleUploadedFile("m.toml", big)})
    assert r.status_code == 200
    assert "few kilobytes" in r.content.decode()
    assert not SelectionModel.objects.filter(name="Huge").exists()


def test_snapshot_and_trails(client_for, director, portfolio, account):
    c = client_for(director)
    r = c.post(reverse("selection:snapshot_create"), {"label": "Q3"})
    assert r.status_code == 302
    assert Snapshot.objects.get().points.count() == 3
    chart = c.get(reverse("selection:portfolio") + "?trails=1").context["chart"]
    trail = next(t for t in chart["trails"] if t["id"] == account.pk)
    assert len(trail["points"]) == 2


def test_summary_card_and_badges(client_for, director, account, portfolio):
    from kamp.selection.summary import badges

    b = badges([account.pk, portfolio["unrec"].pk, portfolio["lonely"].pk])
    assert b[account.pk][0]["css"] == "quadrant-strategic"
    assert [x["label"] for x in b[portfolio["unrec"].pk]] == [
        "Strategic",
        "strategic but unreciprocated",
    ]
    assert portfolio["lonely"].pk not in b
    body = client_for(director).get(reverse("customers:detail", args=[account.pk])).content.decode()
    assert "Key account selection" in body


def test_alerts(director, ana, account, other_account, portfolio):
    from kamp.customers.models import Customer
    from kamp.selection.alerts import alerts

    for i in range(4):
        CustomerFactory(name=f"Ana K{i}", owner=ana, status=CustomerStatus.KEY_ACCOUNT)
    kinds = {(a.kind, a.customer_id) for a in alerts(Customer.objects.all())}
    assert ("key_account_not_strategic", other_account.pk) in kinds
    # A candidate that does not reciprocate is the portfolio's recommendation, not an alert;
    # once it is a key account it is.
    assert ("strategic_unreciprocated", portfolio["unrec"].pk) not in kinds
    unrec = portfolio["unrec"]
    unrec.status = CustomerStatus.KEY_ACCOUNT
    unrec.save()
    kinds = {(a.kind, a.customer_id) for a in alerts(Customer.objects.all())}
    assert ("strategic_unreciprocated", portfolio["unrec"].pk) in kinds
    # A KAM carrying too many is the team area's alert: raised once, not by both areas.
    assert not any(k == "kam_overloaded" for k, _ in kinds)
    assert not any(k == "beyond_cap" for k, _ in kinds)  # 7 of 10
    for i in range(5):
        CustomerFactory(name=f"More K{i}", status=CustomerStatus.KEY_ACCOUNT)
    assert any(a.kind == "beyond_cap" for a in alerts(Customer.objects.all()))
    assert alerts(Customer.objects.none()) == []


def test_grid_query_count_is_constant(client_for, director, django_assert_max_num_queries):
    client = client_for(director)
    for i in range(3):
        score(CustomerFactory(name=f"G{i:02d}"), director, HIGH, co_investment=6)
    client.get(reverse("selection:grid"))
    with django_assert_max_num_queries(20) as ctx:
        client.get(reverse("selection:grid"))
    first = len(ctx.captured_queries)
    for i in range(20):
        score(CustomerFactory(name=f"H{i:02d}"), director, LOW, co_investment=6)
    with django_assert_max_num_queries(first):
        client.get(reverse("selection:grid"))


def test_customer_tab_query_count(client_for, director, account, django_assert_max_num_queries):
    score(account, director, HIGH, co_investment=6)
    client = client_for(director)
    client.get(reverse("selection:customer_tab", args=[account.pk]))
    with django_assert_max_num_queries(28):
        client.get(reverse("selection:customer_tab", args=[account.pk]))


@pytest.mark.parametrize(
    "language, mean, title, spread",
    [
        ("en", "7.5", "mean of 2 assessors, spread 3.0", "±3"),
        ("es", "7,5", "promedio de 2 evaluadores, dispersión 3,0", "±3"),
    ],
)
def test_the_table_shows_each_factors_mean_and_whether_assessors_disagree(
    client_for, director, ana, account, other_account, language, mean, title, spread
):
    """A factor scored by several assessors shows their mean, how many they are and their
    spread; two points apart or more, the spread beside the mean. One assessor: the score."""
    score(account, director, {**HIGH, "profitability": 9}, co_investment=8)
    score(account, ana, {**HIGH, "profitability": 6}, co_investment=8)
    score(other_account, director, {**HIGH, "profitability": 4}, co_investment=8)
    director.language = language
    director.save(update_fields=["language"])
    body = client_for(director).get(reverse("selection:portfolio")).content.decode()
    rows = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr")
    mine = next(r for r in rows if account.name in r)
    other = next(r for r in rows if other_account.name in r)
    assert f'<td class="num" title="{title}">{mean}<span class="spread"' in mine
    assert f">{spread}</span>" in mine
    # other_account: one assessor, no title and no spread on any factor
    assert 'class="spread"' not in other and "title=" not in other.split("</td>", 4)[-1]
    assert '<td class="num">4' in other
