"""Two managers saving the interaction analysis settings at once: the second is told, sees both
versions and chooses — never a silent overwrite, not even of the very first save."""

from __future__ import annotations

import re

from django.urls import reverse

from kamp.interactions.models import InteractionSettings
from tests.customers.test_lost_updates import _opened

URL = reverse("interactions:settings")


def test_second_settings_save_is_told_and_then_chooses(client_for, director, admin):
    InteractionSettings.objects.create()
    first, second = client_for(director), client_for(admin)
    hers, his = _opened(first, URL), _opened(second, URL)
    assert hers["version"] == "1"

    assert first.post(URL, {**hers, "window_days": "30"}).status_code == 302
    r = second.post(URL, {**his, "min_pairs": "4"})
    text = r.content.decode()
    assert r.status_code == 409
    assert "Someone else changed this since you opened it" in text
    assert re.search(r'class="theirs">30<', text) and re.search(r'class="yours">90<', text)
    saved = InteractionSettings.load()
    assert (saved.window_days, saved.min_pairs) == (30, 2)  # nothing of the second saved

    # Saving again keeps his form as he sent it.
    assert re.search(rf'name="version" value="{saved.version}"', text)
    assert second.post(URL, {**his, "min_pairs": "4", "version": saved.version}).status_code == 302
    saved = InteractionSettings.load()
    assert (saved.window_days, saved.min_pairs) == (90, 4)


def test_the_first_save_does_not_overwrite_another_first_save(client_for, director, admin):
    """Before the settings were ever saved both pages show version 0: only one of them saves."""
    hers, his = _opened(client_for(director), URL), _opened(client_for(admin), URL)
    assert hers["version"] == his["version"] == "0"
    assert client_for(director).post(URL, {**hers, "window_days": "30"}).status_code == 302
    assert client_for(admin).post(URL, {**his, "not_met_days": "45"}).status_code == 409
    saved = InteractionSettings.load()
    assert (saved.window_days, saved.not_met_days) == (30, 90)
    assert InteractionSettings.objects.count() == 1


def test_a_settings_form_without_its_version_is_refused(client_for, director):
    form = _opened(client_for(director), URL)
    del form["version"]
    r = client_for(director).post(URL, {**form, "window_days": "30"})
    assert "This form is out of date" in r.content.decode()
    assert InteractionSettings.load().window_days == 90
