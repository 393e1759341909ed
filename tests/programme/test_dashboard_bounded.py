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
