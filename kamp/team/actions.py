"""Every change to account teams, KAM ownership and hat assessments: atomic, audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kamp.core import audit
from kamp.core.models import AuditEvent
from kamp.core.versioning import claim
from kamp.customers.actions import do_set_owner

from .models import HAT_FIELDS, AccountTeamMember, HatAssessment, OwnershipChange, TeamRole

MEMBER_FIELDS = ["user", "role", "responsibility", "since"]


@transaction.atomic
def do_add_team_member(
    acting_user, customer, user, role=TeamRole.MEMBER, responsibility="", since=None
) -> AccountTeamMember:
    if customer.owner_id and customer.owner_id == user.pk:
        raise ValidationError(_("%(name)s already owns this account as its KAM.") % {"name": user})
    if AccountTeamMember.objects.filter(customer=customer, user=user).exists():
        raise ValidationError(_("%(name)s is already on this account's team.") % {"name": user})
    member = AccountTeamMember(
        customer=customer,
        user=user,
        role=role,
        responsibility=responsibility or "",
        since=since or timezone.localdate(),
    )
    member.full_clean()
    member.save()
    audit.record(
        acting_user,
        "create",
        member,
        customer_id=customer.pk,
        changes=audit.diff({}, audit.snapshot(member, MEMBER_FIELDS)),
        summary=audit.say(gettext_noop("%(name)s joined the account team"), name=user),
    )
    return member


@transaction.atomic
def do_update_team_member(
    acting_user, member: AccountTeamMember, *, version=None, **values
) -> AccountTeamMember:
    """Change a member's role on the account; with ``version``, only if nobody saved it since
    (``VersionConflict``)."""
    claim(member, version)
    before = audit.snapshot(member, MEMBER_FIELDS)
    for name, value in values.items():
        if name in ("role", "responsibility", "since"):
            setattr(member, name, value)
    member.full_clean()
    member.save()
    changes = audit.diff(before, audit.snapshot(member, MEMBER_FIELDS))
    if changes:
        audit.record(acting_user, "update", member, customer_id=member.customer_id, changes=changes)
    return member


@transaction.atomic
def do_remove_team_member(acting_user, member: AccountTeamMember) -> None:
    audit.record(
        acting_user,
        "delete",
        member,
        customer_id=member.customer_id,
        changes=audit.diff(audit.snapshot(member, MEMBER_FIELDS), {}),
        summary=audit.say(gettext_noop("%(name)s left the account team"), name=member.user),
    )
    member.delete()


@transaction.atomic
def do_change_owner(
    acting_user, customer, new_owner, reason: str = "", on=None, *, version=None
) -> OwnershipChange:
    """Hand the account to another KAM (or to nobody), keeping the change in the ownership history.
    The customer itself changes through the customers area's action, which checks the ownership
    rule (a director, an admin or the owning KAM) and writes the audit row."""
    last_id = (
        AuditEvent.objects.filter(customer_id=customer.pk)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
        or 0
    )
    previous = do_set_owner(acting_user, customer, new_owner, version=version)
    event_id = (
        AuditEvent.objects.filter(
            customer_id=customer.pk, object_type="customers.customer", id__gt=last_id
        )
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if new_owner is not None:
        # The new KAM owns the account; a team seat alongside would be redundant.
        AccountTeamMember.objects.filter(customer=customer, user=new_owner).delete()
    return OwnershipChange.objects.create(
        customer=customer,
        previous_owner=previous,
        new_owner=new_owner,
        changed_on=on or timezone.localdate(),
        changed_by=acting_user if getattr(acting_user, "pk", None) else None,
        reason=reason or "",
        audit_event_id=event_id,
    )


@transaction.atomic
def do_assess_hats(
    acting_user, kam, source: str, levels: dict[str, int], notes: str = "", on=None
) -> HatAssessment:
    assessment = HatAssessment(
        kam=kam,
        assessor=acting_user,
        source=source,
        assessed_on=on or timezone.localdate(),
        notes=notes or "",
        **{h: int(levels[h]) for h in HAT_FIELDS},
    )
    assessment.full_clean()
    assessment.save()
    audit.record(
        acting_user,
        "create",
        assessment,
        changes=[{"field": h, "old": None, "new": levels[h]} for h in HAT_FIELDS],
        summary=audit.say(gettext_noop("Hats assessed: %(who)s"), who=kam),
    )
    return assessment
