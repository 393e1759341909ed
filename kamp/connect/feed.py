"""A person's subscribed calendar: their open plan actions, the QBRs of their accounts and the
deadlines of the surveys they are asked to answer, as iCalendar (``icalendar``) for Outlook,
Google or Apple Calendar to poll. Each item is an all-day event with a stable UID, so a moved
due date moves the event in the subscriber's calendar instead of adding one."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from kamp.customers.access import customers_visible_to

# How far back an item is still listed (a QBR of last quarter stays in the calendar).
PAST_DAYS = 120


def _host() -> str:
    hosts = [h for h in settings.ALLOWED_HOSTS if h and not h.startswith(("*", "."))]
    return hosts[0] if hosts else "kamp"


def _event(uid: str, day: date, summary: str, description: str = "") -> Event:
    e = Event()
    e.add("uid", f"{uid}@{_host()}")
    e.add("dtstamp", timezone.now())
    e.add("dtstart", day)
    e.add("dtend", day + timedelta(days=1))
    e.add("summary", summary)
    if description:
        e.add("description", description)
    e.add("transp", "TRANSPARENT")
    return e


def _their_accounts(user):
    from kamp.team.models import AccountTeamMember

    on_team = Exists(AccountTeamMember.objects.filter(customer=OuterRef("pk"), user=user))
    return customers_visible_to(user).filter(Q(owner=user) | on_team)


def build(user, today: date | None = None) -> bytes:
    """The feed of ``user``: only what they may read, in their language (set by the caller)."""
    from kamp.plans.models import OPEN_STATUSES, PlanAction, Review
    from kamp.relationships.models import Respondent

    today = today or timezone.localdate()
    since = today - timedelta(days=PAST_DAYS)
    cal = Calendar()
    cal.add("prodid", "-//kamp//Key Account Management//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("kamp: %(name)s") % {"name": user.get_full_name()})
    visible = customers_visible_to(user)

    actions = PlanAction.objects.select_related("plan__customer").filter(
        owner=user,
        status__in=OPEN_STATUSES,
        due__isnull=False,
        due__gte=since,
        plan__customer__in=visible,
    )
    for a in actions:
        if a.due is None:  # (filtered out above; for the type checker)
            continue
        cal.add_component(
            _event(
                f"kamp-action-{a.pk}",
                a.due,
                _("Action due: %(title)s (%(customer)s)")
                % {"title": a.title, "customer": a.plan.customer.name},
            )
        )

    reviews = Review.objects.select_related("plan__customer").filter(
        date__gte=since, plan__customer__in=_their_accounts(user)
    )
    for r in reviews:
        cal.add_component(
            _event(
                f"kamp-review-{r.pk}",
                r.date,
                _("%(meeting)s: %(customer)s")
                % {"meeting": r.title, "customer": r.plan.customer.name},
                r.attendees,
            )
        )

    asked = Respondent.objects.select_related("round__customer").filter(
        user=user,
        responded_at__isnull=True,
        round__closed_at__isnull=True,
        round__closes_on__gte=since,
        round__customer__in=visible,
    )
    for p in asked:
        cal.add_component(
            _event(
                f"kamp-survey-{p.pk}",
                p.round.closes_on,
                _("Survey closes: %(customer)s") % {"customer": p.round.customer.name},
            )
        )
    return cal.to_ical()
