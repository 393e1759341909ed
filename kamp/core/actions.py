"""Changes to people's own accounts (a password), through one function each: atomic, audited."""

from __future__ import annotations

from typing import Literal

from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction

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
