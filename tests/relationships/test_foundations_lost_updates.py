"""Two people ticking the same account's foundations checklist: each save records a new dated
checklist, and the second, opened on an older one, is told, sees both versions and chooses —
the first's ticks are never silently undone."""

from __future__ import annotations

import re

from django.urls import reverse

from kamp.relationships import actions
from tests.customers.test_lost_updates import _opened


def test_second_checklist_save_is_told_and_then_chooses(client_for, ana, member, account):
    url = reverse("relationships:foundations", args=[account.pk])
    hers, his = _opened(client_for(ana), url), _opened(client_for(member), url)
    assert hers["version"] == his["version"] == "0"

    assert client_for(ana).post(url, {**hers, "sponsor": ["on"]}).status_code == 302
    r = client_for(member).post(url, {**his, "dmu_mapped": ["on"], "note": "Met the DMU"})
    text = r.content.decode()
    assert r.status_code == 409
    assert "Someone else changed this since you opened it" in text
    assert re.search(r'class="theirs">yes<', text) and re.search(r'class="yours">no<', text)
    assert re.search(r'class="yours">Met the DMU<', text)
    latest = account.relationship_foundations.get()  # nothing of the second saved
    assert latest.checks["sponsor"] is True and latest.checks["dmu_mapped"] is False

    # Saving again keeps his, knowingly: the form now carries the latest checklist.
    assert re.search(rf'name="version" value="{latest.pk}"', text)
    again = {**his, "dmu_mapped": ["on"], "note": "Met the DMU", "version": latest.pk}
    assert client_for(member).post(url, again).status_code == 302
    newest = account.relationship_foundations.order_by("-id").first()
    assert newest.checks["dmu_mapped"] is True and newest.note == "Met the DMU"


def test_a_checklist_saved_elsewhere_meanwhile_is_not_undone(client_for, ana, account):
    url = reverse("relationships:foundations", args=[account.pk])
    form = _opened(client_for(ana), url)
    actions.do_save_foundations(None, account, checks={"sponsor": True})  # e.g. the pipeline
    assert client_for(ana).post(url, {**form, "journey_mapped": ["on"]}).status_code == 409
    assert account.relationship_foundations.count() == 1


def test_a_checklist_without_its_version_is_refused(client_for, ana, account):
    url = reverse("relationships:foundations", args=[account.pk])
    r = client_for(ana).post(url, {"sponsor": "on", "note": ""})
    assert "This form is out of date" in r.content.decode()
    assert not account.relationship_foundations.exists()
