import contextlib
import re

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from kamp.core.choices import Role
from kamp.core.models import User
from kamp.core.versioning import VersionedForm
from kamp.core.widgets import DateInput

from .access import customers_visible_to
from .models import Contact, Customer, DMURole
from .validators import normalise_tax_id


def customer_label(customer: Customer) -> str:
    """How a customer is named in a lookup field: ``Name (tax id)``."""
    return f"{customer.name} ({customer.tax_id})" if customer.tax_id else customer.name


class CustomerLookupField(forms.CharField):
    """A customer picked by typing: the tax id, the exact name or a suggestion ``Name (tax
    id)`` from the list the page fetches while typing. Scales to any number of customers, unlike
    a select with every one of them."""

    def __init__(self, *args, queryset=None, **kwargs):
        self.queryset = queryset if queryset is not None else Customer.objects.all()
        super().__init__(*args, **kwargs)

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        match = re.search(r"\(([^()]+)\)$", text)
        candidates = []
        if match:
            candidates = list(self.queryset.filter(tax_id=match.group(1).strip())[:2])
        if not candidates:
            candidates = list(self.queryset.filter(name__iexact=text)[:2])
        if not candidates:
            # The tax id as kept by the rule of each country kamp has customers in: a CUIT
            # typed 20267565393 finds the customer kept as 20-26756539-3.
            spellings = {text}
            countries = set(
                self.queryset.order_by().values_list("country", flat=True).distinct()
            ) | {"CL"}
            for country in sorted(c for c in countries if c):
                with contextlib.suppress(forms.ValidationError):
                    spellings.add(normalise_tax_id(text, country))
            candidates = list(
                self.queryset.filter(Q(tax_id__in=spellings) | Q(external_id=text))[:2]
            )
        if not candidates:
            raise forms.ValidationError(
                _("No customer “%(text)s”: type its tax id or pick a name from the list."),
                params={"text": text},
            )
        if len(candidates) > 1:
            raise forms.ValidationError(
                _("Several customers are called “%(text)s”: type the tax id instead."),
                params={"text": text},
            )
        return candidates[0]


class CustomerForm(VersionedForm):
    """A customer's ordinary fields. Not its owner (handed over on the team page, under the
    ownership rule) nor its status (a selection decision); on a new customer, a director or
    admin names the owner (a KAM's new customer is theirs)."""

    parent = CustomerLookupField(
        label=_("Parent company"),
        required=False,
        help_text=_("The group this company belongs to: type a name or tax id."),
    )

    class Meta:
        model = Customer
        fields = [
            "name",
            "tax_id",
            "external_id",
            "industry",
            "region",
            "country",
            "size",
            "currency",
            "parent",
            "is_group_account",
            "owner",
            "address",
            "notes",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk or not user.manages_programme:
            del self.fields["owner"]
        else:
            self.fields["owner"].queryset = User.objects.filter(  # type: ignore[attr-defined]
                is_active=True, role__in=[Role.KAM, Role.DIRECTOR, Role.ADMIN]
            )
        # Only customers the user may see are offered, accepted, or named.
        parents = customers_visible_to(user)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
            if self.instance.parent_id:
                if not parents.filter(pk=self.instance.parent_id).exists():
                    # The parent is one the user may not see: neither shown nor changeable here
                    # (the field is left out, so a save keeps it).
                    del self.fields["parent"]
                elif not self.is_bound:
                    self.initial["parent"] = customer_label(self.instance.parent)
        if "parent" in self.fields:
            parent = self.fields["parent"]
            parent.queryset = parents  # type: ignore[attr-defined]
            parent.widget.attrs.update(
                {
                    "list": "parent-options",
                    "autocomplete": "off",
                    "hx-get": reverse_lazy("customers:lookup"),
                    "hx-trigger": "input changed delay:250ms",
                    "hx-target": "#parent-options",
                    "hx-swap": "innerHTML",
                }
            )
        self.fields["name"].widget.attrs["autofocus"] = True

    def display(self, name: str, value) -> str:
        if name == "parent" and value is not None:
            if not customers_visible_to(self.user).filter(pk=value.pk).exists():
                return str(_("a company you cannot see"))
            return customer_label(value)
        return super().display(name, value)


class ContactForm(VersionedForm):
    dmu_roles = forms.MultipleChoiceField(
        label=_("DMU roles"),
        choices=DMURole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Contact
        fields = [
            "name",
            "title",
            "function",
            "seniority",
            "dmu_roles",
            "reports_to",
            "attitude",
            "influence",
            "email",
            "phone",
            "active",
            "left_on",
        ]
        widgets = {"left_on": DateInput()}

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        others = customer.contacts.all()
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["reports_to"].queryset = others  # type: ignore[attr-defined]
        self.fields["influence"].widget.attrs.update({"min": 1, "max": 5})
        self.fields["name"].widget.attrs["autofocus"] = True

    def clean(self):
        data = super().clean()
        if data.get("active") is False and not data.get("left_on"):
            self.add_error("left_on", _("Say when the contact left the company."))
        return data
