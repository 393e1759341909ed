from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kamp.core.versioning import ConflictFormMixin
from kamp.core.widgets import DateInput

from .models import FOUNDATION_ITEMS, Assessment, ROSource, Stage

SCALE_CHOICES = [
    ("", "—"),
    ("1", _("1 · very low")),
    ("2", "2"),
    ("3", "3"),
    ("4", _("4 · medium")),
    ("5", "5"),
    ("6", "6"),
    ("7", _("7 · very high")),
]

ITEM_HELP = {
    "ds_sales_share": _("How much of our sales this customer represents."),
    "ds_replaceability": _("How hard it would be to replace its business with other customers."),
    "ds_switching": _("What it would cost us to lose it: dedicated people, assets, know-how."),
    "db_category_share": _("How much of its spend in our category comes to us."),
    "db_alternatives": _("High when it has few good alternatives to us."),
    "db_switching": _("What it would cost the customer to change supplier."),
    "db_supply_risk": _("How much its operation would suffer without us."),
}


def _scale_field(label, help_text=""):
    return forms.TypedChoiceField(
        label=label,
        choices=SCALE_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        help_text=help_text,
    )


class AssessmentForm(forms.Form):
    date = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DateInput())
    ro_source = forms.ChoiceField(
        label=_("Relational orientation from"),
        initial=ROSource.ASSESSED,
        choices=[
            (ROSource.ASSESSED, _("our assessment")),
            (ROSource.RQI, _("the latest survey's relationship quality index")),
        ],
    )
    ro = forms.DecimalField(
        label=_("Relational orientation (1 transactional – 7 relational)"),
        min_value=1,
        max_value=7,
        decimal_places=1,
        required=False,
        help_text=_("1: price and single deals; 7: long-term, joint work, shared plans."),
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )
    systems_linked = forms.BooleanField(
        label=_("Our systems are linked with the customer's"),
        required=False,
        help_text=_("EDI, shared portals, joint planning: used for the stage."),
    )
    functional_pairs = forms.IntegerField(
        label=_("Functional contact pairs"),
        min_value=0,
        max_value=50,
        required=False,
        help_text=_(
            "Functional counterparts who talk regularly (logistics ↔ logistics…), when the interaction log does not say."
        ),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, hints=None, **kwargs):
        super().__init__(*args, **kwargs)
        hints = hints or {}
        for name in Assessment.DS_ITEMS + Assessment.DB_ITEMS:
            label = Assessment._meta.get_field(name).verbose_name
            help_text = ITEM_HELP[name]
            if hints.get(name):
                help_text = f"{help_text} {hints[name]}"
            self.fields[name] = _scale_field(str(label).capitalize(), help_text)

    def ds_fields(self):
        return [self[n] for n in Assessment.DS_ITEMS]

    def db_fields(self):
        return [self[n] for n in Assessment.DB_ITEMS]

    def other_fields(self):
        return [
            self[n]
            for n in ("date", "ro_source", "ro", "systems_linked", "functional_pairs", "note")
        ]

    def clean(self):
        data = super().clean()
        if data.get("ro_source") == ROSource.ASSESSED and data.get("ro") is None:
            self.add_error("ro", _("Give the orientation, or take it from the survey."))
        if not any(data.get(n) for n in Assessment.DS_ITEMS):
            self.add_error(Assessment.DS_ITEMS[0], _("Score at least one item of our dependence."))
        if not any(data.get(n) for n in Assessment.DB_ITEMS):
            self.add_error(
                Assessment.DB_ITEMS[0], _("Score at least one item of the customer's dependence.")
            )
        return data


class FoundationsForm(ConflictFormMixin, forms.Form):
    # Each save is a new dated checklist; the form carries the one it was opened on (its id, 0
    # for none), so that saving over a newer one is refused (kamp.core.versioning).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, hints=None, **kwargs):
        super().__init__(*args, **kwargs)
        hints = hints or {}
        for _group, key, label in FOUNDATION_ITEMS:
            self.fields[key] = forms.BooleanField(
                label=label, required=False, help_text=hints.get(key, "")
            )
        self.order_fields([k for _g, k, _l in FOUNDATION_ITEMS] + ["note", "version"])

    def clean(self):
        data = super().clean()
        if data.get("version") is None:
            # Without it the save could overwrite anything: a form from an older kamp, or tampered.
            self.add_error(None, _("This form is out of date: reload the page and try again."))
        return data

    def groups(self):
        from .models import FOUNDATION_GROUPS

        return [
            (label, [self[k] for g, k, _l in FOUNDATION_ITEMS if g == key])
            for key, label in FOUNDATION_GROUPS
        ]


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        help_text=_("Needed when you choose a stage other than the suggested one."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RoundForm(forms.Form):
    closes_on = forms.DateField(label=_("Answers until"), widget=DateInput())
    team = forms.MultipleChoiceField(
        label=_("Our account team"), required=False, widget=forms.CheckboxSelectMultiple
    )
    contacts = forms.MultipleChoiceField(
        label=_("Customer contacts"), required=False, widget=forms.CheckboxSelectMultiple
    )
    send = forms.BooleanField(label=_("E-mail the invitations now"), required=False, initial=True)

    def __init__(self, *args, customer, team_users, contacts, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.templates = {str(t.pk): t for t in templates}
        if len(self.templates) > 1:
            self.fields["template"] = forms.ChoiceField(
                label=_("Survey"), choices=[(k, t.name) for k, t in self.templates.items()]
            )
        self.team_users = {str(u.pk): u for u in team_users}
        self.contact_objs = {str(c.pk): c for c in contacts}
        self.fields["closes_on"].initial = timezone.localdate() + timedelta(days=14)
        self.fields["team"].choices = [(str(u.pk), str(u)) for u in team_users]
        self.fields["team"].initial = list(self.team_users)
        self.fields["contacts"].choices = [
            (str(c.pk), f"{c.name} · {c.title or c.get_function_display()} · {c.email}")
            for c in contacts
        ]
        languages = [(code, name) for code, name in settings.LANGUAGES]
        for c in contacts:
            self.fields[f"lang_{c.pk}"] = forms.ChoiceField(
                label=_("Language for %(name)s") % {"name": c.name},
                choices=languages,
                initial="es",
                required=False,
            )

    def language_fields(self):
        return [(self.contact_objs[k], self[f"lang_{k}"]) for k in self.contact_objs]

    def clean_closes_on(self):
        value = self.cleaned_data["closes_on"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The closing date cannot be in the past."))
        return value

    def clean(self):
        data = super().clean()
        if not data.get("team") and not data.get("contacts"):
            raise forms.ValidationError(_("Choose at least one person to ask."))
        return data

    def chosen_template(self):
        key = self.cleaned_data.get("template")
        return self.templates.get(key) if key else None

    def chosen_team(self):
        return [self.team_users[k] for k in self.cleaned_data.get("team", [])]

    def chosen_contacts(self):
        return [
            (self.contact_objs[k], self.cleaned_data.get(f"lang_{k}") or "es")
            for k in self.cleaned_data.get("contacts", [])
        ]


class AddPeopleForm(RoundForm):
    """Ask more people in an open round: the round form without the date and the template."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["closes_on"]
        self.fields.pop("template", None)
        self.fields["team"].initial = []

    def clean_closes_on(self):  # no date here
        return None


class ExtendForm(forms.Form):
    closes_on = forms.DateField(label=_("New closing date"), widget=DateInput())


NOT_SURE = "na"


class AnswerForm(forms.Form):
    """One answer sheet: each statement 1–7 or "can't say"; nothing else is accepted."""

    comment = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, items, language, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.language = language
        choices = [(str(v), str(v)) for v in range(1, 8)] + [(NOT_SURE, NOT_SURE)]
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=item.text(language, partner),
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose an answer (or “can't say”)."),
                    "invalid_choice": _("Choose a number from 1 to 7."),
                },
            )

    def rows(self):
        return [(item, self[f"item_{item.pk}"]) for item in self.items]

    def forged(self, data) -> bool:
        """True when the post carries fields this survey does not have."""
        allowed = set(self.fields) | {"csrfmiddlewaretoken"}
        return bool(set(data.keys()) - allowed)

    def values(self) -> dict[int, int | None]:
        out = {}
        for item in self.items:
            raw = self.cleaned_data[f"item_{item.pk}"]
            out[item.pk] = None if raw == NOT_SURE else int(raw)
        return out
