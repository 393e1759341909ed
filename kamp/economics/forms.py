from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from kamp.core.models import SiteSettings
from kamp.core.versioning import VersionedForm
from kamp.core.widgets import DateInput

from .models import (
    ActivityType,
    AllocationRule,
    EconomicsSettings,
    InvestmentKind,
)
from .pnl import Period


class PeriodField(forms.CharField):
    """``2025``, ``2025-Q3`` or ``2025-07``, cleaned to the canonical text."""

    default_error_messages = {"invalid": _("Use a period like 2025, 2025-Q3 or 2025-07.")}

    def __init__(self, *args, month_only: bool = False, **kwargs):
        self.month_only = month_only
        kwargs.setdefault("max_length", 7)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("placeholder", "2025-07" if month_only else "2025-Q3")

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            p = Period.parse(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if self.month_only and p.kind != "month":
            raise forms.ValidationError(_("Give a month, e.g. 2025-07."), code="month")
        return str(p)


class CurrencyField(forms.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("min_length", 3)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"placeholder": "CLP", "size": 4, "autocapitalize": "characters"})

    def clean(self, value):
        value = (super().clean(value) or "").strip().upper()
        if value and not value.isalpha():
            raise forms.ValidationError(_("Use a three-letter ISO code, e.g. CLP."))
        return value


class ActivityRecordForm(forms.Form):
    activity = forms.ModelChoiceField(ActivityType.objects.filter(active=True), label=_("Activity"))
    month = PeriodField(label=_("Month"), month_only=True)
    count = forms.DecimalField(
        label=_("Count"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("How many times in the month."),
    )
    minutes = forms.DecimalField(
        label=_("Minutes per occurrence"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Only for activities costed per minute."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].label_from_instance = lambda a: (
            f"{a.name} ({a.get_driver_display()})"
        )
        if not self.is_bound:
            today = date.today()
            self.initial.setdefault("month", f"{today.year:04d}-{today.month:02d}")

    def clean(self):
        data = super().clean()
        activity = data.get("activity")
        if activity is not None and activity.driver == "minute" and not data.get("minutes"):
            self.add_error(
                "minutes", _("This activity is costed per minute: give the minutes per occurrence.")
            )
        return data


class InvestmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InvestmentKind.choices)
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=4)
    currency = CurrencyField(
        label=_("Currency"), required=False, help_text=_("Empty: the account's currency.")
    )
    date = forms.DateField(label=_("Date"), widget=DateInput(), initial=date.today)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ProgrammeInvestmentForm(InvestmentForm):
    allocation = forms.ChoiceField(
        label=_("Allocate to the key accounts"),
        choices=AllocationRule.choices,
        initial=AllocationRule.EQUAL,
        help_text=_("By revenue and by KAM time use the 12 months up to the investment's month."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].help_text = _("Empty: the base currency.")


class CategorySpendForm(forms.Form):
    period = PeriodField(label=_("Period"))
    amount = forms.DecimalField(
        label=_("Estimated category spend"),
        min_value=0,
        max_digits=18,
        decimal_places=4,
        help_text=_(
            "What the customer spends in our category in the period, with us and with others."
        ),
    )
    currency = CurrencyField(
        label=_("Currency"), required=False, help_text=_("Empty: the account's currency.")
    )
    note = forms.CharField(label=_("Source of the estimate"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("period", str(date.today().year))


class ActivityTypeForm(VersionedForm):
    class Meta:
        model = ActivityType
        fields = ["name", "driver", "rate", "currency", "kam_time", "description", "active"]


class ExchangeRateForm(forms.Form):
    currency = CurrencyField(label=_("Currency"))
    period = PeriodField(label=_("From period"))
    rate = forms.DecimalField(
        label=_("Rate to the base currency"),
        min_value=0,
        max_digits=24,
        decimal_places=8,
        help_text=_("How many base-currency units one unit is worth."),
    )


class SettingsForm(VersionedForm):
    base_currency = CurrencyField(
        label=_("Base currency"), help_text=_("Portfolio figures are shown in this currency.")
    )

    def show_conflict(self, current, message):
        # The base currency is kept with the site's settings, saved by the same action.
        current.base_currency = SiteSettings.load().base_currency
        return super().show_conflict(current, message)

    class Meta:
        model = EconomicsSettings
        fields = ["clv_retention", "clv_discount", "clv_years", "alert_unit", "alert_periods"]

    def clean_clv_retention(self):
        value = self.cleaned_data["clv_retention"]
        if not 0 <= value <= 1:
            raise forms.ValidationError(_("Between 0 and 1."))
        return value

    def clean_clv_discount(self):
        value = self.cleaned_data["clv_discount"]
        if not 0 <= value < 1:
            raise forms.ValidationError(_("Between 0 and 1 (e.g. 0.10)."))
        return value
