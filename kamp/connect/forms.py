from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import MAX_TOKEN_DAYS
from .models import TokenScope, WebhookEvent


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, e.g. “CRM sync” or “Power BI”."),
    )
    scope = forms.ChoiceField(
        label=_("Access"), choices=TokenScope.choices, initial=TokenScope.READ
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=MAX_TOKEN_DAYS, initial=90
    )


class WebhookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.URLField(
        label=_("Receiver URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("kamp POSTs each event here as signed JSON."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )
    finance = forms.BooleanField(
        label=_("Finance receiver: include amounts"),
        required=False,
        help_text=_("Only for a finance system: payloads then carry sales and values at stake."),
    )


class WebhookEditForm(WebhookForm):
    active = forms.BooleanField(label=_("Active"), required=False)
