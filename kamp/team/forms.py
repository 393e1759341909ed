from django import forms
from django.utils.translation import gettext_lazy as _

from kamp.core.choices import Role
from kamp.core.models import User
from kamp.core.versioning import VersionedForm

from .anchors import ANCHORS
from .models import AccountTeamMember, Hat


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} · {obj.get_function_display()}"


class TeamMemberForm(forms.ModelForm):
    user = PersonChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        help_text=_("A colleague from any function: logistics, finance, operations, management…"),
    )

    class Meta:
        model = AccountTeamMember
        fields = ["user", "role", "responsibility"]
        labels = {"responsibility": _("Role on the account")}
        help_texts = {"responsibility": _("E.g. “billing and payment terms”, “site logistics”.")}

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        taken = set(customer.team_members.values_list("user_id", flat=True)) if customer else set()
        if customer and customer.owner_id:
            taken.add(customer.owner_id)
        self.fields["user"].queryset = (
            User.objects.filter(is_active=True).exclude(role=Role.VIEWER).exclude(pk__in=taken)
        )


class MemberRoleForm(VersionedForm):
    class Meta:
        model = AccountTeamMember
        fields = ["role", "responsibility"]
        labels = {"responsibility": _("Role on the account")}


class OwnerForm(forms.Form):
    new_owner = PersonChoiceField(
        label=_("New key account manager"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— nobody —"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        help_text=_("Why the account changes hands: kept in the history."),
    )
    # The account's version when the page was opened: a hand-over decided meanwhile is not
    # silently replaced by this one (kamp.core.versioning).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = User.objects.filter(is_active=True, role__in=[Role.KAM, Role.DIRECTOR])
        if customer and customer.owner_id:
            qs = qs.exclude(pk=customer.owner_id)
        self.fields["new_owner"].queryset = qs
        if customer is not None:
            self.fields["version"].initial = customer.version


class HatAssessmentForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Examples behind the levels; what to develop next."),
    )

    def __init__(self, *args, initial_levels=None, **kwargs):
        super().__init__(*args, **kwargs)
        for hat in reversed(list(Hat)):
            field = forms.TypedChoiceField(
                label=hat.label,
                coerce=int,
                widget=forms.RadioSelect,
                choices=[
                    (level, f"{level} — {text}") for level, text in sorted(ANCHORS[hat].items())
                ],
                initial=(initial_levels or {}).get(hat.value),
            )
            self.fields = {hat.value: field, **self.fields}

    def levels(self) -> dict[str, int]:
        return {h.value: self.cleaned_data[h.value] for h in Hat}
