"""Forms for the plan's parts: the same forms validate the inline HTMX editing and the API."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kamp.core.choices import Role
from kamp.core.models import User
from kamp.core.versioning import VersionedForm
from kamp.core.widgets import DateInput

from .models import (
    MONEY_METRICS,
    AccountPlan,
    Initiative,
    JointPlanComment,
    JointPlanLink,
    Objective,
    PlanAction,
    Review,
    Risk,
    WhitespaceCell,
)


def people_for(customer):
    """Whom an action or initiative may be given to: the KAM, the account team, the programme's
    managers and KAMs (active people only)."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(pk=customer.owner_id)
            | Q(team_memberships__customer=customer)
            | Q(role__in=[Role.KAM, Role.DIRECTOR, Role.ADMIN])
        )
        .distinct()
        .order_by("name", "email")
    )


class PlanForm(VersionedForm):
    class Meta:
        model = AccountPlan
        fields = ["period", "business_and_goals", "strategy"]
        widgets = {
            "business_and_goals": forms.Textarea(attrs={"rows": 5}),
            "strategy": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer or getattr(self.instance, "customer", None)

    def clean_period(self):
        period = self.cleaned_data["period"].strip()
        if self.customer is not None:
            others = AccountPlan.objects.filter(customer=self.customer, period=period)
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                raise forms.ValidationError(
                    _("This account already has a plan for %(period)s."), params={"period": period}
                )
        return period


class PlanTextForm(forms.ModelForm):
    """One of the plan's two texts, edited in place."""

    class Meta:
        model = AccountPlan
        fields = ["business_and_goals", "strategy"]
        widgets = {
            "business_and_goals": forms.Textarea(attrs={"rows": 6}),
            "strategy": forms.Textarea(attrs={"rows": 6}),
        }


class ItemForm(VersionedForm):
    """A part of a plan; ``plan`` gives the choices (owners, objectives) and the money rule."""

    money_fields: tuple[str, ...] = ()

    def __init__(self, *args, plan=None, sees_money=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        if "owner" in self.fields and plan is not None:
            self.fields["owner"].queryset = people_for(plan.customer)
        if "objective" in self.fields and plan is not None:
            self.fields["objective"].queryset = plan.objectives.all()
        # Someone who may not see the account's money never sees nor edits it.
        if not sees_money:
            for name in self.money_fields:
                self.fields.pop(name, None)

    def _post_clean(self):
        if self.plan is not None:
            self.instance.plan = self.plan
        super()._post_clean()


class ObjectiveForm(ItemForm):
    money_fields = ("is_financial",)

    class Meta:
        model = Objective
        fields = ["title", "measure", "target", "current", "metric", "due", "is_financial"]
        widgets = {"due": DateInput()}

    def clean(self):
        data = super().clean()
        if data.get("metric") in MONEY_METRICS:
            # A money figure is financial whatever the box says: never shown to the customer.
            data["is_financial"] = True
            self.instance.is_financial = True
        if data.get("metric"):
            data["current"] = None  # computed where shown; a typed value would only mislead
        return data

    def __init__(self, *args, sees_money=True, **kwargs):
        super().__init__(*args, sees_money=sees_money, **kwargs)
        if not sees_money and self.instance.pk and self.instance.is_financial:
            # A financial objective's numbers stay out of reach.
            for name in ("target", "current"):
                self.fields.pop(name, None)


class ActionForm(ItemForm):
    class Meta:
        model = PlanAction
        fields = ["title", "owner", "due", "status", "shared_with_customer", "objective"]
        widgets = {"due": DateInput()}


class QuickActionForm(ActionForm):
    """The one-line form: what, who, when (status starts as to do)."""

    class Meta(ActionForm.Meta):
        fields = ["title", "owner", "due", "shared_with_customer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs.update(
            {"placeholder": _("New action… (Enter adds it)"), "autocomplete": "off"}
        )
        self.fields["owner"].empty_label = _("(nobody)")


class WhitespaceForm(ItemForm):
    money_fields = ("current_revenue", "potential")

    class Meta:
        model = WhitespaceCell
        fields = ["buying_unit", "offering", "status", "current_revenue", "potential", "note"]


class InitiativeForm(ItemForm):
    class Meta:
        model = Initiative
        fields = ["title", "stage", "owner", "value_for_customer", "value_for_us"]
        widgets = {
            "value_for_customer": forms.Textarea(attrs={"rows": 2}),
            "value_for_us": forms.Textarea(attrs={"rows": 2}),
        }


class RiskForm(ItemForm):
    class Meta:
        model = Risk
        fields = ["title", "likelihood", "impact", "mitigation", "closed"]
        widgets = {"mitigation": forms.Textarea(attrs={"rows": 2})}


class ReviewForm(ItemForm):
    class Meta:
        model = Review
        fields = ["date", "title", "attendees", "outcomes"]
        widgets = {"date": DateInput(), "outcomes": forms.Textarea(attrs={"rows": 3})}


ITEM_FORMS: dict[str, type[ItemForm]] = {
    "objectives": ObjectiveForm,
    "actions": ActionForm,
    "whitespace": WhitespaceForm,
    "initiatives": InitiativeForm,
    "risks": RiskForm,
    "reviews": ReviewForm,
}


class JointLinkForm(forms.ModelForm):
    days = forms.IntegerField(label=_("valid for (days)"), min_value=1, max_value=365, initial=30)

    class Meta:
        model = JointPlanLink
        fields = ["label", "language", "share_objectives", "share_actions", "share_initiatives"]

    def clean(self):
        data = super().clean()
        if not (
            data.get("share_objectives")
            or data.get("share_actions")
            or data.get("share_initiatives")
        ):
            raise forms.ValidationError(_("Choose at least one part of the plan to share."))
        return data


class JointCommentForm(forms.ModelForm):
    # A field people never see: a bot that fills it is ignored.
    website = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = JointPlanComment
        fields = ["name", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}


def default_due():
    return timezone.localdate() + datetime.timedelta(days=14)
