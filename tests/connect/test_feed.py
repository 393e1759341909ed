"""The subscribed calendar: a private address (the secret is the key, no login) serving a
person's open plan actions, their accounts' QBRs and the deadlines of their surveys, read by
``icalendar`` as a calendar program would; regenerated or turned off from Connections."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from kamp.connect import actions
from kamp.connect.models import CalendarFeed, digest
from tests.plans.factories import ActionFactory, PlanFactory, ReviewFactory


def feed_url(secret: str) -> str:
    return reverse("connect:feed", kwargs={"token": secret})


def events_of(response) -> dict[str, object]:
    cal = Calendar.from_ical(response.content)
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


def test_the_feed_lists_my_actions_qbrs_and_survey_deadlines(anonymous, ana, bruno, account):
    from kamp.relationships.models import Respondent, SurveyRound, SurveyTemplate

    today = timezone.localdate()
    plan = PlanFactory(customer=account)
    ActionFactory(plan=plan, owner=ana, title="Enviar propuesta", due=today + timedelta(days=3))
    ActionFactory(plan=plan, owner=ana, title="Hecha", due=today, status="done")
    ActionFactory(plan=plan, owner=bruno, title="De Bruno", due=today)
    ReviewFactory(plan=plan, date=today + timedelta(days=10), title="QBR Q4")
    template = SurveyTemplate.objects.first() or SurveyTemplate.objects.create(name="RQI")
    rnd = SurveyRound.objects.create(
        customer=account, template=template, closes_on=today + timedelta(days=14)
    )
    Respondent.objects.create(round=rnd, user=ana, side="team")
    secret = actions.do_regenerate_feed(ana)

    r = anonymous.get(feed_url(secret))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    found = events_of(r)
    action = found["Action due: Enviar propuesta (Constructora CS)"]
    assert action["dtstart"].dt == today + timedelta(days=3)
    assert found["QBR Q4: Constructora CS"]["dtstart"].dt == today + timedelta(days=10)
    assert found["Survey closes: Constructora CS"]["dtstart"].dt == today + timedelta(days=14)
    assert not any("Hecha" in s or "Bruno" in s for s in found)
    # Stable ids: a moved date moves the event rather than adding one.
    assert str(action["uid"]).startswith("kamp-action-")
    assert CalendarFeed.objects.get(user=ana).last_fetched_at is not None


def test_in_the_owners_language(anonymous, ana, account):
    ana.language = "es"
    ana.save()
    ActionFactory(
        plan=PlanFactory(customer=account), owner=ana, title="Llamar", due=timezone.localdate()
    )
    secret = actions.do_regenerate_feed(ana)
    assert any(
        s.startswith("Acción vence: Llamar") for s in events_of(anonymous.get(feed_url(secret)))
    )


def test_a_new_address_retires_the_old_and_turning_off_retires_both(client_for, ana, caplog):
    c = client_for(ana)
    r = c.post(reverse("connect:feed_new"))
    old_url = r.context["url"]
    old = old_url.rsplit("/", 1)[1].removesuffix(".ics")
    assert CalendarFeed.objects.get(user=ana).token_hash == digest(old)
    assert old not in c.get(reverse("connect:home")).content.decode()
    new = c.post(reverse("connect:feed_new")).context["url"].rsplit("/", 1)[1].removesuffix(".ics")
    anonymous = client_for(None)
    with caplog.at_level(logging.DEBUG):
        assert anonymous.get(feed_url(old)).status_code == 404
    # The refused secret is not written to the log (Django logs each 404 with its path).
    assert old not in caplog.text
    assert anonymous.get(feed_url(new)).status_code == 200
    c.post(reverse("connect:feed_revoke"))
    assert anonymous.get(feed_url(new)).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_an_inactive_users_feed_is_gone(anonymous, ana):
    secret = actions.do_regenerate_feed(ana)
    ana.is_active = False
    ana.save()
    assert anonymous.get(feed_url(secret)).status_code == 404
