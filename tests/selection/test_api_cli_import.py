import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kamp.customers.models import CustomerStatus
from kamp.selection import engine
from kamp.selection.models import Assessment, Decision, SelectionModel
from tests.factories import CustomerFactory

from .factories import HIGH, LOW, STAR, score

EXAMPLE = Path(__file__).with_name("example_model.toml")

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(director, account, other_account):
    score(account, director, HIGH, co_investment=8)
    score(other_account, director, STAR, co_investment=3)
    weak = CustomerFactory(name="Weak", tax_id="", external_id="W-1")
    score(weak, director, LOW)
    CustomerFactory(name="Unscored", external_id="U-1")


# --- CLI --------------------------------------------------------------------------------------


def test_select_json(scored, account):
    out = StringIO()
    call_command("select", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["model"] == "Default" and data["cap"] == 10
    assert data["split"] == 5.5 and data["co_investment_min"] == 5.5
    cs = {
        "id": account.pk,
        "tax_id": "76.123.456-0",
        "external_id": account.external_id,
        "name": "Constructora CS",
    }
    assert data["recommended"] == [cs]
    first = data["results"][0]
    assert first["customer"] == cs and first["rank"] == 1 and first["recommended"]
    assert first["attractiveness"] == pytest.approx((40 * 9 + 35 * 8 + 25 * 8) / 100)
    assert first["quadrant"] == "strategic" and first["complete"] is True
    weak = next(r for r in data["results"] if r["customer"]["external_id"] == "W-1")
    assert weak["co_investment"] is None and weak["quadrant"] == "streamline"
    unscored = next(r for r in data["results"] if r["customer"]["external_id"] == "U-1")
    assert unscored["complete"] is False and unscored["attractiveness"] is None
    assert data["results"][-1]["complete"] is False  # incomplete ones last


def test_select_unknown_model():
    with pytest.raises(CommandError):
        call_command("select", "--json", "--model", "Nope", stdout=StringIO())


def test_model_load_and_show(tmp_path, db):
    path = tmp_path / "m.toml"
    path.write_text(EXAMPLE.read_text())
    out = StringIO()
    call_command("model", "load", str(path), stdout=out)
    assert "now the active model" in out.getvalue()
    assert SelectionModel.objects.get(is_active=True).name == "Example"
    out = StringIO()
    call_command("model", "show", stdout=out)
    text = out.getvalue()
    assert 'name = "Example"' in text and "cap = 10" in text and 'key = "cost_to_serve"' in text
    # round trip
    path.write_text(text)
    call_command("model", "load", str(path), stdout=StringIO())
    assert SelectionModel.objects.count() == 1


def test_model_show_names_a_model_with_model_as_select_does(tmp_path, db):
    """`kamp model show --model NAME` (as `kamp select --model NAME`); `--name` is the older
    spelling, still accepted and hidden from the help."""
    from django.core.management import load_command_class

    path = tmp_path / "m.toml"
    path.write_text(EXAMPLE.read_text())
    call_command("model", "load", str(path), stdout=StringIO())
    shown = []
    for flag in ("--model", "--name"):
        out = StringIO()
        call_command("model", "show", flag, "Example", stdout=out)
        shown.append(out.getvalue())
    assert 'name = "Example"' in shown[0] and shown[0] == shown[1]
    with pytest.raises(CommandError, match="No selection model called 'Nope'"):
        call_command("model", "show", "--model", "Nope", stdout=StringIO())
    parser = load_command_class("kamp.selection", "model").create_parser("kamp", "model")
    show_help = parser._subparsers._group_actions[0].choices["show"].format_help()
    assert "--model NAME" in show_help and "--name" not in show_help


def test_model_load_refuses_bad_models(tmp_path, db):
    path = tmp_path / "bad.toml"
    path.write_text(
        'name = "Bad"\nsplit = 20\n[[factor]]\nkey = "a"\ndimension = "attractiveness"\nweight = -1\ndirection = "sideways"\n'
    )
    with pytest.raises(CommandError) as exc:
        call_command("model", "load", str(path), stdout=StringIO())
    text = str(exc.value)
    for part in (
        "weight must be greater than 0",
        "unknown direction",
        "no factor for competitive position",
        "outside the scale",
    ):
        assert part in text
    assert not SelectionModel.objects.filter(name="Bad").exists()


# --- import -----------------------------------------------------------------------------------


def _import(tmp_path, text, user=None, **options):
    from kamp.core.imports import ImportOptions, run_import

    path = tmp_path / "a.csv"
    path.write_text(text)
    return run_import("assessments", str(path), user=user, options=ImportOptions(**options))


def test_import_assessments(tmp_path, director, ana, account, other_account):
    batch = _import(
        tmp_path,
        (
            "customer,factor,score,assessor,date\n"
            "76.123.456-0,profitability,8,ana@supplier.test,2026-01-10\n"
            "Minera Norte,co_investment,4,Diana Director,\n"
            "76123456-0,profitability,6,director@supplier.test,\n"
        ),
        user=director,
    )
    assert batch.status == "done", batch.errors
    assert Assessment.objects.get(customer=account, assessor=ana).score == 8
    assert (
        Assessment.objects.get(customer=other_account, factor="co_investment").assessor == director
    )
    run = engine.run()
    assert run.inputs[account.pk]["profitability"][:3] == (7.0, 2.0, 2)


def test_import_reports_bad_rows_and_writes_nothing(tmp_path, director, account):
    batch = _import(
        tmp_path,
        (
            "customer,factor,score\n"
            "76.123.456-0,profitability,8\n"
            "76.123.456-0,profitability,11\n"
            "76.123.456-0,charm,5\n"
            "Nobody Ltd,profitability,5\n"
        ),
        user=director,
    )
    assert batch.status != "done" or batch.created_count == 0
    messages = " ".join(e.get("message", "") for e in batch.errors)
    assert (
        "outside the scale" in messages
        and "Unknown factor" in messages
        and "Nobody Ltd" in messages
    )
    assert not Assessment.objects.exists()


def test_import_reimport_updates_and_revert(tmp_path, director, account):
    from kamp.core.imports import revert_batch

    _import(tmp_path, "customer,factor,score\n76.123.456-0,profitability,8\n", user=director)
    b2 = _import(tmp_path, "customer,factor,score\n76.123.456-0,profitability,3\n", user=director)
    assert b2.updated_count == 1
    assert Assessment.objects.get().score == 3
    revert_batch(b2, director)
    assert Assessment.objects.get().score == 8


def test_import_cli(tmp_path, director, account):
    path = tmp_path / "a.csv"
    path.write_text(
        "Cliente;Factor;Puntaje;Evaluador\n76.123.456-0;co_investment;7,5;director@supplier.test\n"
    )
    out = StringIO()
    try:
        call_command("import", "assessments", str(path), stdout=out, stderr=StringIO())
    finally:
        print(out.getvalue())
    assert Assessment.objects.get().score == 7.5


# --- API --------------------------------------------------------------------------------------


def test_api_requires_login(anonymous):
    assert anonymous.get("/api/v1/selection/results").status_code == 401


@pytest.mark.parametrize("who", ["admin", "director", "ana", "bruno", "viewer", "member"])
def test_api_results_for_readers(client_for, request, who, scored):
    data = client_for(request.getfixturevalue(who)).get("/api/v1/selection/results").json()
    names = {r["name"] for r in data["results"]}
    if who == "member":
        assert names == {"Constructora CS"}
    else:
        assert {"Constructora CS", "Minera Norte", "Weak", "Unscored"} <= names
    assert [c["tax_id"] for c in data["recommended"]] == ["76.123.456-0"]


def test_api_models_robustness_and_customer(client_for, viewer, account, scored):
    c = client_for(viewer)
    models = c.get("/api/v1/selection/models").json()
    assert models[0]["name"] == "Default" and len(models[0]["factors"]) == 6
    rob = c.get("/api/v1/selection/robustness").json()
    assert len(rob["variations"]) == 12 and [c["tax_id"] for c in rob["robust"]] == ["76.123.456-0"]
    detail = c.get(f"/api/v1/selection/customers/{account.pk}").json()
    assert detail["recommended"] and detail["factors"][0]["assessors"][0]["score"] == 9


@pytest.mark.parametrize(
    "who, ok",
    [("director", True), ("ana", True), ("bruno", False), ("member", False), ("viewer", False)],
)
def test_api_score(client_for, request, who, ok, account):
    r = client_for(request.getfixturevalue(who)).post(
        f"/api/v1/selection/customers/{account.pk}/scores",
        data={"factor": "profitability", "score": 7},
        content_type="application/json",
    )
    assert (r.status_code == 200) == ok
    assert Assessment.objects.exists() == ok


def test_api_score_out_of_scale(client_for, director, account):
    r = client_for(director).post(
        f"/api/v1/selection/customers/{account.pk}/scores",
        data={"factor": "profitability", "score": 70},
        content_type="application/json",
    )
    assert r.status_code == 422


@pytest.mark.parametrize(
    "who, ok",
    [("admin", True), ("director", True), ("ana", False), ("viewer", False), ("member", False)],
)
def test_api_decision(client_for, request, who, ok, account):
    r = client_for(request.getfixturevalue(who)).post(
        f"/api/v1/selection/customers/{account.pk}/decision",
        data={"kind": "revoke", "rationale": "No co-investment for two years"},
        content_type="application/json",
    )
    assert (r.status_code == 200) == ok
    account.refresh_from_db()
    assert (account.status == CustomerStatus.FORMER) == ok
    assert Decision.objects.exists() == ok


def test_api_decision_requires_rationale(client_for, director, account):
    r = client_for(director).post(
        f"/api/v1/selection/customers/{account.pk}/decision",
        data={"kind": "revoke", "rationale": " "},
        content_type="application/json",
    )
    assert r.status_code == 422


def test_api_activate_and_snapshot_for_managers_only(client_for, director, viewer, scored):
    model = engine.ensure_default_model()
    assert (
        client_for(viewer).post(f"/api/v1/selection/models/{model.pk}/activate").status_code == 403
    )
    assert (
        client_for(viewer)
        .post("/api/v1/selection/snapshots", data={}, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        client_for(director).post(f"/api/v1/selection/models/{model.pk}/activate").status_code
        == 200
    )
    r = client_for(director).post(
        "/api/v1/selection/snapshots", data={"label": "x"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["points"] == 3
