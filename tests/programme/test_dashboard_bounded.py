"""The director's dashboard stays small whatever the portfolio: the matrix thumbnail draws every
key account and the most attractive others (a bounded number), the whale curve a sample."""

from __future__ import annotations

from kamp.programme import views


def _point(i: int, key: bool = False) -> dict:
    return {
        "id": i,
        "name": f"C{i:05d}",
        "attractiveness": (i % 97) / 10,
        "position": (i % 89) / 10,
        "quadrant": "strategic",
        "key": key,
        "url": f"/selection/customers/{i}/",
    }


def test_the_matrix_thumbnail_keeps_every_key_account_and_the_best_others():
    points = [_point(i, key=i % 500 == 0) for i in range(10_000)]
    shown, hidden = views._thumbnail_points(points)
    assert len(shown) == views.MATRIX_THUMBNAIL_POINTS and hidden == 10_000 - len(shown)
    assert {p["id"] for p in points if p["key"]} <= {p["id"] for p in shown}
    worst_shown = min(p["attractiveness"] + p["position"] for p in shown if not p["key"])
    assert all(
        p["attractiveness"] + p["position"] <= worst_shown
        for p in points
        if p not in shown and not p["key"]
    )


def test_a_small_portfolio_is_drawn_whole():
    points = [_point(i) for i in range(40)]
    assert views._thumbnail_points(points) == (points, 0)


def test_the_forms_of_relationship_are_recomputed_when_an_interaction_is_logged(db, ana):
    from django.utils import timezone

    from kamp.customers.models import CustomerStatus
    from kamp.interactions import analysis
    from kamp.interactions.actions import do_log_interaction
    from kamp.programme import sources
    from tests.factories import ContactFactory, CustomerFactory

    today = timezone.localdate()
    c = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT, owner=ana)
    contact = ContactFactory(customer=c)
    calls = []
    real = analysis.analyse_many

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    analysis.analyse_many, restore = counting, real
    try:
        first = sources.interaction_forms([c.pk], today)
        assert sources.interaction_forms([c.pk], today) == first and len(calls) == 1
        do_log_interaction(
            ana, c, our_people=[ana], their_contacts=[contact], date=today, topic="Visita"
        )
        after = sources.interaction_forms([c.pk], today)
        assert len(calls) == 2
        assert after == {
            cid: {
                "form": a.form,
                "diamond_index": a.diamond_index,
                "functional_pairs": [list(p) for p in a.functional_pairs],
            }
            for cid, a in real([c.pk], today).items()
        }
    finally:
        analysis.analyse_many = restore
