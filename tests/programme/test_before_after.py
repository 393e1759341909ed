"""Benefits measured before/after each account became key, against the non-key customers
(difference in differences): the pure rules, and the demo's CS reading as the improvement it is."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from kamp.programme import benefits as bf

amounts = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)
pairs = st.lists(st.tuples(amounts, amounts), max_size=8)


@given(amounts, amounts, pairs, st.booleans())
def test_did_is_own_change_minus_the_controls_mean_change(before, after, controls, higher):
    c = bf.difference_in_differences(before, after, controls, higher)
    assert c.change == pytest.approx(after - before)
    assert c.controls == len(controls)
    if controls:
        mean_change = sum(a - b for b, a in controls) / len(controls)
        assert c.control_change == pytest.approx(mean_change, abs=1e-3)
        assert c.did == pytest.approx(c.change - c.control_change, abs=1e-3)
    else:
        assert c.did is None and c.control_change is None


@given(amounts, amounts, pairs, st.floats(min_value=-1e6, max_value=1e6))
def test_a_shift_shared_by_everyone_does_not_move_the_did(before, after, controls, shift):
    # What happened to every customer alike (prices, the market) is not the programme's doing.
    base = bf.difference_in_differences(before, after, controls)
    shifted = bf.difference_in_differences(
        before, after + shift, [(b, a + shift) for b, a in controls]
    )
    if controls:
        assert shifted.did == pytest.approx(base.did, abs=1e-2)


@given(
    st.floats(min_value=0, max_value=1e6),
    st.floats(min_value=1, max_value=1e6),
    st.lists(st.tuples(st.floats(0, 1e6), st.floats(0, 1e6)), min_size=1, max_size=5),
)
def test_verdict_follows_the_did_and_the_direction(before, rise, controls):
    up = bf.difference_in_differences(before, before + rise + 2e6, controls)
    assert up.improved is True  # rose more than any control could
    lower_better = bf.difference_in_differences(before, before + rise + 2e6, controls, False)
    assert lower_better.improved is False


def test_no_before_or_after_is_not_a_change():
    c = bf.difference_in_differences(None, 10.0, [(1.0, 2.0)])
    assert c.change is None and c.did is None and c.improved is None
    assert bf.difference_in_differences(5.0, 5.0).improved is None


@given(st.integers(0, 500), st.integers(0, 500), st.one_of(st.none(), st.integers(0, 500)))
def test_windows_are_equal_complete_and_inside_the_data(key, elapsed, start):
    now = key + elapsed
    n = bf.window_months(key, now, start)
    assert 0 <= n <= bf.LONGEST_WINDOW
    assert key + n <= now  # the after window holds complete months only
    if start is not None:
        assert key - n >= start or n == 0  # the before window holds recorded months only
    # The longest window that fits.
    limit = min(bf.LONGEST_WINDOW, elapsed, key - start if start is not None else 99)
    assert n == max(limit, 0)


def test_window_total_counts_missing_months_as_zero():
    assert bf.window_total({10: 5.0, 12: 7.0, 20: 1.0}, 10, 3) == 12.0


# --- on the demo ---------------------------------------------------------------------------------


@pytest.fixture
def demo(db):
    from kamp.core import demo

    return demo.load(
        today=datetime.date(2026, 11, 28),
        log=lambda *_: None,
        modules=["kamp.selection.demo", "kamp.economics.demo"],
    )


@pytest.mark.django_db
def test_demo_cs_reads_as_the_improvement_it_is(demo):
    from kamp.customers.models import Customer
    from kamp.programme import service

    report = service.benefits_report(Customer.objects.all(), datetime.date(2026, 11, 28))
    cs = next(a for a in report["accounts"] if a["id"] == demo.customers["cs"].pk)
    # Absolute sales of each 12 months: from the lost tender's small base up, never "▼".
    sales = cs["benefits"]["sales_growth"]
    assert sales.improved is True and sales.last > sales.first
    ba = cs["before_after"]
    assert ba["months"] == 12
    for key in ("sales", "gross_margin", "profit_after_kam"):
        m = ba["measures"][key]
        assert m.after > m.before and m.controls > 0
        assert m.did > 0 and m.improved is True, key
    assert ba["measures"]["share_of_wallet"].improved is True
    # Accounts made key before the data start have nothing to compare to.
    retail = next(a for a in report["accounts"] if a["id"] == demo.customers["andes_retail"].pk)
    assert retail["before_after"]["months"] == 0


@pytest.mark.django_db
def test_benefits_page_explains_the_method_in_both_languages(demo, client_for):
    director = demo.users["director"]
    client = client_for(director)
    body = client.get(reverse("programme:benefits")).content.decode()
    assert "Difference in differences" in body and "never were key accounts" in body
    cs_card = body.split(f'id="before-after-{demo.customers["cs"].pk}"')[1].split("</article>")[0]
    assert "▲" in cs_card and "▼" not in cs_card
    director.language = "es"
    director.save(update_fields=["language"])
    body = client_for(director).get(reverse("programme:benefits")).content.decode()
    assert "Diferencia en diferencias" in body


@pytest.mark.django_db
def test_api_gives_the_before_after_to_who_sees_the_money(demo, client_for):
    data = client_for(demo.users["director"]).get("/api/v1/programme/benefits").json()
    cs = next(a for a in data["accounts"] if a["id"] == demo.customers["cs"].pk)
    sales = cs["before_after"]["measures"]["sales"]
    assert sales["did"] > 0 and sales["improved"] is True
    assert cs["before_after"]["months"] == 12 and data["controls"] > 0
    # A KAM's control group is their own non-key customers only: no one else's money.
    ana = client_for(demo.users["ana"]).get("/api/v1/programme/benefits").json()
    from kamp.customers.models import Customer

    assert (
        ana["controls"]
        == Customer.objects.filter(owner=demo.users["ana"], status="candidate").count()
    )


def test_sales_read_as_an_amount_not_a_percentage():
    from django.utils import translation

    from kamp.programme.templatetags.programme_tags import benefit_value, measure

    with translation.override("en"):
        assert benefit_value(46_554_079.0, "sales_growth") == "46,554,079"
        assert benefit_value(0.174, "share_of_wallet") == "17\u00a0%"  # the sign never wraps alone
        assert measure(164_848_321.4, "money", "CLP", True) == "+CLP\u00a0164,848,321"
        assert measure(-4_567_507, "money", "CLP") == "CLP\u00a0-4,567,507"
        assert measure(None, "money", "CLP") == "—"
