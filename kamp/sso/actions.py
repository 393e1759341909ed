"""The one change single sign-on makes: a person signs in through the provider — provisioned
when unknown and KAMP_OIDC_PROVISION_ROLE says so, given the role of the provider's claim when
KAMP_OIDC_ROLE_CLAIM is set — atomic and audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_noop

from kamp.core import audit
from kamp.core.choices import Role
from kamp.core.models import AuditEvent, User
from kamp.sso.claims import Refused, display_name, role_from_claims, verified_email
from kamp.sso.conf import Provider


def _role_label(role: str) -> str:
    with translation.override("en"):
        return str(Role(role).label)


def _set_role(user: User, role: str) -> None:
    user.role = role
    # An administrator of kamp is one of the Django admin site too (as ``kamp createuser``).
    user.is_staff = user.is_superuser = role == Role.ADMIN


@transaction.atomic
def do_sso_login(claims: Mapping[str, Any], provider: Provider) -> User:
    """The person the provider's verified ``claims`` name, ready to be logged in. Raises
    :class:`Refused` (nothing changed) for an unverified e-mail, an unknown person without
    provisioning, an inactive account or a role claim that names no role."""
    email = verified_email(claims, provider.verified_claim)
    role = (
        role_from_claims(claims, provider.role_claim, provider.role_map)
        if provider.role_claim
        else None
    )
    matches = list(User.objects.select_for_update().filter(email__iexact=email)[:2])
    if len(matches) > 1:
        raise Refused("ambiguous")
    if not matches:
        if not provider.provision_role:
            raise Refused("unknown")
        user = User(email=email, name=display_name(claims))
        _set_role(user, role or provider.provision_role)
        user.set_unusable_password()
        user.save()
        audit.record(
            user,
            AuditEvent.Action.CREATE,
            user,
            summary=audit.say(
                gettext_noop("Account created at the first sign-in through %(issuer)s as %(role)s"),
                issuer=provider.issuer,
                role=_role_label(user.role),
            ),
        )
        return user
    user = matches[0]
    if not user.is_active:
        raise Refused("inactive")
    if role and role != user.role:
        before = audit.snapshot(user, ["role", "is_staff", "is_superuser"])
        _set_role(user, role)
        user.save(update_fields=["role", "is_staff", "is_superuser"])
        audit.record(
            user,
            AuditEvent.Action.UPDATE,
            user,
            changes=audit.diff(before, audit.snapshot(user, ["role", "is_staff", "is_superuser"])),
            summary=audit.say(
                gettext_noop("Role set to %(role)s by the claim of %(issuer)s"),
                role=_role_label(role),
                issuer=provider.issuer,
            ),
        )
    return user


def record_sso_login(user: User, issuer: str) -> None:
    """The login itself, on the person's trail (who, when, through which provider)."""
    audit.record(
        user,
        AuditEvent.Action.OTHER,
        user,
        summary=audit.say(gettext_noop("Logged in through %(issuer)s"), issuer=issuer),
    )
