"""The plan's foundations as records: the customer journey (stages, touchpoints, pain points)
and the buying process (steps with who decides, from the DMU map), through the action the bids
area also calls, the plan page, its edit page and the API."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kamp.core.models import AuditEvent
from kamp.plans import actions
from kamp.plans.models import BuyingStep, JourneyStage
from tests.factories import ContactFactory

from .factories import PlanFactory


@pytest.fixture
def cs_plan(account):
    return PlanFactory(customer=account)


@pytest.fixture
def decider(account):
    return ContactFactory(customer=account, name="Andrés Silva", dmu_roles=["decider"])


def test_set_foundations_replaces_in_order_and_is_audited(ana, cs_plan, decider):
    actions.set_foundations(
        ana,
        cs_plan,
        journey=[
            {"name": "Tender", "touchpoints": "Portal", "pain_points": "Slow answers"},
            {"name": "Delivery", "dated": "2026-03-31"},
        ],
        buying=[
            {"name": "Board approval", "deciders": [decider.pk], "dated": datetime.date(2026, 4, 1)}
        ],
    )
    assert [s.name for s in cs_plan.journey_stages.all()] == ["Tender", "Delivery"]
    assert cs_plan.journey_stages.all()[1].dated == datetime.date(2026, 3, 31)
    step = cs_plan.buying_steps.get()
    assert list(step.deciders.all()) == [decider] and step.dated == datetime.date(2026, 4, 1)
    event = AuditEvent.objects.filter(action="update").latest("pk")
    assert any(c["field"] == "buying_process" and "Andrés Silva" in c["new"] for c in event.changes)
    # the journey alone: the buying process stays
    actions.set_foundations(ana, cs_plan, journey=[{"name": "Renewal"}])
    assert [s.name for s in cs_plan.journey_stages.all()] == ["Renewal"]
    assert cs_plan.buying_steps.count() == 1


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"journey": [{"name": ""}]}, "Journey stage 1 has no name."),
        ({"journey": [{"name": "A", "dated": "31/03/2026"}]}, "the date must look like"),
        ({"buying": ["Board"]}, "is a record with a name"),
    ],
)
def test_bad_foundations_change_nothing(ana, cs_plan, kw, message):
    actions.set_foundations(ana, cs_plan, journey=[{"name": "Kept"}])
    with pytest.raises(ValidationError, match=message):
        actions.set_foundations(ana, cs_plan, **kw)
    assert [s.name for s in cs_plan.journey_stages.all()] == ["Kept"]


def test_a_decider_of_another_customer_is_refused(ana, cs_plan, other_account):
    stranger = ContactFactory(customer=other_account, name="Someone Else")
    with pytest.raises(ValidationError, match="Not a contact of this customer"):
        actions.set_foundations(ana, cs_plan, buying=[{"name": "Step", "deciders": [stranger.pk]}])
    assert not BuyingStep.objects.exists()


def test_edit_page_saves_rows_and_the_plan_shows_them(client_for, ana, cs_plan, decider):
    c = client_for(ana)
    url = reverse("plans:foundations", args=[cs_plan.pk])
    assert c.get(url).status_code == 200
    r = c.post(
        url,
        {
            "j_name": ["Tender", ""],
            "j_touchpoints": ["Procurement portal", ""],
            "j_pain_points": ["Four rounds of questions", ""],
            "j_dated": ["2026-02-01", ""],
            "b_name": ["Technical review", "Board approval"],
            "b_dated": ["", "2026-04-01"],
            "b_note": ["", ""],
            "b_deciders_1": [str(decider.pk)],
        },
    )
    assert r.status_code == 302 and r["Location"].endswith("#sec-foundations")
    assert JourneyStage.objects.get().touchpoints == "Procurement portal"
    assert [list(s.deciders.all()) for s in cs_plan.buying_steps.all()] == [[], [decider]]
    page = c.get(reverse("plans:customer_tab", args=[cs_plan.customer_id])).content.decode()
    assert "Four rounds of questions" in page and "Who decides: Andrés Silva" in page


def test_edit_page_says_what_is_wrong_and_keeps_the_rows(client_for, ana, cs_plan):
    r = client_for(ana).post(
        reverse("plans:foundations", args=[cs_plan.pk]),
        {"j_name": [""], "j_touchpoints": ["Portal"], "j_pain_points": [""], "j_dated": [""]},
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert "Journey stage 1 has no name." in body and "Portal" in body


def test_the_pages_in_spanish(client_for, ana, cs_plan):
    actions.set_foundations(ana, cs_plan, journey=[{"name": "Licitación"}])
    c = client_for(ana)
    c.cookies["django_language"] = "es"
    page = c.get(reverse("plans:customer_tab", args=[cs_plan.customer_id])).content.decode()
    assert "Recorrido del cliente" in page and "Customer journey" not in page
    edit = c.get(reverse("plans:foundations", args=[cs_plan.pk])).content.decode()
    assert "Proceso de compra" in edit and "Buying process" not in edit
    r = c.post(
        reverse("plans:foundations", args=[cs_plan.pk]),
        {"j_name": [""], "j_touchpoints": ["x"], "j_pain_points": [""], "j_dated": [""]},
    )
    assert "Etapa del recorrido 1 no tiene nombre." in r.content.decode()


def test_api_get_and_put(client_for, ana, viewer, cs_plan, decider):
    url = f"/api/v1/plans/{cs_plan.pk}/foundations"
    r = client_for(ana).put(
        url,
        {"buying": [{"name": "Board", "deciders": [decider.pk], "dated": "2026-04-01"}]},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["buying"] == [
        {
            "name": "Board",
            "deciders": [{"id": decider.pk, "name": "Andrés Silva"}],
            "dated": "2026-04-01",
            "note": "",
        }
    ]
    assert client_for(viewer).get(url).json()["buying"][0]["name"] == "Board"
    assert (
        client_for(viewer).put(url, {"journey": []}, content_type="application/json").status_code
        == 403
    )
    bad = client_for(ana).put(url, {"journey": [{"name": " "}]}, content_type="application/json")
    assert bad.status_code == 422 and "no name" in bad.json()["detail"]
