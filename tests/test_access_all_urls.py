"""The access matrix: every URL of the site and every API operation, requested by every person
of docs/roles.md with real objects, against the rule its row names (architecture.md, "Permission
tests that cannot forget a URL").

- The rules are the table of docs/roles.md (tests/access_policies.py reads it).
- Each app declares its rows in tests/<app>/access_rows.py (URL name or API method and path →
  the rule of each method, and how to build the arguments); the objects are built once per
  module (tests/access_world.py), each request runs in its own rolled-back savepoint.
- The resolver and the API's routers are walked: a URL or operation without a row fails, and so
  does a row whose URL is gone. Exemptions carry their reason.
- A read answers 200 (or the refusal of its rule); a refused change answers 403/404/login and
  changes nothing in the database; an allowed change is not refused (its form may still find
  the data wanting: the rule is about who, not what).
"""

from __future__ import annotations

import hashlib
import json
from importlib import import_module

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_policies import NOT_ALLOWED, Api, Exempt, Web, expected, role_table
from tests.access_world import PEOPLE, build_world

APPS = [
    "core",
    "customers",
    "team",
    "economics",
    "selection",
    "relationships",
    "interactions",
    "plans",
    "programme",
    "reports",
    "connect",
    "mailcapture",
    "sso",
    "pipeline",
]
_modules = [import_module(f"tests.{app}.access_rows") for app in APPS]
WEB: list[Web] = [row for m in _modules for row in m.WEB]
API: list[Api] = [row for m in _modules for row in m.API]
EXEMPT: list[Exempt] = [e for m in _modules for e in getattr(m, "EXEMPT", [])]
API_PREFIX = "/api/v1"
API_NAMESPACE = "api-1"

# Tables a request may write without changing anything of kamp's: the session (a login, a
# logout) and the login throttle's log.
UNWATCHED_TABLES = {"django_session"}
UNWATCHED_PREFIXES = ("axes_",)
AUDIT_TABLE = "core_auditevent"


# --- what is there --------------------------------------------------------------------------
def _walk(resolver: URLResolver, namespace: str | None = None):
    """(name, namespace, pattern) of every URL pattern, names qualified by their namespaces."""
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p, ns)
        elif isinstance(p, URLPattern):
            name = p.name and (f"{namespace}:{p.name}" if namespace else p.name)
            yield name, namespace, p


def _is_api_operation(pattern: URLPattern) -> bool:
    # django-ninja serves each path of a router through one view holding its operations; those
    # are the API rows, walked through the routers below.
    return getattr(pattern.callback, "__module__", "") == "ninja.operation"


def site_urls() -> list[tuple[str | None, str | None, str]]:
    return [
        (name, ns, str(p.pattern))
        for name, ns, p in _walk(get_resolver())
        if not (ns == API_NAMESPACE and _is_api_operation(p))
    ]


def api_operations() -> list[tuple[str, str]]:
    from kamp.api import api

    ops = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                for method in op.methods:
                    ops.append((method, f"{prefix}{path}"))
    return ops


def _exempt(name: str | None, namespace: str | None) -> Exempt | None:
    for e in EXEMPT:
        for n in e.names:
            if n == name or (n.endswith(":") and f"{namespace}:".startswith(n)):
                return e
    return None


def test_every_url_has_a_row():
    rows = {r.name for r in WEB}
    missing = []
    for name, namespace, pattern in site_urls():
        if _exempt(name, namespace):
            continue
        if name is None:
            missing.append(f"unnamed URL pattern {pattern!r}: name it and give it a row")
        elif name not in rows:
            missing.append(name)
    assert not missing, (
        "URLs without a row in tests/<app>/access_rows.py (see docs/roles.md): "
        + ", ".join(missing)
    )


def test_every_api_operation_has_a_row():
    rows = {(r.method, r.path) for r in API}
    missing = [f"{m} {p}" for m, p in api_operations() if (m, p) not in rows]
    assert not missing, "API operations without a row in tests/<app>/access_rows.py: " + ", ".join(
        missing
    )


def test_every_row_is_a_url_and_said_once():
    names = {name for name, _ns, _p in site_urls()}
    web = [r.name for r in WEB]
    assert [n for n in web if n not in names] == [], "rows for URLs that no longer exist"
    assert len(web) == len(set(web)), "a URL with two rows"
    ops = set(api_operations())
    api = [(r.method, r.path) for r in API]
    assert [o for o in api if o not in ops] == [], "rows for API operations that no longer exist"
    assert len(api) == len(set(api)), "an API operation with two rows"
    for e in EXEMPT:
        assert e.reason.strip(), f"exemption {e.names} without a reason"


def test_every_rule_is_in_the_roles_table_and_used():
    table = role_table()
    used = {p for r in WEB for p in (r.get, r.post) if p != NOT_ALLOWED} | {r.policy for r in API}
    assert used - set(table) == set(), "rules the rows use that docs/roles.md does not state"
    assert set(table) - used == set(), "rules of docs/roles.md no URL follows"


# --- the matrix -----------------------------------------------------------------------------
def _cases():
    for row in WEB:
        for method, policy in (("GET", row.get), ("POST", row.post)):
            if policy == NOT_ALLOWED:
                # Not a change this URL makes: a logged-in person gets 405, or the page read
                # again, and nothing changes (anonymous is sent to the login first).
                yield pytest.param(
                    row, method, None, "director", id=f"{row.name}-{method}-unchanged"
                )
                continue
            for person in PEOPLE:
                marks = []
                if (method, person) in row.known_bugs:
                    reason = row.known_bugs[(method, person)]
                    marks.append(pytest.mark.xfail(strict=True, reason=reason))
                yield pytest.param(
                    row, method, policy, person, marks=marks, id=f"{row.name}-{method}-{person}"
                )
    for api_row in API:
        for person in PEOPLE:
            marks = []
            if person in api_row.known_bugs:
                marks.append(pytest.mark.xfail(strict=True, reason=api_row.known_bugs[person]))
            yield pytest.param(
                api_row,
                api_row.method,
                api_row.policy,
                person,
                marks=marks,
                id=f"{api_row.method} {api_row.path}-{person}",
            )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The people and objects, built once for the module inside a transaction rolled back at
    its end; each test's own (the ``db`` fixture) is a savepoint inside it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            w = build_world()
            sessions = {}
            for person, user in w.users.items():
                c = Client()
                c.force_login(user)
                sessions[person] = c.cookies[settings.SESSION_COOKIE_NAME].value
            w.objects["sessions"] = sessions
            _warm(w)
            # Every test starts from this state (its own changes are rolled back): one
            # fingerprint of it serves every "nothing changed".
            w.objects["fingerprint"] = fingerprint()
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# Pages whose first reading stores what later readings reuse (settings rows made on first
# load, the default selection model, the stored sales figures of a month): read once before
# the matrix, so that "a refused change changed nothing" is not fooled by them.
WARM_UP = [  # (URL name, whether it takes the account's pk)
    ("home", False),
    ("customers:detail", True),
    ("economics:customer_tab", True),
    ("economics:portfolio", False),
    ("selection:portfolio", False),
    ("selection:customer_tab", True),
    ("interactions:customer_tab", True),
    ("programme:dashboard", False),
]


def _warm(w) -> None:
    from kamp.core.models import SiteSettings
    from kamp.economics.models import EconomicsSettings
    from kamp.interactions.models import InteractionSettings
    from kamp.selection.engine import ensure_default_model

    SiteSettings.load()
    EconomicsSettings.load()
    InteractionSettings.load()
    ensure_default_model()
    c = Client()
    c.force_login(w.users["admin"])
    for name, takes_pk in WARM_UP:
        url = reverse(name, kwargs={"pk": w.account.pk} if takes_pk else None)
        assert c.get(url).status_code == 200, name


@pytest.fixture(autouse=True)
def _fresh_selection_memo():
    from kamp.selection import engine

    engine.forget()
    yield
    engine.forget()


def _client(world, person: str) -> Client:
    c = Client()
    if person != "anonymous":
        c.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[person]
    return c


def _watched_tables() -> list[str]:
    return sorted(
        t
        for t in connection.introspection.table_names()
        if t not in UNWATCHED_TABLES and not t.startswith(UNWATCHED_PREFIXES)
    )


def fingerprint() -> dict[str, str]:
    """A digest of every row of every table: equal before and after means nothing changed."""
    out = {}
    with connection.cursor() as cursor:
        for table in _watched_tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = sorted(repr(r) for r in cursor.fetchall())
            out[table] = hashlib.sha1("\n".join(rows).encode(), usedforsecurity=False).hexdigest()
    return out


def outcome(response, *, api: bool, ok_get: tuple[int, ...] = (200,), method: str) -> str:
    code = response.status_code
    if code == 401:  # the API's "log in first"
        return "login"
    location = response.get("Location", "")
    # The login middleware (and Django's admin) send to the login page with ?next=; a logout
    # lands on the login page without.
    if code == 302 and "/login/" in location and "next=" in location:
        return "login"
    if code in (403, 404, 405):
        return str(code)
    if method == "GET":
        if code in ok_get:
            return "ok"
        return f"{code} {response.get('Location', '')}".strip()
    if code in (401, 302) and api:
        return str(code)
    return "ok"


# The account's KAM investment and category spend (tests/access_world.py), as they may print.
SECRET_AMOUNTS = [b"123457", b"123,457", b"123.457", b"98765432", b"98,765,432", b"98.765.432"]


def _shows_only_what_one_may_see(world, person: str, response, what: str) -> None:
    """A page one may open shows nothing of an account one may not read (its name), and no
    amount of an account whose money one may not see."""
    content = response.content
    if expected("READ", person) == "404":
        assert world.account.name.encode() not in content, (
            f"{what} as {person} names {world.account.name}, which they may not read"
        )
    if expected("MONEY", person) != "ok":
        shown = [a.decode() for a in SECRET_AMOUNTS if a in content]
        assert not shown, f"{what} as {person} shows the account's amounts {shown}"


@pytest.mark.parametrize("row, method, policy, person", list(_cases()))
def test_access(world, db, row, method, policy, person):
    c = _client(world, person)
    is_api = isinstance(row, Api)
    if is_api:
        url = API_PREFIX + row.path.format(**row.params(world)) + row.query.format(w=world)
        kwargs = {}
        if method != "GET" and method != "DELETE":
            body = row.body(world) if row.body else {}
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    else:
        url = reverse(row.name, kwargs=row.kwargs(world) or None) + row.query
        kwargs = {"data": row.data(world)} if method == "POST" else {}
    want = "405" if policy is None else expected(policy, person)
    watch = policy is None or (method != "GET" and want in ("403", "404", "login"))
    response = getattr(c, method.lower())(url, **kwargs)
    got = outcome(response, api=is_api, ok_get=getattr(row, "ok_get", (200,)), method=method)
    if policy is None and response.status_code < 500:
        got = "405"  # refused, or answered like a read: what matters is that nothing changed
    assert got == want, (
        f"{method} {url} as {person}: expected {want} ({policy}), got {got}: "
        f"{response.content[:300]!r}"
    )
    if got == "ok" and person != "anonymous" and policy != "PUBLIC_TOKEN":
        _shows_only_what_one_may_see(world, person, response, f"{method} {url}")
    if watch:
        after = fingerprint()

        changed = [t for t in after if after[t] != world.fingerprint.get(t)]
        if policy is None:
            # A page read by the wrong method may still log that it was read (exports are
            # audited); it must change nothing else.
            changed = [t for t in changed if t != AUDIT_TABLE]
        assert not changed, f"{method} {url} as {person} was refused but changed {changed}"


# --- rules finer than a URL -----------------------------------------------------------------
@pytest.mark.parametrize("person", ["member", "kam_team", "kam_own", "director"])
def test_the_owner_and_status_change_only_by_their_own_rules(world, db, person):
    """Whoever may edit an account may not hand it over or change its status through the edit
    form or PATCH: the owner changes by handover (OWNER), the status by a selection decision
    (ACCOUNT_DECISION). The ordinary field sent beside them is saved (the edit went through)."""
    from kamp.customers.models import Customer

    a = world.account
    c = _client(world, person)
    new_owner = world.users["kam_team"].pk
    form = {
        "name": a.name,
        "tax_id": a.tax_id,
        "country": a.country,
        "industry": a.industry,
        "region": "Biobío",
        "currency": a.currency,
        "owner": new_owner,
        "status": "former",
        "version": a.version,
    }
    c.post(reverse("customers:edit", kwargs={"pk": a.pk}), form)
    after = Customer.objects.get(pk=a.pk)
    assert after.region == "Biobío", "the edit form did not save"
    assert (after.owner_id, after.status) == (a.owner_id, a.status)

    for body in ({"owner_id": new_owner}, {"status": "former"}):
        r = c.patch(
            f"{API_PREFIX}/customers/{a.pk}",
            data=json.dumps({**body, "region": "Maule"}),
            content_type="application/json",
        )
        assert r.status_code == 422, r.content
    after = Customer.objects.get(pk=a.pk)
    assert (after.owner_id, after.status, after.region) == (a.owner_id, a.status, "Biobío")


@pytest.mark.parametrize("person", PEOPLE[1:])
def test_the_history_shows_money_only_to_whom_the_money_rule_allows(world, db, person):
    """The History tab (READ) lists the account's changes, amounts included (a KAM investment
    and a category spend were recorded): the amounts only for those the MONEY rule lets see
    them, in whatever form they print."""
    url = reverse("customers:history", kwargs={"pk": world.account.pk})
    response = _client(world, person).get(url)
    if expected("READ", person) != "ok":
        assert response.status_code == 404
        return
    html = response.content.decode()
    amounts = {"123457", "123,457", "123.457", "98765432", "98,765,432", "98.765.432"}
    shown = sorted(a for a in amounts if a in html)
    if expected("MONEY", person) == "ok":
        assert shown, f"{person} should see the amounts on the History tab"
    else:
        assert shown == [], f"{person} sees amounts on the History tab: {shown}"
