"""Guard rails on selection decisions: the cap state and the weakest key account named on the
decision form before committing (pure rules and the page), typed scores contradicting kamp's own
data."""

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from kamp.customers.models import CustomerStatus
from kamp.selection import engine, guards, scoring
from kamp.selection.models import Decision
from tests.factories import CustomerFactory

from .factories import HIGH, score

# --- pure ---------------------------------------------------------------------------------------


def _result(i, reason, rank=None, total=10.0):
    return scoring.Result(
        i, f"C{i}", total / 2, total / 2, 6.0, "strategic", True, rank=rank, reason=reason
    )


def test_unreciprocated_is_weaker_than_any_ranked_account():
    results = [
        _result(1, scoring.R_RECOMMENDED, rank=1, total=18),
        _result(2, scoring.R_BEYOND_CAP, rank=12, total=11),
        _result(3, scoring.R_UNRECIPROCATED, total=17),
        _result(4, scoring.R_NOT_STRATEGIC, total=6),
    ]
    assert guards.weakest_case(results, [1, 2, 3, 4]).id == 3
    assert guards.weakest_case(results, [1, 2, 4]).id == 4
    assert guards.weakest_case(results, [1, 2]).id == 2  # the lowest rank
    assert guards.weakest_case(results, [1, 2], exclude=2).id == 1
    assert guards.weakest_case(results, []) is None


@given(st.lists(st.integers(1, 40), min_size=1, max_size=12, unique=True))
def test_among_ranked_accounts_the_weakest_is_the_last_ranked(ranks):
    results = [_result(i, scoring.R_RECOMMENDED, rank=r) for i, r in enumerate(ranks)]
    weakest = guards.weakest_case(results, range(len(ranks)))
    assert weakest.rank == max(ranks)


@given(
    st.sets(st.integers(1, 30), max_size=15), st.integers(0, 20), st.integers(1, 40), st.booleans()
)
def test_cap_state(keys, cap, customer, making):
    s = guards.cap_state(keys, cap, customer, making)
    assert s.count == len(keys)
    assert s.after == (len(keys | {customer}) if making else len(keys - {customer}))
    assert s.exceeds == (making and s.after > cap)
    assert not guards.cap_state(keys, cap, customer, False).exceeds  # revoking never exceeds


@given(st.floats(1, 10), st.floats(1, 10))
def test_opposite_halves_is_symmetric_and_never_within_one_half(a, b):
    assert guards.opposite_halves(a, b, 1, 10) == guards.opposite_halves(b, a, 1, 10)
    if (a <= 5.5 and b <= 5.5) or (a >= 5.5 and b >= 5.5):
        assert not guards.opposite_halves(a, b, 1, 10)
    else:
        assert guards.opposite_halves(a, b, 1, 10)


def test_minera_typed_low_while_first_on_profit_is_flagged():
    assert guards.opposite_halves(3.5, 10.0, 1, 10)
    assert not guards.opposite_halves(5.5, 10.0, 1, 10)  # the midpoint is in neither half


# --- the decision form ---------------------------------------------------------------------------


@pytest.fixture
def capped(director):
    engine.forget()
    model = engine.ensure_default_model()
    model.cap = 2
    model.save()
    strong = CustomerFactory(name="Strong Key", status=CustomerStatus.KEY_ACCOUNT)
    score(strong, director, HIGH, co_investment=8)
    weak = CustomerFactory(name="Unreciprocated Key", status=CustomerStatus.KEY_ACCOUNT)
    score(weak, director, HIGH, co_investment=2)
    candidate = CustomerFactory(name="Puerto Central")
    score(candidate, director, HIGH, co_investment=7)
    yield {"strong": strong, "weak": weak, "candidate": candidate, "model": model}
    engine.forget()


@pytest.mark.django_db
def test_decision_form_names_the_weakest_key_account_before_committing(
    client_for, director, capped
):
    page = client_for(director).get(reverse("selection:decide", args=[capped["candidate"].pk]))
    body = page.content.decode()
    assert "would bring the programme to 3 key accounts, beyond its cap of 2" in body
    weakest = body.split('id="weakest-case"')[1].split("</p>")[0]
    assert "Unreciprocated Key" in weakest and "Strong Key" not in weakest
    assert not Decision.objects.exists()  # nothing committed by showing the warning


@pytest.mark.django_db
def test_decision_form_within_the_cap_says_so(client_for, director, capped):
    capped["model"].cap = 3
    capped["model"].save()
    engine.forget()
    body = (
        client_for(director)
        .get(reverse("selection:decide", args=[capped["candidate"].pk]))
        .content.decode()
    )
    assert "Within the cap: 3 of 3 key accounts after this decision." in body
    assert "cap-warning" not in body


@pytest.mark.django_db
def test_revoking_shows_no_cap_warning(client_for, director, capped):
    body = (
        client_for(director)
        .get(reverse("selection:decide", args=[capped["weak"].pk]))
        .content.decode()
    )
    assert "cap-warning" not in body and "Revoke" in body


@pytest.mark.django_db
def test_cap_warning_in_spanish(client_for, director, capped):
    director.language = "es"
    director.save(update_fields=["language"])
    body = (
        client_for(director)
        .get(reverse("selection:decide", args=[capped["candidate"].pk]))
        .content.decode()
    )
    assert "más allá de su límite de 2" in body and "Unreciprocated Key" in body
    # The date field keeps its ISO value in Spanish (a date input shows 04-12-2026 as empty).
    assert f'value="{timezone.localdate().isoformat()}"' in body


# --- the scoring grid: typed scores that contradict kamp's own data -------------------------------


@pytest.fixture
def minera(director, ana):
    from tests.factories import SalesLineFactory

    engine.forget()
    top = CustomerFactory(name="Minera Altos del Norte", owner=ana)
    SalesLineFactory(customer=top, net_amount=900_000, cost=100_000)  # first on profit
    score(top, director, {"profitability": 3.5})
    # The others measure 1, 4 and 7 on the 1-10 scale by profit, and are typed alike: no flag.
    for i, (net, typed) in enumerate(((1000, 3), (2000, 4), (3000, 8))):
        other = CustomerFactory(name=f"Other {i}", owner=ana)
        SalesLineFactory(customer=other, net_amount=net, cost=net // 2)
        score(other, director, {"profitability": typed})
    yield top
    engine.forget()


@pytest.mark.django_db
def test_grid_flags_a_typed_score_contradicting_the_data_with_both_values(
    client_for, director, minera
):
    body = client_for(director).get(reverse("selection:grid")).content.decode()
    cell = body.split(f'id="cell-{minera.pk}-profitability"')[1].split("</td>")[0]
    assert "contradiction" in cell and "typed 3.5 · data 10.0" in cell
    assert "profit after KAM" in cell
    assert body.count("cell-info contradiction") == 1  # the others agree with their data


@pytest.mark.django_db
def test_grid_save_answers_with_the_flag_and_clears_it_when_the_score_agrees(
    client_for, director, minera
):
    from kamp.selection.models import Assessment

    c = client_for(director)
    a = Assessment.objects.get(customer=minera, factor="profitability")
    r = c.post(
        reverse("selection:grid_save"),
        {"customer": minera.pk, "factor": "profitability", "score": "9", "version": a.version},
    )
    assert "contradiction" not in r.content.decode()
    a.refresh_from_db()
    r = c.post(
        reverse("selection:grid_save"),
        {"customer": minera.pk, "factor": "profitability", "score": "2", "version": a.version},
    )
    assert "typed 2.0 · data 10.0" in r.content.decode()


@pytest.mark.django_db
def test_grid_flag_needs_the_right_to_see_the_money(client_for, member, minera, ana):
    from kamp.team.models import AccountTeamMember

    AccountTeamMember.objects.create(customer=minera, user=member, role="member")
    body = client_for(member).get(reverse("selection:grid")).content.decode()
    assert "contradiction" not in body
    # Its owner sees it.
    assert (
        "typed 3.5 · data 10.0" in client_for(ana).get(reverse("selection:grid")).content.decode()
    )


@pytest.mark.django_db
def test_grid_queries_do_not_grow_with_the_customers(client_for, director, minera):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import SalesLineFactory

    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client_for(director).get(reverse("selection:grid")).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first request of a process warms what is not the grid's
    first = count()
    for i in range(6):
        c = CustomerFactory(name=f"More {i}")
        SalesLineFactory(customer=c, net_amount=5000 + i, cost=100)
        score(c, director, {"profitability": 2})
    assert count() == first


@pytest.mark.django_db
def test_grid_flag_in_spanish(client_for, director, minera):
    director.language = "es"
    director.save(update_fields=["language"])
    body = client_for(director).get(reverse("selection:grid")).content.decode()
    assert "ingresado 3,5 · datos 10,0" in body and "utilidad después de KAM" in body
