from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kamp.core.widgets import DateInput
from kamp.customers.models import Customer

from .actions import BID_FIELDS
from .models import Bid, Contract, Reason


class BidForm(forms.ModelForm):
    reasons = forms.MultipleChoiceField(
        label=_("Why we won or lost"),
        choices=Reason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    probability = forms.IntegerField(
        label=_("Probability (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Empty: the stage's usual probability."),
    )

    class Meta:
        model = Bid
        fields = BID_FIELDS  # the fields the save action audits, one list
        widgets = {
            "due_on": DateInput(),
            "closed_on": DateInput(),
            "scope": forms.Textarea(attrs={"rows": 2}),
            "debrief_note": forms.Textarea(attrs={"rows": 2}),
            "learnt_needs": forms.Textarea(attrs={"rows": 2}),
            "learnt_buying": forms.Textarea(attrs={"rows": 2}),
            "learnt_culture": forms.Textarea(attrs={"rows": 2}),
            "learnt_people": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, money: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not money:
            # The amounts of a bid are the account's economics: not shown, not changed.
            del self.fields["value"]
            del self.fields["currency"]
        else:
            self.fields["currency"].help_text = _("Empty: the customer's currency.")

    def _post_clean(self):
        # The action validates and saves; the form only reads.
        pass


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = ["title", "starts_on", "ends_on", "value", "currency"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, money: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not money:
            del self.fields["value"]
            del self.fields["currency"]

    def _post_clean(self):
        pass


class FollowForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Their new company, if it is a customer already"),
        queryset=Customer.objects.none(),
        required=False,
    )
    company_name = forms.CharField(
        label=_("Or the name of the new company"),
        max_length=200,
        required=False,
        help_text=_("A new candidate customer is created with this name."),
    )
    title = forms.CharField(label=_("Their title there"), max_length=200, required=False)
    email = forms.EmailField(label=_("Their e-mail there"), required=False)

    def __init__(self, *args, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if customers is not None:
            self.fields["customer"].queryset = customers

    def clean(self):
        data = super().clean()
        if not data.get("customer") and not (data.get("company_name") or "").strip():
            raise forms.ValidationError(_("Choose their new company or name it."))
        return data
