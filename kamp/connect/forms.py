from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import MAX_TOKEN_DAYS
from .models import CalendarKind, CalendarMode, TokenScope, WebhookEvent


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
    # The address stored is not shown again (receivers put secrets in it): empty keeps it.
    url = forms.URLField(
        label=_("New receiver URL"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Leave empty to keep the address stored; it is not shown again."),
        widget=forms.URLInput(attrs={"autocomplete": "off"}),
    )
    active = forms.BooleanField(label=_("Active"), required=False)


class CalendarForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("How you call it, e.g. “Work calendar”.")
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=CalendarKind.choices,
        initial=CalendarKind.CALDAV,
        widget=forms.RadioSelect,
    )
    url = forms.CharField(
        label=_("Address"),
        max_length=2000,
        help_text=_(
            "CalDAV: the server's address (e.g. https://caldav.fastmail.com/). Secret address: "
            "the whole https:// link your calendar gives you; it is kept encrypted and not "
            "shown again."
        ),
    )
    username = forms.CharField(
        label=_("User name"), max_length=200, required=False, help_text=_("CalDAV only.")
    )
    password = forms.CharField(
        label=_("App password"),
        max_length=500,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "CalDAV only: an app-specific password made for kamp in your account's security "
            "settings, not your usual password. Kept encrypted; never shown again."
        ),
    )
    mode = forms.ChoiceField(
        label=_("Meetings with customers"),
        choices=CalendarMode.choices,
        initial=CalendarMode.LOG,
        widget=forms.RadioSelect,
    )


class CalendarModeForm(forms.Form):
    mode = forms.ChoiceField(label=_("Meetings with customers"), choices=CalendarMode.choices)
