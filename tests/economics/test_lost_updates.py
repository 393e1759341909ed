"""Two programme managers on the economics settings page at once: the second save of the same
activity (or of the settings) is told that someone changed it, sees both versions and chooses —
never a silent overwrite."""

from __future__ import annotations

import re

from kamp.core.models import SiteSettings
from kamp.economics import actions
from kamp.economics.models import ActivityType, EconomicsSettings
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


def test_second_settings_save_is_told_and_then_chooses(client_for, director, admin):
    first, second = client_for(director), client_for(admin)
    hers, his = _form(first, URL, "s", "settings"), _form(second, URL, "s", "settings")
    assert hers["s-version"] == str(EconomicsSettings.load().version)

    assert first.post(URL, {**hers, "s-clv_years": "7"}).status_code == 302
    r = second.post(URL, {**his, "s-alert_periods": "4", "s-base_currency": "USD"})
    text = r.content.decode()
    assert r.status_code == 409
    assert "Someone else changed this since you opened it" in text
    assert re.search(r'class="theirs">7<', text) and re.search(r'class="yours">5<', text)
    assert re.search(r'class="theirs">2<', text) and re.search(r'class="yours">4<', text)
    saved = EconomicsSettings.load()
    assert (saved.clv_years, saved.alert_periods) == (7, 2)  # nothing of the second saved
    assert SiteSettings.load().base_currency != "USD"

    # Saving again keeps his whole form, the horizon he left at 5 included.
    assert re.search(rf'name="s-version" value="{saved.version}"', text)
    again = {**his, "s-alert_periods": "4", "s-base_currency": "USD", "s-version": saved.version}
    assert second.post(URL, again).status_code == 302
    saved = EconomicsSettings.load()
    assert (saved.clv_years, saved.alert_periods) == (5, 4)
    assert SiteSettings.load().base_currency == "USD"


def test_a_settings_form_without_its_version_is_refused(client_for, director):
    form = _form(client_for(director), URL, "s", "settings")
    del form["s-version"]
    r = client_for(director).post(URL, {**form, "s-clv_years": "9"})
    assert r.status_code == 422
    assert "This form is out of date" in r.content.decode()
    assert EconomicsSettings.load().clv_years == 5
