"""Vocabularies shared by several business areas (our people and the customer's use the same
list of functions, so functional counterparts can be matched: logistics ↔ logistics)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Function(models.TextChoices):
    SALES = "sales", _("Sales")
    PURCHASING = "purchasing", _("Purchasing")
    LOGISTICS = "logistics", _("Logistics")
    FINANCE = "finance", _("Finance")
    OPERATIONS = "operations", _("Operations")
    QUALITY = "quality", _("Quality")
    ENGINEERING = "engineering", _("Engineering / R&D")
    IT = "it", _("IT")
    MARKETING = "marketing", _("Marketing")
    MANAGEMENT = "management", _("Management")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    DIRECTOR = "director", _("KAM director")
    KAM = "kam", _("Key account manager")
    MEMBER = "member", _("Account team member")
    VIEWER = "viewer", _("Viewer")
