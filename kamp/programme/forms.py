from django import forms
from django.utils.translation import gettext_lazy as _

from kamp.core.widgets import DateInput

from .questionnaire import AREAS, QUESTIONS


class DismissForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=300)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Why this alert can be set aside: kept in the history."),
    )
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: until someone restores it."),
    )

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_until(self):
        until = self.cleaned_data.get("until")
        # A snooze that ends today or earlier would set nothing aside.
        if until is not None and self.today is not None and until <= self.today:
            raise forms.ValidationError(_("A snooze ends on a day after today."))
        return until


class ReadinessForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, initial_answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for key, _area, text, options, _step in QUESTIONS:
            fields[key] = forms.TypedChoiceField(
                label=text,
                coerce=int,
                widget=forms.RadioSelect,
                choices=list(enumerate(options)),
                initial=(initial_answers or {}).get(key),
            )
        fields["notes"] = self.fields["notes"]
        self.fields = fields

    def sections(self):
        """[(area key, area label, [bound fields])] in questionnaire order."""
        by_area = {a: [] for a, _l, _g in AREAS}
        for key, area, *_rest in QUESTIONS:
            by_area[area].append(self[key])
        return [(a, label, by_area[a]) for a, label, _g in AREAS]

    def answers(self) -> dict[str, int]:
        return {key: self.cleaned_data[key] for key, *_rest in QUESTIONS}
