"""§3's table: every region and every boundary."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamp.relationships import typology as t


@pytest.mark.parametrize(
    "ro, ds, db, expected",
    [
        # buyer holds the power (RP < −1)
        (2, 6, 3, t.VULNERABLE_SUPPLIER),
        (6, 6, 3, t.INVITING_BUYER),
        # supplier holds the power (RP > 1)
        (2, 2, 6, t.VULNERABLE_BUYER),
        (6, 2, 6, t.INVITING_SUPPLIER),
        # balanced, mutual dependence
        (2, 5, 5, t.COMPETITIVE_INTERACTION),
        (6, 5, 5, t.COLLABORATIVE_PARTNERSHIP),
        # balanced, independence — whatever the orientation
        (2, 2, 2, t.INDEPENDENT),
        (6, 2, 2, t.INDEPENDENT),
    ],
)
def test_every_region(ro, ds, db, expected):
    assert t.classify(ro, ds, db).type == expected


def test_ro_boundary_4_5_counts_as_relational():
    assert t.classify(4.5, 5, 5).type == t.COLLABORATIVE_PARTNERSHIP
    assert t.classify(4.49, 5, 5).type == t.COMPETITIVE_INTERACTION
    assert t.classify(4.5, 6, 3).type == t.INVITING_BUYER
    assert t.classify(4.49, 6, 3).type == t.VULNERABLE_SUPPLIER


@pytest.mark.parametrize(
    "ds, db, expected_power",
    [
        (5, 6, "balanced"),  # RP = +1 exactly: balanced
        (6, 5, "balanced"),  # RP = −1 exactly: balanced
        (4.1, 5.1, "balanced"),  # float noise must not tip it over
        (5.1, 4.1, "balanced"),
        (5, 6.01, "supplier"),
        (6.01, 5, "buyer"),
    ],
)
def test_balance_boundary(ds, db, expected_power):
    assert t.classify(5, ds, db).power == expected_power


def test_mutual_boundary_mean_4():
    assert t.classify(6, 4, 4).type == t.COLLABORATIVE_PARTNERSHIP
    assert t.classify(2, 3.5, 4.5).type == t.COMPETITIVE_INTERACTION  # mean exactly 4
    assert t.classify(6, 3.99, 3.99).type == t.INDEPENDENT
    assert t.classify(6, 3.5, 4.4).type == t.INDEPENDENT  # balanced, mean 3.95
    assert t.classify(6, 3, 4.9).type == t.INVITING_SUPPLIER  # RP 1.9: not balanced


def test_relative_power_sign():
    c = t.classify(4, 2, 6)
    assert c.relative_power == 4 and c.power == "supplier"


@pytest.mark.parametrize("bad", [0, 0.99, 7.01, 8, -1])
def test_out_of_scale_refused(bad):
    with pytest.raises(ValueError):
        t.classify(bad, 4, 4)
    with pytest.raises(ValueError):
        t.classify(4, bad, 4)
    with pytest.raises(ValueError):
        t.classify(4, 4, bad)


scale = st.floats(min_value=1, max_value=7, allow_nan=False)


@given(scale, scale, scale)
def test_classification_is_consistent_with_the_table(ro, ds, db):
    c = t.classify(ro, ds, db)
    assert c.type in t.TYPES
    rp = round(db - ds, 9)
    if rp < -1:
        assert c.type in (t.VULNERABLE_SUPPLIER, t.INVITING_BUYER)
    elif rp > 1:
        assert c.type in (t.VULNERABLE_BUYER, t.INVITING_SUPPLIER)
    else:
        assert c.type in (t.COMPETITIVE_INTERACTION, t.COLLABORATIVE_PARTNERSHIP, t.INDEPENDENT)
    if c.type in (t.INVITING_BUYER, t.INVITING_SUPPLIER, t.COLLABORATIVE_PARTNERSHIP):
        assert ro >= 4.5 - 1e-9


@given(scale, scale, scale)
def test_swapping_sides_swaps_the_power(ro, ds, db):
    a, b = t.classify(ro, ds, db), t.classify(ro, db, ds)
    swap = {"buyer": "supplier", "supplier": "buyer", "balanced": "balanced"}
    assert b.power == swap[a.power]


def test_dependence_is_mean_of_scored_items():
    assert t.dependence([7, None, 4]) == 5.5
    assert t.dependence([None, None]) is None


def test_hints():
    assert t.share_hint(0.005) == 1
    assert t.share_hint(0.01) == 2
    assert t.share_hint(0.12) == 5
    assert t.share_hint(0.5) == 7
    assert t.share_hint(None) is None
    assert t.wallet_hint(0) == 1 and t.wallet_hint(1) == 7 and t.wallet_hint(0.5) == 4


def test_every_type_named_once():
    # The names live in one place, the model's choices (and so the catalogues): the charts
    # read them from there in the reader's language.
    from kamp.relationships.models import RelationshipType

    assert set(RelationshipType.values) == set(t.TYPES)
