"""The director's dashboard stays small whatever the portfolio: the matrix thumbnail draws every
key account and the most attractive others (a bounded number), the whale curve a sample."""

from __future__ import annotations

from kamp.programme import sources, views


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


def _thumbnail(points: list[dict]) -> tuple[list[dict], int]:
    return sources.pick_thumbnail(
        points,
        views.MATRIX_THUMBNAIL_POINTS,
        lambda p: p["key"],
        lambda p: (-(p["attractiveness"] + p["position"]), p["name"]),
    )


def test_the_matrix_thumbnail_keeps_every_key_account_and_the_best_others():
    points = [_point(i, key=i % 500 == 0) for i in range(10_000)]
    shown, hidden = _thumbnail(points)
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
    assert _thumbnail(points) == (points, 0)


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


def test_a_change_to_one_account_recomputes_that_accounts_form_alone(db, ana, bruno):
    """A working day logs an interaction every few seconds: the dashboard's forms of
    relationship are kept per account, and a change re-reads the accounts it touched; a change
    every account's analysis reads (our people) re-reads them all. Each time the figures are
    those of a fresh analysis."""
    from django.utils import timezone

    from kamp.core.models import User
    from kamp.customers.actions import do_update_contact
    from kamp.customers.models import CustomerStatus
    from kamp.interactions import analysis
    from kamp.interactions.actions import do_delete_interaction, do_log_interaction
    from tests.factories import ContactFactory, CustomerFactory

    today = timezone.localdate()
    a = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT, owner=ana)
    b = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT, owner=ana)
    ca, cb = ContactFactory(customer=a), ContactFactory(customer=b, function="finance")
    ids = [a.pk, b.pk]
    calls: list[list[int]] = []
    real = analysis.analyse_many

    def counting(customers, *args, **kwargs):
        calls.append(sorted(customers))
        return real(customers, *args, **kwargs)

    def fresh() -> dict:
        return {
            cid: {
                "form": x.form,
                "diamond_index": x.diamond_index,
                "functional_pairs": [list(p) for p in x.functional_pairs],
            }
            for cid, x in real(ids, today).items()
        }

    sources._FORMS_CACHE.clear()
    analysis.analyse_many, restore = counting, real
    try:
        assert sources.interaction_forms(ids, today) == fresh() and calls == [ids]
        first = do_log_interaction(
            ana, a, our_people=[ana, bruno], their_contacts=[ca], date=today, topic="Visita"
        )
        assert sources.interaction_forms(ids, today) == fresh() and calls[1:] == [[a.pk]]
        do_update_contact(ana, cb, function="operations")
        assert sources.interaction_forms(ids, today) == fresh() and calls[2:] == [[b.pk]]
        do_delete_interaction(ana, first)
        assert sources.interaction_forms(ids, today) == fresh() and calls[3:] == [[a.pk]]
        assert sources.interaction_forms(ids, today) == fresh() and len(calls) == 4
        User.objects.filter(pk=bruno.pk).update(function="finance")
        assert sources.interaction_forms(ids, today) == fresh() and calls[4:] == [ids]
        # Another set of accounts (a director who sees fewer): what is held serves it.
        assert sources.interaction_forms([b.pk], today) == {b.pk: fresh()[b.pk]}
        assert len(calls) == 5
    finally:
        analysis.analyse_many = restore


def test_the_dashboard_thumbnail_draws_the_key_accounts_and_the_best_others(
    client, director, ana, monkeypatch
):
    """On the page: past the limit, the thumbnail holds every key account and the best placed
    others, and says how many it leaves to the full matrix."""
    from kamp.customers.models import CustomerStatus
    from tests.factories import CustomerFactory
    from tests.selection.factories import HIGH, LOW, score

    monkeypatch.setattr(views, "MATRIX_THUMBNAIL_POINTS", 3)
    key = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT, owner=ana, name="Key")
    score(key, director, LOW, 2)
    best = CustomerFactory(name="Best")
    score(best, director, HIGH, 6)
    good = CustomerFactory(name="Good")
    score(good, director, HIGH, 4)
    for i in range(3):
        score(CustomerFactory(name=f"Low {i}"), director, LOW, 1)
    client.force_login(director)
    response = client.get("/programme/")
    shown = {p["name"]: p["key"] for p in response.context["chart"]["matrix"]}
    assert shown == {"Key": True, "Best": False, "Good": False}
    assert response.context["matrix_hidden"] == 3
    assert "3 shown, 3 more on the full matrix" in response.content.decode()


def test_the_dashboard_groups_link_each_key_account_with_its_name_escaped(client, director, ana):
    from kamp.customers.models import CustomerStatus
    from tests.factories import CustomerFactory

    odd = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT, owner=ana, name="<b>Ríos & Hijos</b>")
    plain = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT, owner=ana, name="Andes SA")
    client.force_login(director)
    body = client.get("/programme/").content.decode()
    groups = body.split('class="group-list"')[1]
    assert f'<a href="/customers/{odd.pk}/">&lt;b&gt;Ríos &amp; Hijos&lt;/b&gt;</a>' in groups
    assert f'<a href="/customers/{plain.pk}/">Andes SA</a>' in groups
    assert "<b>Ríos" not in body
