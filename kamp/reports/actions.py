"""Changes to the exports' identity: each atomic and audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from kamp.core import audit
from kamp.core.versioning import claim_or_create

from .models import CompanyIdentity, CustomerLogo

IDENTITY_FIELDS = ["primary_color", "accent_color", "font", "confidentiality"]


@transaction.atomic
def do_save_identity(
    user,
    *,
    primary_color: str,
    accent_color: str,
    font: str,
    confidentiality: str = "",
    logo: tuple[bytes, str] | None = None,
    remove_logo: bool = False,
    version=None,
) -> CompanyIdentity:
    """Save the company's identity for the exports; ``logo`` is a checked (bytes, type). With
    ``version`` (0: read before it was first saved), only if nobody saved it since
    (``VersionConflict``)."""
    ident = CompanyIdentity.objects.select_for_update().first() or CompanyIdentity()
    claim_or_create(ident, version)
    before = audit.snapshot(ident, IDENTITY_FIELDS)
    before["logo"] = bool(ident.logo)
    ident.primary_color, ident.accent_color = primary_color, accent_color
    ident.font, ident.confidentiality = font, confidentiality
    if logo is not None:
        ident.logo, ident.logo_type = logo
    elif remove_logo:
        ident.logo, ident.logo_type = None, ""
    ident.updated_at, ident.updated_by = timezone.now(), user
    ident.save()
    after = audit.snapshot(ident, IDENTITY_FIELDS)
    after["logo"] = bool(ident.logo)
    audit.record(
        user,
        "update",
        ident,
        changes=audit.diff(before, after),
        summary=audit.say(gettext_noop("Identity for exports saved")),
    )
    return ident


@transaction.atomic
def do_set_customer_logo(user, customer, logo: tuple[bytes, str] | None) -> None:
    """Set the customer's logo (a checked (bytes, type)), or remove it with ``None``."""
    if logo is None:
        deleted, _ = CustomerLogo.objects.filter(customer=customer).delete()
        if deleted:
            audit.record(
                user,
                "delete",
                customer,
                customer_id=customer.pk,
                summary=audit.say(gettext_noop("Customer logo removed")),
            )
        return
    CustomerLogo.objects.update_or_create(
        customer=customer,
        defaults={
            "image": logo[0],
            "image_type": logo[1],
            "updated_at": timezone.now(),
            "updated_by": user,
        },
    )
    audit.record(
        user,
        "update",
        customer,
        customer_id=customer.pk,
        summary=audit.say(gettext_noop("Customer logo set")),
    )
