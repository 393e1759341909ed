from django import forms
from django.utils.translation import gettext_lazy as _

from kamp.core.choices import Role
from kamp.core.models import User

from .models import Contact, Customer, DMURole


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = [
            "name", "tax_id", "external_id", "industry", "region", "country", "size",
            "currency", "parent", "status", "owner", "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(
            is_active=True, role__in=[Role.KAM, Role.DIRECTOR, Role.ADMIN]
        )
        parents = Customer.objects.only("id", "name").order_by("name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["name"].widget.attrs["autofocus"] = True


class ContactForm(forms.ModelForm):
    dmu_roles = forms.MultipleChoiceField(
        label=_("DMU roles"), choices=DMURole.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Contact
        fields = [
            "name", "title", "function", "seniority", "dmu_roles", "reports_to", "attitude",
            "influence", "email", "phone", "active", "left_on",
        ]
        widgets = {"left_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        others = customer.contacts.all()
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["reports_to"].queryset = others
        self.fields["name"].widget.attrs["autofocus"] = True

    def clean(self):
        data = super().clean()
        if data.get("active") is False and not data.get("left_on"):
            self.add_error("left_on", _("Say when the contact left the company."))
        return data
