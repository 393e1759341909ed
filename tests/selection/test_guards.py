"""Guard rails on selection decisions: the cap state and the weakest key account named on the
decision form before committing (pure rules and the page), typed scores contradicting kamp's own
data."""

import pytest
from django.urls import reverse
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
