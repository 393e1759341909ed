"""The API, `kamp relationships --json`, `kamp relationships remind` and `kamp import relationship`."""

import csv
import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from kamp.relationships import actions
from kamp.relationships.models import Assessment

from .conftest import answer_and_close, counting_with

API = "/api/v1/relationships"


def test_api_requires_login(anonymous, account):
    assert anonymous.get(f"{API}/customers/{account.pk}").status_code == 401
    assert anonymous.get(f"{API}/portfolio").status_code == 401


@pytest.mark.parametrize(
    "person, status",
    [("ana", 201), ("member", 201), ("director", 201), ("bruno", 403), ("viewer", 403)],
)
def test_api_create_assessment_who(request, client_for, account, person, status):
    user = request.getfixturevalue(person)
    r = client_for(user).post(
        f"{API}/customers/{account.pk}/assessments",
        {"ro": 2, "ds": 6, "db": 3},
        content_type="application/json",
    )
    assert r.status_code == status
    if status == 201:
        assert r.json()["type"] == "vulnerable_supplier" and r.json()["relative_power"] == -3


def test_api_member_off_team_404(client_for, member, other_account):
    assert client_for(member).get(f"{API}/customers/{other_account.pk}").status_code == 404


def test_api_rejects_out_of_scale(client_for, ana, account):
    r = client_for(ana).post(
        f"{API}/customers/{account.pk}/assessments",
        {"ro": 8, "ds": 6, "db": 3},
        content_type="application/json",
    )
    assert r.status_code == 422 and Assessment.objects.count() == 0


def test_api_relationship_and_results(client_for, ana, viewer, survey):
    counting_with(2, 2)
    answer_and_close(survey, ana, 5)
    body = client_for(viewer).get(f"{API}/customers/{survey.customer_id}").json()
    assert body["latest_round"]["team_rqi"] == 5.0
    assert body["latest_round"]["standing"] == "counted"
    assert body["stage"]["suggested"] == "exploratory"
    res = client_for(viewer).get(f"{API}/rounds/{survey.pk}").json()
    keys = [c["key"] for c in res["constructs"]]
    assert "rqi" in keys and res["customer"]["identifying"] is True


def test_api_stage(client_for, ana, viewer, account):
    assert (
        client_for(viewer)
        .post(
            f"{API}/customers/{account.pk}/stage",
            {"stage": "basic"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    r = client_for(ana).post(
        f"{API}/customers/{account.pk}/stage", {"stage": "basic"}, content_type="application/json"
    )
    assert r.status_code == 422  # override without a reason
    r = client_for(ana).post(
        f"{API}/customers/{account.pk}/stage",
        {"stage": "basic", "reason": "Orders paused for a project"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["current"] == "basic"


def test_api_portfolio(client_for, director, account, ana):
    actions.do_assess(ana, account, ro=6, ds=5, db=5)
    rows = client_for(director).get(f"{API}/portfolio").json()
    assert rows[0]["type"] == "collaborative_partnership"


def test_cli_json(account, other_account, ana, bruno):
    actions.do_assess(ana, account, ro=3, ds=5, db=5, date=date(2025, 1, 1))
    actions.do_assess(ana, account, ro=6, ds=5, db=5.5, date=date(2026, 1, 1))
    actions.do_assess(bruno, other_account, ro=2, ds=2, db=6)
    out = io.StringIO()
    call_command("relationships", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert rows == [
        {
            "customer": {
                "id": account.pk,
                "tax_id": account.tax_id,
                "external_id": account.external_id,
                "name": "Constructora CS",
            },
            "ro": 6.0,
            "ds": 5.0,
            "db": 5.5,
            "relative_power": 0.5,
            "type": "collaborative_partnership",
            "date": "2026-01-01",
        },
        {
            "customer": {
                "id": other_account.pk,
                "tax_id": other_account.tax_id,
                "external_id": other_account.external_id,
                "name": "Minera Norte",
            },
            "ro": 2.0,
            "ds": 2.0,
            "db": 6.0,
            "relative_power": 4.0,
            "type": "vulnerable_buyer",
            "date": timezone.localdate().isoformat(),
        },
    ]


def test_cli_remind(survey, mailoutbox, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("relationships", "remind", stdout=out)
    assert "4 reminders sent" in out.getvalue() and len(mailoutbox) == 4


def _csv(tmp_path, rows):
    path = tmp_path / "rel.csv"
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.write_text(buf.getvalue())
    return path


def test_import_relationship(tmp_path, account, other_account, admin):
    from kamp.core.imports import run_import

    path = _csv(
        tmp_path,
        [
            ["customer", "ro", "ds", "db", "date"],
            ["76.123.456-0", "6", "5", "5", "2026-01-01"],
            ["Minera Norte", "2,5", "2", "6", ""],
        ],
    )
    batch = run_import("relationship", path, user=admin)
    assert batch.status == "done", batch.errors
    a = Assessment.objects.get(customer=account)
    assert a.type == "collaborative_partnership" and a.ro_source == "imported"
    b = Assessment.objects.get(customer=other_account)
    assert b.type == "vulnerable_buyer" and b.date == timezone.localdate()
    # re-importing updates, never duplicates
    path = _csv(
        tmp_path,
        [["customer", "ro", "ds", "db", "date"], ["76.123.456-0", "3", "5", "5", "2026-01-01"]],
    )
    batch = run_import("relationship", path, user=admin)
    assert batch.status == "done" and Assessment.objects.filter(customer=account).count() == 1
    assert Assessment.objects.get(customer=account).type == "competitive_interaction"


def test_import_bad_rows(tmp_path, account, admin):
    from kamp.core.imports import run_import

    path = _csv(
        tmp_path,
        [
            ["customer", "ro", "ds", "db", "date"],
            ["76.123.456-0", "9", "5", "5", ""],
            ["Nobody", "5", "5", "5", ""],
            ["76.123.456-0", "5", "5", "5", (timezone.localdate() + timedelta(days=3)).isoformat()],
        ],
    )
    batch = run_import("relationship", path, user=admin)
    assert batch.status != "done" or batch.created_count == 0
    assert len(batch.errors) == 3 and Assessment.objects.count() == 0


def test_import_only_editable_customers(tmp_path, account, other_account, ana):
    from kamp.core.imports import run_import

    path = _csv(tmp_path, [["customer", "ro", "ds", "db"], ["Minera Norte", "5", "5", "5"]])
    batch = run_import("relationship", path, user=ana)
    assert batch.errors and Assessment.objects.count() == 0


def test_cli_import_command(tmp_path, account):
    path = _csv(tmp_path, [["customer", "ro", "ds", "db"], ["Constructora CS", "2", "6", "3"]])
    out = io.StringIO()
    call_command("import", "relationship", str(path), stdout=out)
    assert Assessment.objects.get().type == "vulnerable_supplier"


def test_api_round_access(client_for, survey, member, viewer, bruno):
    from kamp.core.choices import Role
    from tests.factories import UserFactory

    outsider = UserFactory(email="off-team@supplier.test", role=Role.MEMBER)
    assert client_for(outsider).get(f"{API}/rounds/{survey.pk}").status_code == 404
    assert client_for(viewer).get(f"{API}/rounds/{survey.pk}").status_code == 200
    assert client_for(viewer).post(f"{API}/rounds/{survey.pk}/remind").status_code == 403
    assert client_for(bruno).post(f"{API}/rounds/{survey.pk}/remind").status_code == 403
    assert client_for(member).post(f"{API}/rounds/{survey.pk}/remind").json() == {"reminded": 4}
    assert (
        client_for(outsider).get(f"{API}/customers/{survey.customer_id}/rounds").status_code == 404
    )


@pytest.mark.parametrize("person", ["admin", "director", "ana", "bruno", "member", "viewer"])
def test_api_readers(request, client_for, survey, person):
    c = client_for(request.getfixturevalue(person))
    cid = survey.customer_id
    for url in [
        f"{API}/customers/{cid}",
        f"{API}/customers/{cid}/assessments",
        f"{API}/customers/{cid}/rounds",
        f"{API}/rounds/{survey.pk}",
        f"{API}/customers/{cid}/stage",
        f"{API}/portfolio",
    ]:
        assert c.get(url).status_code == 200, url


def test_api_outsider_sees_nothing(client_for, survey):
    from kamp.core.choices import Role
    from tests.factories import UserFactory

    c = client_for(UserFactory(email="off@supplier.test", role=Role.MEMBER))
    cid = survey.customer_id
    for url in [
        f"{API}/customers/{cid}",
        f"{API}/customers/{cid}/assessments",
        f"{API}/customers/{cid}/rounds",
        f"{API}/rounds/{survey.pk}",
        f"{API}/customers/{cid}/stage",
    ]:
        assert c.get(url).status_code == 404, url
    assert c.get(f"{API}/portfolio").json() == []
    assert (
        c.post(
            f"{API}/customers/{cid}/stage",
            {"stage": "basic", "reason": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
