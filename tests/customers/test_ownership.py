"""Nobody takes over an account: the owner changes only by handing it over (a director, an admin
or the owning KAM), the status only by a selection decision — through the form, the API, the
actions — and the parent field never offers or names a customer the user may not see."""

import ast
import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kamp.core.models import AuditEvent
from kamp.customers import actions
from kamp.customers.access import can_see_economics
from kamp.customers.models import Customer, CustomerStatus
from kamp.team.models import OwnershipChange
from tests.factories import CustomerFactory, TeamMemberFactory

API = "/api/v1/customers"


def _json(client, method, url, body=None, **headers):
    return getattr(client, method)(
        url, data=json.dumps(body or {}), content_type="application/json", headers=headers
    )


def _form(account, **extra):
    data = {
        "name": account.name,
        "tax_id": account.tax_id,
        "country": account.country,
        "industry": account.industry,
        "region": account.region,
        "version": account.version,
    }
    data.update(extra)
    return data


# --- the edit form ------------------------------------------------------------------------------


def test_member_cannot_take_the_account_through_the_edit_form(client_for, account, member):
    c = client_for(member)
    page = c.get(reverse("customers:edit", args=[account.pk])).content.decode()
    assert 'name="owner"' not in page and 'name="status"' not in page
    r = c.post(
        reverse("customers:edit", args=[account.pk]),
        _form(account, owner=member.pk, status="candidate", notes="mine now"),
    )
    assert r.status_code == 302
    account.refresh_from_db()
    assert account.notes == "mine now"  # the ordinary fields are saved…
    assert account.owner.email == "ana@supplier.test"  # …the owner and status are not
    assert account.status == CustomerStatus.KEY_ACCOUNT


def test_kam_on_the_team_cannot_take_the_account_through_the_edit_form(client_for, account, bruno):
    TeamMemberFactory(customer=account, user=bruno)
    r = client_for(bruno).post(
        reverse("customers:edit", args=[account.pk]), _form(account, owner=bruno.pk)
    )
    assert r.status_code == 302
    account.refresh_from_db()
    assert account.owner.email == "ana@supplier.test"
    assert not can_see_economics(bruno, account)


def test_new_customer_form_owner_field_only_for_directors(client_for, ana, bruno, director):
    page = client_for(ana).get(reverse("customers:create")).content.decode()
    assert 'name="owner"' not in page and 'name="status"' not in page
    r = client_for(ana).post(
        reverse("customers:create"), {"name": "Nueva SpA", "country": "CL", "owner": bruno.pk}
    )
    assert r.status_code == 302
    new = Customer.objects.get(name="Nueva SpA")
    assert new.owner == ana and new.status == CustomerStatus.CANDIDATE

    assert 'name="owner"' in client_for(director).get(reverse("customers:create")).content.decode()
    r = client_for(director).post(
        reverse("customers:create"),
        {"name": "Otra SpA", "country": "CL", "owner": bruno.pk, "status": "key_account"},
    )
    assert r.status_code == 302
    other = Customer.objects.get(name="Otra SpA")
    assert other.owner == bruno and other.status == CustomerStatus.CANDIDATE


# --- the API ------------------------------------------------------------------------------------


@pytest.mark.parametrize("field, value", [("owner_id", "member"), ("status", "candidate")])
def test_member_cannot_patch_owner_or_status(client_for, account, member, field, value):
    body = {field: member.pk if value == "member" else value}
    r = _json(client_for(member), "patch", f"{API}/{account.pk}", body)
    assert r.status_code == 422 and field in r.json()["detail"]
    account.refresh_from_db()
    assert account.owner.email == "ana@supplier.test"
    assert account.status == CustomerStatus.KEY_ACCOUNT


def test_kam_on_another_kams_team_cannot_patch_themself_owner(client_for, account, bruno):
    TeamMemberFactory(customer=account, user=bruno)
    r = _json(client_for(bruno), "patch", f"{API}/{account.pk}", {"owner_id": bruno.pk})
    assert r.status_code == 422
    assert "hand" in r.json()["detail"]["owner_id"][0]
    account.refresh_from_db()
    assert account.owner.email == "ana@supplier.test" and not can_see_economics(bruno, account)
    # Nor through the hand-over endpoint: he is on the team, not the owner.
    r = _json(client_for(bruno), "post", f"{API}/{account.pk}/owner", {"owner_id": bruno.pk})
    assert r.status_code == 403
    account.refresh_from_db()
    assert account.owner.email == "ana@supplier.test"


def test_api_create_refuses_someone_elses_owner_and_a_status(client_for, ana, bruno, director):
    r = _json(client_for(ana), "post", f"{API}/", {"name": "Nueva SpA", "owner_id": bruno.pk})
    assert r.status_code == 403
    r = _json(client_for(ana), "post", f"{API}/", {"name": "Nueva SpA", "status": "key_account"})
    assert r.status_code == 422 and "status" in r.json()["detail"]
    assert not Customer.objects.filter(name="Nueva SpA").exists()
    r = _json(client_for(ana), "post", f"{API}/", {"name": "Nueva SpA"})
    assert r.status_code == 201 and r.json()["owner_id"] == ana.pk
    r = _json(client_for(director), "post", f"{API}/", {"name": "Otra SpA", "owner_id": bruno.pk})
    assert r.status_code == 201 and r.json()["owner_id"] == bruno.pk


@pytest.mark.parametrize(
    "person, status",
    [("ana", 200), ("director", 200), ("admin", 200), ("member", 403), ("bruno", 403)],
)
def test_hand_over_through_the_api(request, client_for, account, bruno, person, status):
    user = request.getfixturevalue(person)
    r = _json(
        client_for(user),
        "post",
        f"{API}/{account.pk}/owner",
        {"owner_id": bruno.pk, "reason": "rotation"},
    )
    assert r.status_code == status, r.content
    account.refresh_from_db()
    if status == 200:
        assert r.json()["owner_id"] == bruno.pk and account.owner == bruno
        change = OwnershipChange.objects.get(customer=account)
        assert change.previous_owner.email == "ana@supplier.test" and change.reason == "rotation"
        event = AuditEvent.objects.get(customer_id=account.pk, object_type="customers.customer")
        assert event.summary == "Owner changed from Ana KAM to Bruno KAM"
        assert event.actor == user
    else:
        assert account.owner.email == "ana@supplier.test"
        assert not OwnershipChange.objects.exists()


def test_hand_over_to_someone_who_cannot_own_is_refused(client_for, account, member, director):
    r = _json(client_for(director), "post", f"{API}/{account.pk}/owner", {"owner_id": member.pk})
    assert r.status_code == 422
    r = _json(client_for(director), "post", f"{API}/{account.pk}/owner", {"owner_id": 10**9})
    assert r.status_code == 422
    account.refresh_from_db()
    assert account.owner.email == "ana@supplier.test"


# --- the actions themselves ---------------------------------------------------------------------


def test_update_action_refuses_owner_and_status(account, director, bruno):
    with pytest.raises(ValidationError):
        actions.do_update_customer(director, account, owner=bruno)
    with pytest.raises(ValidationError):
        actions.do_update_customer(director, account, status=CustomerStatus.FORMER)


def test_set_owner_checks_the_rule_itself(account, member, bruno, ana):
    TeamMemberFactory(customer=account, user=bruno)
    for who in (member, bruno):
        with pytest.raises(PermissionDenied):
            actions.do_set_owner(who, account, who if who == bruno else bruno)
    account.refresh_from_db()
    assert account.owner == ana
    assert actions.do_set_owner(ana, account, bruno) == ana  # the owning KAM hands over
    account.refresh_from_db()
    assert account.owner == bruno


# --- the parent field ---------------------------------------------------------------------------


def test_parent_field_offers_and_accepts_only_visible_customers(client_for, account, member):
    hidden = CustomerFactory(name="Holding Secreto", tax_id="96.812.440-4")
    c = client_for(member)
    assert b"Holding Secreto" not in c.get(reverse("customers:lookup"), {"q": "Holding"}).content
    r = c.post(reverse("customers:edit", args=[account.pk]), _form(account, parent="96.812.440-4"))
    assert r.status_code == 200 and "No customer" in r.content.decode()
    r = c.post(
        reverse("customers:edit", args=[account.pk]), _form(account, parent="Holding Secreto")
    )
    assert r.status_code == 200 and "No customer" in r.content.decode()
    account.refresh_from_db()
    assert account.parent_id is None and hidden.pk


def test_invisible_parent_is_neither_named_nor_lost(client_for, account, member, director):
    hidden = CustomerFactory(name="Holding Secreto", tax_id="96.812.440-4")
    actions.do_update_customer(director, account, parent=hidden)
    account.refresh_from_db()
    c = client_for(member)
    page = c.get(reverse("customers:edit", args=[account.pk])).content.decode()
    assert "Holding Secreto" not in page and "96.812.440-4" not in page
    r = c.post(reverse("customers:edit", args=[account.pk]), _form(account, notes="hola"))
    assert r.status_code == 302
    account.refresh_from_db()
    assert account.parent == hidden and account.notes == "hola"
    # A director sees and may change it as before.
    page = client_for(director).get(reverse("customers:edit", args=[account.pk])).content.decode()
    assert "Holding Secreto (96.812.440-4)" in page


# --- no other code assigns them -----------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
GUARDED = {"owner", "owner_id", "status"}
# Where a customer's owner or status may be assigned, and why. Everything under tests/ is out of
# the scan: factories and fixtures build the situations the tests need.
ALLOWED = {
    ("kamp/customers/actions.py", "do_set_owner"): "the ownership rule's own action",
    (
        "kamp/customers/actions.py",
        "do_create_customer",
    ): "a new customer: a candidate, owner by rule",
    ("kamp/selection/actions.py", "do_decide"): "the selection decision's own action",
    ("kamp/core/demo.py", "*"): "the demo loader builds its story's accounts",
    ("kamp/customers/demo.py", "*"): "the demo loader builds its story's accounts",
    ("bench/generate.py", "*"): "benchmark data generator",
    ("bench/customer_list.py", "*"): "benchmark data generator",
    ("bench/economics.py", "*"): "benchmark data generator",
    ("bench/load.py", "*"): "benchmark data generator",
    ("bench/pages.py", "*"): "benchmark data generator",
    ("bench/sync.py", "*"): "benchmark data generator",
    ("kamp/mailcapture/sync.py", "*"): "a captured mail's own state (logged, to resolve…)",
    ("kamp/mailcapture/actions.py", "*"): "a captured mail's own state (logged, dismissed)",
}
# Calls that write what their keywords name (a filter() only reads).
WRITERS = {"Customer", "create", "update", "get_or_create", "update_or_create", "bulk_update"}
# Objects with an owner or a status of their own, which are not customers.
OTHER_OBJECTS = {
    "batch",
    "item",
    "action",
    "risk",
    "initiative",
    "objective",
    "plan",
    "run",
    "delivery",
}


def _guarded_assignments(path: Path):
    """(function, line, what) for each assignment of a guarded field in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node, func):
        for child in ast.iter_child_nodes(node):
            name = func
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = child.name
            targets = []
            if isinstance(child, ast.Assign):
                targets = child.targets
            elif isinstance(child, (ast.AugAssign, ast.AnnAssign)):
                targets = [child.target]
            for t in targets:
                if isinstance(t, ast.Attribute) and t.attr in GUARDED:
                    base = t.value.id if isinstance(t.value, ast.Name) else ""
                    if base not in OTHER_OBJECTS:
                        found.append((name, child.lineno, f"{base}.{t.attr} ="))
            if isinstance(child, ast.Call):
                fn = child.func
                callee = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
                text = ast.unparse(fn)
                if callee == "setattr" and len(child.args) >= 2:
                    arg = child.args[1]
                    if isinstance(arg, ast.Constant) and arg.value in GUARDED:
                        found.append((name, child.lineno, f"setattr(…, {arg.value!r})"))
                if callee in WRITERS and "customer" in text.lower():
                    for kw in child.keywords:
                        if kw.arg in GUARDED:
                            found.append((name, child.lineno, f"{text}({kw.arg}=…)"))
                        if kw.arg == "defaults" and isinstance(kw.value, ast.Dict):
                            for key in kw.value.keys:
                                if isinstance(key, ast.Constant) and key.value in GUARDED:
                                    found.append((name, child.lineno, f"{text}(defaults=…)"))
                    for arg in child.args[1:]:  # bulk_update(objs, ["status", …])
                        if isinstance(arg, (ast.List, ast.Tuple)) and any(
                            isinstance(e, ast.Constant) and e.value in GUARDED for e in arg.elts
                        ):
                            found.append((name, child.lineno, f"{text}([… guarded field …])"))
            visit(child, name)

    visit(tree, "<module>")
    return found


def test_owner_and_status_are_assigned_only_in_their_actions():
    offences = []
    for top in ("kamp", "bench"):
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel:
                continue  # migrations: schema history, never run against live decisions
            for func, line, what in _guarded_assignments(path):
                if (rel, func) in ALLOWED or (rel, "*") in ALLOWED:
                    continue
                offences.append(f"{rel}:{line} in {func}: {what}")
    assert not offences, "owner/status assigned outside their actions:\n" + "\n".join(offences)


def test_the_scan_catches_an_assignment(tmp_path):
    """The scan is not blind: each form of assignment it looks for is found."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def sneaky(customer, user):\n"
        "    customer.owner = user\n"
        "    customer.status = 'key_account'\n"
        "    setattr(customer, 'owner_id', 3)\n"
        "    Customer.objects.filter(pk=1).update(status='former')\n"
        "    Customer.objects.bulk_update([customer], ['owner'])\n"
        "    Customer(name='x', owner=user)\n"
        "    Customer.objects.update_or_create(pk=1, defaults={'status': 'former'})\n"
        "def fine(batch):\n"
        "    batch.status = 'done'\n"
    )
    found = _guarded_assignments(sample)
    assert [f for f, _line, _what in found] == ["sneaky"] * 7, found


# --- the customers import -----------------------------------------------------------------------


def _import(tmp_path, user, rows):
    from kamp.core.imports import ImportOptions, run_import
    from tests.core.import_helpers import write_csv

    path = write_csv(tmp_path / "clientes.csv", [["RUT", "Razón social", "KAM", "Estado"], *rows])
    return run_import("customers", path, user=user, options=ImportOptions())


def test_import_by_a_team_kam_cannot_take_the_account(tmp_path, account, bruno):
    TeamMemberFactory(customer=account, user=bruno)
    batch = _import(tmp_path, bruno, [[account.tax_id, account.name, bruno.email, "Cuenta clave"]])
    assert batch.errors and batch.errors[0]["line"] == 2 and batch.errors[0]["column"] == "KAM"
    assert "owning KAM hands an account over" in batch.errors[0]["message"]
    account.refresh_from_db()
    assert account.owner.email == "ana@supplier.test" and not OwnershipChange.objects.exists()


def test_import_cannot_change_a_status_nor_make_a_kams_new_customer_a_key_account(
    tmp_path, account, ana, director
):
    batch = _import(tmp_path, director, [[account.tax_id, account.name, ana.email, "Candidato"]])
    assert [(e["line"], e["column"]) for e in batch.errors] == [(2, "Estado")]
    assert "selection decision" in batch.errors[0]["message"]
    batch = _import(tmp_path, ana, [["96.790.240-3", "Nueva SpA", ana.email, "Cuenta clave"]])
    assert [(e["line"], e["column"]) for e in batch.errors] == [(2, "Estado")]
    account.refresh_from_db()
    assert account.status == CustomerStatus.KEY_ACCOUNT
    assert not Customer.objects.filter(name="Nueva SpA").exists()


def test_import_by_a_kam_names_only_themself_on_new_customers(tmp_path, ana, bruno):
    batch = _import(tmp_path, ana, [["96.790.240-3", "Nueva SpA", bruno.email, "Candidato"]])
    assert [(e["line"], e["column"]) for e in batch.errors] == [(2, "KAM")]
    batch = _import(tmp_path, ana, [["96.790.240-3", "Nueva SpA", ana.email, "Candidato"]])
    assert not batch.errors
    assert Customer.objects.get(name="Nueva SpA").owner == ana


def test_import_hand_over_goes_through_the_action(tmp_path, account, ana, bruno, director):
    batch = _import(
        tmp_path, director, [[account.tax_id, account.name, bruno.email, "Cuenta clave"]]
    )
    assert not batch.errors, batch.errors
    account.refresh_from_db()
    assert account.owner == bruno
    change = OwnershipChange.objects.get(customer=account)
    assert change.previous_owner == ana and change.changed_by == director
    assert AuditEvent.objects.filter(
        customer_id=account.pk, summary="Owner changed from Ana KAM to Bruno KAM"
    ).exists()


def test_customer_page_names_no_invisible_group_company(client_for, account, member, director):
    hidden_parent = CustomerFactory(name="Holding Secreto")
    CustomerFactory(name="Filial Secreta", parent=account)
    actions.do_update_customer(director, account, parent=hidden_parent)
    for url in (
        reverse("customers:detail", args=[account.pk]),
        reverse("customers:people", args=[account.pk]),
    ):
        page = client_for(member).get(url).content.decode()
        assert "Holding Secreto" not in page and "Filial Secreta" not in page, url
    page = client_for(director).get(reverse("customers:detail", args=[account.pk])).content.decode()
    assert "Holding Secreto" in page and "Filial Secreta" in page


def test_stale_hand_over_form_does_not_replace_a_hand_over_made_meanwhile(
    client_for, account, director, admin, bruno
):
    from tests.factories import UserFactory

    carla = UserFactory(email="carla@supplier.test", name="Carla KAM")
    url = reverse("team:owner_change", args=[account.pk])
    opened = account.version  # both directors open the team page
    r = client_for(admin).post(
        url, {"owner-new_owner": bruno.pk, "owner-reason": "rotation", "owner-version": opened}
    )
    assert r.status_code in (200, 302)
    r = client_for(director).post(
        url, {"owner-new_owner": carla.pk, "owner-reason": "other plan", "owner-version": opened}
    )
    text = r.content.decode()
    assert "Someone else changed this account" in text and "Bruno KAM" in text
    account.refresh_from_db()
    assert account.owner == bruno and OwnershipChange.objects.count() == 1
    # Choosing again, on the account as it is now, hands it over.
    version = re.search(r'name="owner-version" value="(\d+)"', text).group(1)
    client_for(director).post(
        url, {"owner-new_owner": carla.pk, "owner-reason": "other plan", "owner-version": version}
    )
    account.refresh_from_db()
    assert account.owner == carla
