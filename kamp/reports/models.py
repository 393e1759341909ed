"""The company's identity on the exports (the QBR deck and the PDF one-pager): its logo, two
colours and a font, set once on the Settings page; and a customer's logo, optional per account.
Images are kept in the database (small, checked PNG or JPEG: see ``kamp.reports.identity``), so
an export never reads a file a person could name."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kamp.core.versioning import version_field

DEFAULT_PRIMARY = "#1F3A5F"  # a neutral dark blue
DEFAULT_ACCENT = "#2A9D8F"  # a calm teal
FONTS = [
    ("Arial", "Arial"),
    ("Calibri", "Calibri"),
    ("Helvetica", "Helvetica"),
    ("Verdana", "Verdana"),
    ("Georgia", "Georgia"),
    ("Times New Roman", "Times New Roman"),
]
DEFAULT_FONT = "Arial"


class CompanyIdentity(models.Model):
    """One row: the supplier's look on its exports (a neutral default until it is set)."""

    logo = models.BinaryField(_("logo"), null=True, blank=True, editable=False)
    logo_type = models.CharField(_("logo type"), max_length=20, blank=True, editable=False)
    primary_color = models.CharField(_("primary colour"), max_length=7, default=DEFAULT_PRIMARY)
    accent_color = models.CharField(_("accent colour"), max_length=7, default=DEFAULT_ACCENT)
    font = models.CharField(_("font"), max_length=40, choices=FONTS, default=DEFAULT_FONT)
    confidentiality = models.CharField(
        _("confidentiality line"),
        max_length=120,
        blank=True,
        help_text=_("Printed in the footer of the internal edition; empty for the default."),
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Two managers saving the identity at once: the second is told (kamp.core.versioning).
    version = version_field()

    class Meta:
        verbose_name = _("company identity")
        verbose_name_plural = _("company identity")

    def __str__(self) -> str:
        return str(_("company identity"))

    @classmethod
    def load(cls) -> CompanyIdentity:
        obj = cls.objects.first()
        return obj if obj is not None else cls()


class CustomerLogo(models.Model):
    """A customer's logo for the title slide of its QBR deck and its one-pager."""

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="export_logo",
    )
    image = models.BinaryField(_("logo"), editable=False)
    image_type = models.CharField(_("logo type"), max_length=20, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("customer logo")
        verbose_name_plural = _("customer logos")

    def __str__(self) -> str:
        return f"{self.customer_id}"
