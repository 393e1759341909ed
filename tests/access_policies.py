"""The role table of docs/roles.md, read by the access matrix (tests/test_access_all_urls.py),
and the shapes of the rows each app declares in ``tests/<app>/access_rows.py``.

The document is the one source of truth: a rule changes there, in words people read, and the
matrix follows. Each row names a URL (by its name, never by its view module: views move) or an
API operation (method and path), says how to build its arguments from the objects of
tests/access_world.py, and gives the policy of each method.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tests.access_world import PEOPLE, World

ROLES_DOC = Path(__file__).resolve().parent.parent / "docs" / "roles.md"
OUTCOMES = {"ok", "403", "404", "login"}

# What a row leaves out: a method the URL does not take (answered 405).
NOT_ALLOWED = "NOT_ALLOWED"

Build = Callable[[World], Any]


def _nothing(w: World) -> dict:
    return {}


@dataclass(frozen=True)
class Web:
    """A URL pattern of the site, by name. ``get``/``post``: a policy of the role table, or
    NOT_ALLOWED. ``data``: what a POST sends (a harmless, valid form where one is easy)."""

    name: str
    get: str
    post: str
    kwargs: Build = _nothing
    data: Build = _nothing
    query: str = ""
    # What an allowed GET answers (a page that sends a logged-in person on: 302).
    ok_get: tuple[int, ...] = (200,)
    # A refusal the matrix found that another engineer is fixing: {(method, person): reason}.
    known_bugs: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class Api:
    """One operation of the API under /api/v1: ``path`` as the router declares it
    (``/customers/{customer_id}``), ``params`` fills its braces."""

    method: str
    path: str
    policy: str
    params: Build = _nothing
    body: Build | None = None
    query: str = ""
    known_bugs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Exempt:
    """URL names (or a name prefix ending in ``:``) the matrix does not request, and why."""

    names: tuple[str, ...]
    reason: str


@cache
def role_table() -> dict[str, dict[str, str]]:
    """{policy: {person: outcome}} from the table in docs/roles.md whose header starts
    ``| Policy |``."""
    rows: dict[str, dict[str, str]] = {}
    header: list[str] | None = None
    for line in ROLES_DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if "|" in line else []
        if not cells:
            if header is not None and rows:
                break
            continue
        if header is None:
            if cells[0] == "Policy":
                header = [c.strip("`") for c in cells]
            continue
        if re.fullmatch(r":?-+:?", cells[0]):
            continue
        policy = cells[0].strip("`")
        rows[policy] = {
            person: cells[i].strip("`") for i, person in enumerate(header) if person in PEOPLE
        }
    if header is None:
        raise AssertionError(f"{ROLES_DOC}: no table headed '| Policy |'")
    missing = [p for p in PEOPLE if p not in header]
    if missing:
        raise AssertionError(f"{ROLES_DOC}: the role table has no column for {missing}")
    for policy, cells in rows.items():
        bad = {p: o for p, o in cells.items() if o not in OUTCOMES}
        if bad:
            raise AssertionError(f"{ROLES_DOC}: policy {policy}: unknown outcomes {bad}")
    return rows


def expected(policy: str, person: str) -> str:
    table = role_table()
    if policy not in table:
        raise AssertionError(f"policy {policy!r} is not in the table of {ROLES_DOC}")
    return table[policy][person]
