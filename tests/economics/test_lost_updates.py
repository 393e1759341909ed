"""Two programme managers on the economics settings page at once: the second save of the same
activity (or of the settings) is told that someone changed it, sees both versions and chooses —
never a silent overwrite."""

from __future__ import annotations

import re

from kamp.economics import actions
from kamp.economics.models import ActivityType
from tests.customers.test_lost_updates import _opened

from .factories import ActivityTypeFactory

URL = "/economics/settings/"


def _form(client, url, prefix, which) -> dict:
    """One of the page's forms as it is shown (its prefix's fields, the hidden version too)."""
    data = {k: v for k, v in _opened(client, url).items() if k.startswith(f"{prefix}-")}
    return {**data, "form": which}


def test_second_activity_save_is_told_and_then_chooses(client_for, director, admin):
    activity = ActivityTypeFactory(name="Site visit", description="")
    url = f"{URL}?activity={activity.pk}"
    first, second = client_for(director), client_for(admin)
    hers, his = _form(first, url, "a", "activity"), _form(second, url, "a", "activity")
    assert hers["a-version"] == str(activity.version)

    assert first.post(url, {**hers, "a-description": "Half a day"}).status_code == 302
    r = second.post(url, {**his, "a-description": "With the plant manager"})
    text = r.content.decode()
    assert r.status_code == 409
    assert "Someone else changed this since you opened it" in text
    assert re.search(r'class="theirs">Half a day<', text)
    assert re.search(r'class="yours">With the plant manager<', text)
    activity.refresh_from_db()
    assert activity.description == "Half a day"  # nothing of the second saved

    # Saving again keeps his: the re-shown form carries the version now saved.
    assert re.search(rf'name="a-version" value="{activity.version}"', text)
    again = {**his, "a-description": "With the plant manager", "a-version": activity.version}
    assert second.post(url, again).status_code == 302
    activity.refresh_from_db()
    assert activity.description == "With the plant manager"


def test_an_activity_changed_elsewhere_meanwhile_is_not_reverted(client_for, director):
    activity = ActivityTypeFactory(name="Site visit")
    url = f"{URL}?activity={activity.pk}"
    form = _form(client_for(director), url, "a", "activity")
    actions.do_save_activity_type(None, activity, active=False)  # no version: still moves it on
    assert client_for(director).post(url, {**form, "a-name": "Visit"}).status_code == 409
    activity.refresh_from_db()
    assert (activity.name, activity.active) == ("Site visit", False)


def test_an_activity_form_without_its_version_is_refused(client_for, director):
    activity = ActivityTypeFactory(name="Site visit")
    url = f"{URL}?activity={activity.pk}"
    form = _form(client_for(director), url, "a", "activity")
    del form["a-version"]
    r = client_for(director).post(url, {**form, "a-name": "Visit"})
    assert r.status_code == 422
    assert "This form is out of date" in r.content.decode()
    assert ActivityType.objects.get(pk=activity.pk).name == "Site visit"
