"""The weekly digest: each KAM's and director's alerts, overdue actions and stale plans — sent by
``kamp digest`` and shown in the app ("My digest")."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kamp.core.choices import Role
from kamp.core.models import User

from . import sources
from .inbox import alerts_for, customers_for

# The most urgent first (collect sorts by severity): a digest is read, not searched.
MAX_ALERTS = 40


def recipients():
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role__in=[Role.KAM, Role.DIRECTOR]))
        .exclude(email="")
        .order_by("email")
    )


def digest_for(user, as_of: date) -> dict:
    customers = customers_for(user)
    open_alerts, _dismissed = alerts_for(user, as_of, customers)
    ids = list(customers.values_list("pk", flat=True))
    owner = None if user.manages_programme else user
    overdue = sources.overdue_actions(ids, as_of, owner=owner)
    stale = sources.stale_plans(ids, as_of)
    return {
        "user": user,
        "as_of": as_of,
        "alerts": open_alerts[:MAX_ALERTS],
        "more_alerts": max(0, len(open_alerts) - MAX_ALERTS),
        "alert_total": len(open_alerts),
        "danger": [a for a in open_alerts if a.severity == "danger"],
        "overdue_actions": overdue,
        "stale_plans": stale,
        "plans_available": overdue is not None,
        "base_url": settings.KAMP_BASE_URL.rstrip("/"),
        "digest_url": settings.KAMP_BASE_URL.rstrip("/") + reverse("programme:digest"),
    }


def is_empty(d: dict) -> bool:
    return not d["alerts"] and not d["overdue_actions"] and not d["stale_plans"]


def send_digest(user, as_of: date, skip_empty: bool = True) -> bool:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        d = digest_for(user, as_of)
        if skip_empty and is_empty(d):
            return False
        subject = _("kamp weekly digest: %(a)s alerts, %(o)s overdue actions") % {
            "a": d["alert_total"],
            "o": len(d["overdue_actions"] or []),
        }
        text = render_to_string("programme/digest_email.txt", d)
        html = render_to_string("programme/digest_email.html", d)
    msg = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    msg.attach_alternative(html, "text/html")
    msg.send()
    return True
