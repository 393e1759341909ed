"""Scoring of the KAM readiness self-assessment (kam-domain.md §9). Pure module (no Django).

A questionnaire is a list of questions ``{"key", "area", "points": [0, 1, 2, 3]}``; answers map
question key -> chosen option index. Area scores are percentages of the points available among
the questions answered in that area.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

LEVELS = (  # (minimum overall %, level key)
    (80, "advanced"),
    (60, "established"),
    (35, "developing"),
    (0, "starting"),
)


def score(questions: Sequence[Mapping], answers: Mapping[str, int]) -> dict:
    """{"areas": {area: percent | None}, "overall": percent | None, "level": key | None,
    "answered": n, "total": n}."""
    got: dict[str, float] = {}
    possible: dict[str, float] = {}
    areas: list[str] = []
    answered = 0
    for q in questions:
        if q["area"] not in areas:
            areas.append(q["area"])
        idx = answers.get(q["key"])
        if idx is None or not (0 <= int(idx) < len(q["points"])):
            continue
        answered += 1
        got[q["area"]] = got.get(q["area"], 0) + q["points"][int(idx)]
        possible[q["area"]] = possible.get(q["area"], 0) + max(q["points"])
    area_scores = {
        a: (round(100 * got[a] / possible[a]) if possible.get(a) else None) for a in areas
    }
    total_possible = sum(possible.values())
    overall = round(100 * sum(got.values()) / total_possible) if total_possible else None
    return {
        "areas": area_scores,
        "overall": overall,
        "level": level(overall),
        "answered": answered,
        "total": len(questions),
    }


def level(overall: float | None) -> str | None:
    if overall is None:
        return None
    for minimum, key in LEVELS:
        if overall >= minimum:
            return key
    return LEVELS[-1][1]


def next_steps(questions: Sequence[Mapping], answers: Mapping[str, int], n: int = 3) -> list[str]:
    """The keys of the ``n`` questions to work on first: the lowest-scoring answers (below the
    top option), one per area before a second from the same area, in questionnaire order."""
    scored = []
    for order, q in enumerate(questions):
        idx = answers.get(q["key"])
        if idx is None:
            continue
        pts = q["points"][int(idx)]
        if pts >= max(q["points"]):
            continue
        scored.append((pts / max(q["points"]), order, q))
    scored.sort(key=lambda t: (t[0], t[1]))
    chosen: list[str] = []
    seen_areas: set[str] = set()
    for _frac, _order, q in scored:
        if q["area"] not in seen_areas:
            chosen.append(q["key"])
            seen_areas.add(q["area"])
        if len(chosen) == n:
            return chosen
    for _frac, _order, q in scored:
        if q["key"] not in chosen:
            chosen.append(q["key"])
        if len(chosen) == n:
            break
    return chosen


def compare(previous: Mapping[str, float | None], current: Mapping[str, float | None]) -> dict:
    """Change per area between two takes (None where either is missing)."""
    out: dict[str, float | None] = {}
    for a in current:
        now, before = current.get(a), previous.get(a)
        out[a] = None if now is None or before is None else now - before
    return out
