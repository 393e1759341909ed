"""Two people editing the same logged interaction: the second save is told that someone changed
it, sees both versions (the people chosen included) and chooses — never a silent overwrite."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import translation

from kamp.interactions import actions
from tests.customers.test_lost_updates import _opened

from .factories import log


def test_second_interaction_save_is_told_and_then_chooses(
    client_for, ana, member, account, cs_people
):
    i = log(account, [ana], [cs_people["jorge"]], topic="Quarterly review")
    url = reverse("interactions:edit", args=[account.pk, i.pk])
    first, second = client_for(ana), client_for(member)
    hers, his = _opened(first, url), _opened(second, url)
    assert hers["version"] == str(i.version)

    assert first.post(url, {**hers, "topic": "Quarterly review with the CFO"}).status_code == 302
    r = second.post(
        url,
        {**his, "topic": "Review of the tender", "their_contacts": [cs_people["maria"].pk]},
    )
    text = r.content.decode()
    assert r.status_code == 409
    assert "Someone else changed this since you opened it" in text
    assert re.search(r'class="theirs">Quarterly review with the CFO<', text)
    assert re.search(r'class="yours">Review of the tender<', text)
    i.refresh_from_db()
    assert i.topic == "Quarterly review with the CFO"  # nothing of the second saved
    assert list(i.their_contacts.all()) == [cs_people["jorge"]]

    # Saving again keeps his: the re-shown form carries the current version and what he typed.
    assert re.search(rf'name="version" value="{i.version}"', text)
    assert 'value="Review of the tender"' in text
    mine = {**his, "topic": "Review of the tender", "their_contacts": [cs_people["maria"].pk]}
    assert second.post(url, {**mine, "version": i.version}).status_code == 302
    i.refresh_from_db()
    assert i.topic == "Review of the tender"
    assert list(i.their_contacts.all()) == [cs_people["maria"]]


def test_the_people_chosen_meanwhile_are_shown_side_by_side(
    client_for, ana, member, account, cs_people
):
    i = log(account, [ana], [cs_people["jorge"]])
    url = reverse("interactions:edit", args=[account.pk, i.pk])
    his = _opened(client_for(member), url)
    actions.do_update_interaction(
        ana, i, our_people=[ana], their_contacts=[cs_people["maria"]], version=i.version
    )
    r = client_for(member).post(url, his)
    text = r.content.decode()
    assert r.status_code == 409
    assert re.search(rf'class="theirs">{re.escape(cs_people["maria"].name)}<', text)
    assert re.search(rf'class="yours">{re.escape(cs_people["jorge"].name)}<', text)
    i.refresh_from_db()
    assert list(i.their_contacts.all()) == [cs_people["maria"]]


def test_a_change_made_elsewhere_meanwhile_is_not_reverted(client_for, ana, account, cs_people):
    """A write without a version (a calendar sync, the admin) still moves the version on, so a
    form opened before it is told."""
    i = log(account, [ana], [cs_people["jorge"]], topic="Visit")
    url = reverse("interactions:edit", args=[account.pk, i.pk])
    form = _opened(client_for(ana), url)
    actions.do_update_interaction(
        None, i, our_people=[ana], their_contacts=[cs_people["jorge"]], topic="Visit (moved)"
    )
    assert client_for(ana).post(url, {**form, "notes": "old form"}).status_code == 409
    i.refresh_from_db()
    assert (i.topic, i.notes) == ("Visit (moved)", "")


def test_a_form_without_its_version_is_refused(client_for, ana, account, cs_people):
    i = log(account, [ana], [cs_people["jorge"]], topic="Visit")
    url = reverse("interactions:edit", args=[account.pk, i.pk])
    form = _opened(client_for(ana), url)
    del form["version"]
    r = client_for(ana).post(url, {**form, "topic": "Changed"})
    assert r.status_code == 200 and "This form is out of date" in r.content.decode()
    i.refresh_from_db()
    assert i.topic == "Visit"


def test_the_conflict_speaks_spanish(client_for, ana, member, account, cs_people):
    i = log(account, [ana], [cs_people["jorge"]], topic="Visita")
    url = reverse("interactions:edit", args=[account.pk, i.pk])
    member.language = "es"
    member.save()
    his = _opened(client_for(member), url)
    actions.do_update_interaction(
        ana, i, our_people=[ana], their_contacts=[cs_people["jorge"]], topic="Visita a planta"
    )
    text = client_for(member).post(url, {**his, "topic": "Visita técnica"}).content.decode()
    with translation.override("es"):
        from kamp.core.versioning import CONFLICT_MESSAGE

        assert str(CONFLICT_MESSAGE) in text.replace("&#x27;", "'")
    assert "Someone else changed" not in text


def _card(contact, **changes) -> dict:
    p = f"c{contact.pk}-"
    data = {
        "name": contact.name,
        "function": contact.function or "purchasing",
        "attitude": contact.attitude or "neutral",
        "influence": contact.influence or 3,
        "email": contact.email,
        "active": "on",
        "version": contact.version,
        **changes,
    }
    return {p + k: v for k, v in data.items()}


def test_the_dmu_map_editor_does_not_overwrite_a_newer_contact(
    client_for, ana, member, account, cs_people
):
    """The map's in-place editor edits the same contact as the contact form: a card opened
    before someone saved the contact is told, with both versions, instead of reverting it."""
    from kamp.customers import actions as customer_actions

    jorge = cs_people["jorge"]
    url = reverse("interactions:dmu_contact", args=[account.pk, jorge.pk])
    opened = _card(jorge, title="Buyer")  # the card as the member opened it
    customer_actions.do_update_contact(ana, jorge, version=jorge.version, title="Head of buying")
    r = client_for(member).post(url, opened, HTTP_HX_REQUEST="true")
    text = r.content.decode()
    assert r["HX-Retarget"] == f"#contact-{jorge.pk}"  # the card stays open, the map as it was
    assert "Someone else changed this since you opened it" in text
    assert re.search(r'class="theirs">Head of buying<', text)
    assert re.search(r'class="yours">Buyer<', text)
    jorge.refresh_from_db()
    assert jorge.title == "Head of buying"
    # Saving again over the version now shown keeps the member's.
    assert re.search(rf'name="c{jorge.pk}-version" value="{jorge.version}"', text)
    r = client_for(member).post(url, _card(jorge, title="Buyer"), HTTP_HX_REQUEST="true")
    assert 'id="dmu-map"' in r.content.decode()
    jorge.refresh_from_db()
    assert jorge.title == "Buyer"


def test_a_dmu_card_without_its_version_is_refused(client_for, ana, account, cs_people):
    jorge = cs_people["jorge"]
    data = _card(jorge, title="Changed")
    del data[f"c{jorge.pk}-version"]
    r = client_for(ana).post(
        reverse("interactions:dmu_contact", args=[account.pk, jorge.pk]),
        data,
        HTTP_HX_REQUEST="true",
    )
    assert "This form is out of date" in r.content.decode()
    jorge.refresh_from_db()
    assert jorge.title != "Changed"
