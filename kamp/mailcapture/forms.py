from django import forms
from django.utils.translation import gettext_lazy as _

from kamp.customers.models import Customer

from .models import Mailbox


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Kept encrypted and never shown again. Leave empty to keep the one stored."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "host",
            "port",
            "security",
            "username",
            "password",
            "folder",
            "address",
            "store_body",
            "max_megabytes",
            "enabled",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("host", "username"):
            self.fields[name].required = True


class AssignForm(forms.Form):
    customer: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.none()
    )

    def __init__(self, *args, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
