"""Changes to people's own accounts (a password), through one function each: atomic, audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.utils import timezone

from kamp.core import audit
from kamp.core.models import AuditEvent, User


@transaction.atomic
def do_set_password(
    acting_user: User | None, form: SetPasswordForm, *, how: Literal["changed", "reset"]
) -> User:
    """Save the new password of a valid change or reset ``form`` (``PasswordChangeForm`` is a
    ``SetPasswordForm``) and record that it changed — never the password itself. A reset by
    e-mail has no acting user: whoever held the link."""
    user = form.save()
    summary = "Password changed" if how == "changed" else "Password reset through the e-mailed link"
    audit.record(acting_user, AuditEvent.Action.UPDATE, user, summary=summary)
    return user


@transaction.atomic
def do_unlock(acting_user: User | None, email: str, ip: str | None = None) -> int:
    """Lift the login lockout of ``email`` (any case), from every address or from ``ip``:
    clear its failed attempts and record it on the person's history. Returns how many failed
    attempts were cleared (0: there was nothing to unlock, nothing is recorded)."""
    from axes.utils import reset

    from kamp.core.lockout import normalise_username

    username = normalise_username(email)
    count = reset(username=username, ip=ip or None)
    user = User.objects.filter(email=username).first()
    if count and user is not None:
        where = f" from {ip}" if ip else ""
        audit.record(
            acting_user,
            AuditEvent.Action.OTHER,
            user,
            summary=f"Login lockout lifted{where}: {count} failed attempt(s) cleared",
        )
    return count


# One reset e-mail per person per this long: the form is public, and without a limit anyone could
# fill a colleague's inbox with links.
RESET_EMAIL_INTERVAL = timedelta(minutes=5)
RESET_SUMMARY = "Password reset link e-mailed"


@transaction.atomic
def do_request_password_reset(user: User) -> bool:
    """Whether a reset link may be e-mailed to ``user`` now; recorded when it may (the audit
    row is also what the next request is measured against)."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one request at a time
    recent = AuditEvent.objects.filter(
        object_type="core.user",
        object_id=str(user.pk),
        summary=RESET_SUMMARY,
        at__gte=timezone.now() - RESET_EMAIL_INTERVAL,
    )
    if recent.exists():
        return False
    audit.record(None, AuditEvent.Action.OTHER, user, summary=RESET_SUMMARY)
    return True
