"""Every change in the programme area: alert dismissals and readiness takes. Atomic, audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from kamp.core import audit
from kamp.core.alerts import Alert

from . import readiness
from .models import AlertDismissal, ReadinessAssessment
from .questionnaire import questions_data


@transaction.atomic
def do_dismiss_alert(acting_user, alert: Alert, reason: str, until=None) -> AlertDismissal:
    """Set ``alert`` aside with a reason: until restored, or until ``until`` (a snooze). A blank
    reason is refused: the history says why every alert left the inbox."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a dismissal needs a reason")
    d = AlertDismissal.objects.create(
        key=alert.key,
        area=alert.area,
        # Every kind of sign it covers (inbox.alerts_for reopens it when another one appears).
        kind=",".join(sorted(alert.kinds))[:60],
        cause=str(alert.cause_title or alert.cause_key)[:200],
        customer_id=alert.customer_id,
        customer_name=alert.customer_name[:200],
        message=str(alert.message)[:500],
        reason=reason[:500],
        dismissed_by=acting_user,
        until=until,
    )
    audit.record(
        acting_user,
        "update",
        d,
        customer_id=alert.customer_id,
        summary=(
            audit.say(
                gettext_noop("Alert snoozed until %(until)s: %(msg)s — %(reason)s"),
                until=until.isoformat(),
                msg=alert.message,
                reason=reason,
            )
            if until
            else audit.say(
                gettext_noop("Alert dismissed: %(msg)s — %(reason)s"),
                msg=alert.message,
                reason=reason,
            )
        ),
    )
    return d


@transaction.atomic
def do_restore_alert(acting_user, dismissal: AlertDismissal) -> AlertDismissal:
    dismissal.restored_by = acting_user
    dismissal.restored_at = timezone.now()
    dismissal.save(update_fields=["restored_by", "restored_at"])
    audit.record(
        acting_user,
        "update",
        dismissal,
        customer_id=dismissal.customer_id,
        summary=audit.say(gettext_noop("Alert restored: %(msg)s"), msg=dismissal.message),
    )
    return dismissal


@transaction.atomic
def do_take_readiness(
    acting_user, answers: dict[str, int], notes: str = "", on=None
) -> ReadinessAssessment:
    questions = questions_data()
    result = readiness.score(questions, answers)
    take = ReadinessAssessment.objects.create(
        taken_by=acting_user if getattr(acting_user, "pk", None) else None,
        taken_on=on or timezone.localdate(),
        answers=answers,
        scores=result["areas"],
        overall=result["overall"],
        level=result["level"] or "",
        steps=readiness.next_steps(questions, answers),
        notes=notes or "",
    )
    audit.record(
        acting_user,
        "create",
        take,
        summary=audit.say(gettext_noop("Readiness self-assessment: %(p)s%%"), p=result["overall"]),
    )
    return take
