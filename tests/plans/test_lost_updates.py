"""Two people editing the same plan or plan section: the second save is told, sees both versions
and chooses — never a silent overwrite (inline edits, the plan page, the texts, the API)."""

import json
import re

from django.urls import reverse

from kamp.plans.models import Objective


def _objective_post(objective, **changes) -> dict:
    data = {
        "edit-objectives-title": objective.title,
        "edit-objectives-measure": objective.measure,
        "edit-objectives-target": objective.target if objective.target is not None else "",
        "edit-objectives-current": objective.current if objective.current is not None else "",
        "edit-objectives-version": objective.version,
    }
    data.update({f"edit-objectives-{k}": v for k, v in changes.items()})
    return data


def test_second_objective_save_is_told_and_then_chooses(client_for, ana, member, plan):
    objective = plan.objectives.get(title="Share of advisory spend")
    url = reverse("plans:item_edit", args=[plan.pk, "objectives", objective.pk])
    opened = Objective.objects.get(pk=objective.pk)  # both open the same version

    r = client_for(ana).post(url, _objective_post(opened, measure="%"), HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    r = client_for(member).post(
        url,
        _objective_post(opened, measure="points", title="Advisory share"),
        HTTP_HX_REQUEST="true",
    )
    text = r.content.decode()
    assert r.status_code == 200 and "Someone else changed this since you opened it" in text
    assert re.search(r'class="theirs">%<', text) and re.search(r'class="yours">points<', text)
    objective.refresh_from_db()
    assert objective.measure == "%" and objective.title == "Share of advisory spend"

    # Saving again from the re-shown form (now on the current version) keeps the member's.
    version = re.search(r'name="edit-objectives-version" value="(\d+)"', text).group(1)
    r = client_for(member).post(
        url,
        {
            **_objective_post(opened, measure="points", title="Advisory share"),
            "edit-objectives-version": version,
        },
        HTTP_HX_REQUEST="true",
    )
    objective.refresh_from_db()
    assert objective.measure == "points" and objective.title == "Advisory share"


def test_conflict_never_shows_money_to_a_member(client_for, ana, member, plan):
    cell = plan.whitespace.first()
    url = reverse("plans:item_edit", args=[plan.pk, "whitespace", cell.pk])
    base = {
        "edit-whitespace-buying_unit": cell.buying_unit,
        "edit-whitespace-offering": cell.offering,
        "edit-whitespace-status": cell.status,
        "edit-whitespace-note": "",
        "edit-whitespace-version": cell.version,
    }
    ana_post = {
        **base,
        "edit-whitespace-current_revenue": "123456",
        "edit-whitespace-potential": "7654321",
        "edit-whitespace-note": "bigger",
    }
    assert client_for(ana).post(url, ana_post, HTTP_HX_REQUEST="true").status_code == 200
    r = client_for(member).post(
        url, {**base, "edit-whitespace-note": "mine"}, HTTP_HX_REQUEST="true"
    )
    text = r.content.decode()
    assert "Someone else changed this" in text and "bigger" in text
    assert "7654321" not in text and "7,654,321" not in text and "123456" not in text


def test_plan_text_edited_by_two(client_for, ana, member, plan):
    url = reverse("plans:text", args=[plan.pk, "strategy"])
    version = plan.version
    r = client_for(ana).post(
        url, {"strategy": "Lead with project finance", "version": version}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200
    r = client_for(member).post(
        url, {"strategy": "Lead with ESG", "version": version}, HTTP_HX_REQUEST="true"
    )
    text = r.content.decode()
    assert "Someone else changed this since you opened it" in text
    assert "Lead with project finance" in text and "Lead with ESG" in text  # both, side by side
    plan.refresh_from_db()
    assert plan.strategy == "Lead with project finance"
    new_version = re.search(r'name="version" value="(\d+)"', text).group(1)
    client_for(member).post(
        url, {"strategy": "Lead with ESG", "version": new_version}, HTTP_HX_REQUEST="true"
    )
    plan.refresh_from_db()
    assert plan.strategy == "Lead with ESG"


def test_plan_page_edited_by_two(client_for, ana, director, plan):
    url = reverse("plans:edit", args=[plan.pk])
    opened = {
        "period": plan.period,
        "business_and_goals": plan.business_and_goals,
        "strategy": plan.strategy,
        "version": plan.version,
    }
    assert client_for(ana).post(url, {**opened, "period": "2026-H2"}).status_code == 302
    r = client_for(director).post(url, {**opened, "strategy": "Director's view"})
    assert r.status_code == 409 and "Someone else changed this" in r.content.decode()
    plan.refresh_from_db()
    assert plan.period == "2026-H2" and plan.strategy != "Director's view"


def test_api_item_and_plan_versions(client_for, ana, plan):
    c = client_for(ana)
    risk = plan.risks.first()
    url = f"/api/v1/plans/{plan.pk}/risks/{risk.pk}"

    def patch(u, body, **headers):
        return c.patch(u, data=json.dumps(body), content_type="application/json", headers=headers)

    r = patch(url, {"title": "CFO retires", "version": risk.version})
    assert r.status_code == 200 and r.json()["version"] == risk.version + 1
    r = patch(url, {"title": "CFO stays", "version": risk.version})
    assert r.status_code == 409 and r.json()["current"]["title"] == "CFO retires"
    r = patch(url, {"title": "CFO stays"}, **{"If-Match": f'"{risk.version}"'})
    assert r.status_code == 412
    assert patch(url, {"title": "CFO stays"}).status_code == 200  # no version: as read now
    risk.refresh_from_db()
    assert risk.title == "CFO stays"

    plan_url = f"/api/v1/plans/{plan.pk}"
    version = c.get(plan_url).json()["version"]
    assert patch(plan_url, {"strategy": "A", "version": version}).status_code == 200
    r = patch(plan_url, {"strategy": "B", "version": version})
    assert r.status_code == 409 and r.json()["current"]["strategy"] == "A"
