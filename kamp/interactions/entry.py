"""Django forms of the interactions area (``forms.py`` is the pure bow-tie/diamond module, named
after the domain's "interaction forms")."""

from __future__ import annotations

from typing import cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kamp.core.choices import Function
from kamp.core.models import User
from kamp.core.versioning import VersionedForm
from kamp.core.widgets import DateInput
from kamp.customers.models import Attitude, Contact, Customer, DMURole

from .models import Interaction, InteractionKind, InteractionSettings


class PeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        if isinstance(obj, Contact):
            extra = obj.title or obj.get_function_display()
            return f"{obj.name} · {extra}" if extra else obj.name
        return f"{obj} · {obj.get_function_display()}"


def account_people(customer: Customer, user) -> QuerySet[User]:
    """Our people who usually meet this customer: the KAM, the account team and me."""
    return (
        User.objects.filter(
            Q(pk=customer.owner_id) | Q(team_memberships__customer=customer) | Q(pk=user.pk),
            is_active=True,
        )
        .distinct()
        .order_by("name", "email")
    )


class InteractionForm(VersionedForm):
    our_people = PeopleChoice(
        label=_("Our people"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    their_contacts = PeopleChoice(
        label=_("Their people"),
        queryset=Contact.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Interaction
        fields = [
            "date",
            "kind",
            "topic",
            "our_people",
            "their_contacts",
            "notes",
            "follow_up",
            "follow_up_on",
        ]
        widgets = {
            "date": DateInput(),
            "follow_up_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, customer: Customer, user, quick: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        if quick:
            ours = account_people(customer, user)
            for name in ("notes", "follow_up", "follow_up_on"):
                del self.fields[name]
            self.fields["topic"].widget.attrs.update(
                {"placeholder": _("What was it about? (Enter saves)"), "autofocus": True}
            )
        else:
            ours = User.objects.filter(Q(is_active=True) | Q(pk__in=self._current_ours())).order_by(
                "name", "email"
            )
            self.fields["topic"].widget.attrs["autofocus"] = True
        cast(PeopleChoice, self.fields["our_people"]).queryset = ours
        # Only this customer's contacts: another customer's people never appear here.
        theirs = customer.contacts.filter(Q(active=True) | Q(pk__in=self._current_theirs()))
        cast(PeopleChoice, self.fields["their_contacts"]).queryset = theirs.order_by("name")
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())
            self.initial.setdefault("our_people", [user.pk])

    def _current_ours(self) -> list[int]:
        return (
            list(self.instance.our_people.values_list("pk", flat=True)) if self.instance.pk else []
        )

    def _current_theirs(self) -> list[int]:
        return (
            list(self.instance.their_contacts.values_list("pk", flat=True))
            if self.instance.pk
            else []
        )


class FilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds"))] + list(InteractionKind.choices),
    )
    person = forms.ModelChoiceField(
        label=_("Our person"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("Anyone of ours"),
    )
    contact = forms.ModelChoiceField(
        label=_("Their person"),
        required=False,
        queryset=Contact.objects.none(),
        empty_label=_("Anyone of theirs"),
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Topic or notes")}),
    )

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        from kamp.team.models import AccountTeamMember

        from .models import InteractionPerson

        # The people and contacts to filter by (the tab's filter bar lists them too).
        # Subqueries, not joins: a join through a large log makes a slow DISTINCT.
        self.people = User.objects.filter(
            Q(pk=customer.owner_id)
            | Q(pk__in=AccountTeamMember.objects.filter(customer=customer).values("user_id"))
            | Q(
                pk__in=InteractionPerson.objects.filter(interaction__customer=customer).values(
                    "user_id"
                )
            )
        ).order_by("name")
        self.contacts = customer.contacts.order_by("name")
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = self.people
        cast(forms.ModelChoiceField, self.fields["contact"]).queryset = self.contacts

    def apply(self, qs):
        if not self.is_valid():
            return qs
        d = self.cleaned_data
        if d.get("kind"):
            qs = qs.filter(kind=d["kind"])
        if d.get("person"):
            qs = qs.filter(people_links__user=d["person"])
        if d.get("contact"):
            qs = qs.filter(contact_links__contact=d["contact"])
        if d.get("since"):
            qs = qs.filter(date__gte=d["since"])
        if d.get("until"):
            qs = qs.filter(date__lte=d["until"])
        if d.get("q"):
            qs = qs.filter(Q(topic__icontains=d["q"]) | Q(notes__icontains=d["q"]))
        return qs


class MapContactForm(VersionedForm):
    """The in-place editor of a card on the DMU map (a contact: it carries the version read, as
    the contact form does)."""

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
            "reports_to",
            "dmu_roles",
            "attitude",
            "influence",
            "email",
            "active",
            "left_on",
        ]
        widgets = {
            "left_on": DateInput(),
            "influence": forms.NumberInput(attrs={"min": 1, "max": 5}),
        }

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        others = customer.contacts.order_by("name")
        if self.instance.pk:
            # Nobody reports to themselves or to someone below them: the chart stays a tree.
            others = others.exclude(
                pk__in=descendants(customer, self.instance.pk) | {self.instance.pk}
            )
        reports_to = cast(forms.ModelChoiceField, self.fields["reports_to"])
        reports_to.queryset = others
        reports_to.empty_label = _("Nobody (top of the chart)")
        cast(forms.ChoiceField, self.fields["function"]).choices = Function.choices
        cast(forms.ChoiceField, self.fields["attitude"]).choices = Attitude.choices

    def clean(self):
        data = super().clean()
        if data.get("active") is False and not data.get("left_on"):
            self.add_error("left_on", _("Say when the contact left the company."))
        return data


class NewContactForm(MapContactForm):
    class Meta(MapContactForm.Meta):
        fields = ["name", "title", "function", "reports_to", "dmu_roles", "attitude", "email"]


def descendants(customer: Customer, contact_id: int) -> set[int]:
    """The contacts who report, directly or not, to ``contact_id`` (one query)."""
    below: dict[int | None, list[int]] = {}
    for pk, boss in customer.contacts.values_list("pk", "reports_to_id"):
        below.setdefault(boss, []).append(pk)
    found, todo = set(), [contact_id]
    while todo:
        for child in below.get(todo.pop(), []):
            if child not in found and child != contact_id:
                found.add(child)
                todo.append(child)
    return found


class SettingsForm(VersionedForm):
    versioned_before_saved = True

    class Meta:
        model = InteractionSettings
        fields = ["window_days", "min_pairs", "single_thread_percent", "not_met_days"]


class CalendarUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Calendar file (.ics)"),
        help_text=_("Export it from Outlook, Google Calendar or Apple Calendar."),
        widget=forms.ClearableFileInput(attrs={"accept": ".ics,.ical,text/calendar"}),
    )
    since = forms.DateField(
        label=_("Recurring meetings from"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "A recurring meeting is logged once for each time it was held from this day up to "
            "today. Empty: the last 12 months."
        ),
    )

    def clean_since(self):
        since = self.cleaned_data.get("since")
        if since and since > timezone.localdate():
            raise forms.ValidationError(_("Choose a day up to today."))
        return since
