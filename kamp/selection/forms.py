from __future__ import annotations

from typing import cast

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from kamp.core.formatting import format_number
from kamp.core.versioning import VersionedForm
from kamp.core.widgets import DateInput

from . import derived, reciprocity
from .modelfile import FactorSpec, ModelSpec
from .models import (
    Decision,
    Dimension,
    Direction,
    EvidenceKind,
    Mapping,
    SelectionModel,
    Source,
)


class SelectionModelForm(VersionedForm):
    class Meta:
        model = SelectionModel
        fields = [
            "name",
            "description",
            "scale_min",
            "scale_max",
            "split",
            "co_investment_min",
            "cap",
            "score_groups",
            "reciprocity_drop",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    # The weights are one JSON field on the model: the view compares them as one row.
    conflict_skip = tuple(f"reciprocity_{kind}" for kind in reciprocity.KINDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One field per kind of reciprocity evidence: empty keeps kamp's default weight.
        own = dict(self.instance.reciprocity_weights or {}) if self.instance.pk else {}
        self.fields["reciprocity_drop"].required = False  # empty: the model's current one
        for kind in reciprocity.KINDS:
            self.fields[f"reciprocity_{kind}"] = forms.FloatField(
                label=_("Reciprocity weight: %(kind)s") % {"kind": EvidenceKind(kind).label},
                required=False,
                min_value=0,
                initial=own.get(kind),
                help_text=_("Points of one fresh item; empty: %(default)s.")
                % {"default": format_number(reciprocity.DEFAULT_WEIGHTS[kind], 1, trim=True)},
            )

    def clean_reciprocity_drop(self) -> float:
        value = self.cleaned_data.get("reciprocity_drop")
        if value is None:
            return self.instance.reciprocity_drop
        if not value > 0:
            raise forms.ValidationError(
                _("The reciprocity drop alert must be a number of points above 0.")
            )
        return value

    def reciprocity_weights(self) -> dict[str, float]:
        d = self.cleaned_data
        return {
            kind: d[f"reciprocity_{kind}"]
            for kind in reciprocity.KINDS
            if d.get(f"reciprocity_{kind}") is not None
        }


class FactorForm(forms.Form):
    key = forms.SlugField(label=_("Key"), max_length=40)
    label_en = forms.CharField(label=_("English label"), max_length=100, required=False)
    label_es = forms.CharField(label=_("Spanish label"), max_length=100, required=False)
    dimension = forms.ChoiceField(label=_("Dimension"), choices=Dimension.choices)
    weight = forms.FloatField(label=_("Weight"))
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    metric = forms.ChoiceField(label=_("Derived from"), required=False)
    mapping = forms.ChoiceField(label=_("Mapping"), choices=Mapping.choices, required=False)
    thresholds = forms.CharField(
        label=_("Thresholds"),
        required=False,
        help_text=_("Ascending values separated by “;”, e.g. 1000; 5000; 20000."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", "—"), *derived.choices()]

    def clean_thresholds(self) -> list[float]:
        text = self.cleaned_data.get("thresholds") or ""
        try:
            return [float(t.strip().replace(",", ".")) for t in text.split(";") if t.strip()]
        except ValueError:
            raise forms.ValidationError(_("Write numbers separated by “;”."))

    def spec(self) -> FactorSpec:
        d = self.cleaned_data
        return FactorSpec(
            key=d["key"],
            dimension=d["dimension"],
            weight=d["weight"],
            direction=d["direction"],
            source=d["source"],
            label_en=d["label_en"],
            label_es=d["label_es"],
            metric=d.get("metric") or "",
            mapping=d.get("mapping") or "percentile",
            thresholds=d.get("thresholds") or [],
        )


class BaseFactorFormSet(forms.BaseFormSet):
    def specs(self) -> list[FactorSpec]:
        return [f.spec() for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


# formset_factory makes a subclass of ``formset``; the stubs only say BaseFormSet.
FactorFormSet = cast(
    type[BaseFactorFormSet],
    forms.formset_factory(FactorForm, formset=BaseFactorFormSet, extra=1, can_delete=True),
)


def factor_initial(model: SelectionModel | None) -> list[dict]:
    if model is None:
        return []
    return [
        {
            "key": f.key,
            "label_en": f.label_en,
            "label_es": f.label_es,
            "dimension": f.dimension,
            "weight": f.weight,
            "direction": f.direction,
            "source": f.source,
            "metric": f.metric,
            "mapping": f.mapping,
            "thresholds": "; ".join(f"{t:g}" for t in f.thresholds or []),
        }
        for f in model.factors.all()
    ]


def spec_from_forms(form: SelectionModelForm, formset: BaseFactorFormSet) -> ModelSpec:
    d = form.cleaned_data
    return ModelSpec(
        name=d["name"],
        description=d.get("description") or "",
        scale_min=d["scale_min"],
        scale_max=d["scale_max"],
        split=d.get("split"),
        co_investment_min=d.get("co_investment_min"),
        cap=d.get("cap"),
        score_groups=bool(d.get("score_groups")),
        reciprocity_weights=form.reciprocity_weights(),
        reciprocity_drop=d["reciprocity_drop"],
        factors=formset.specs(),
    )


#: A selection model is a page of text; anything larger is not one (and is not read into memory).
MODEL_FILE_MAX_BYTES = 256 * 1024


class LoadModelForm(forms.Form):
    file = forms.FileField(label=_("TOML file"))
    activate = forms.BooleanField(label=_("Make it the active model"), required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MODEL_FILE_MAX_BYTES:
            raise forms.ValidationError(
                _("A selection model file is a few kilobytes of text; this one is %(size)s.")
                % {"size": filesizeformat(upload.size)},
                code="too_large",
            )
        return upload


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Decision"), choices=Decision.Kind.choices, widget=forms.HiddenInput
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why: what you weighed, especially when you go against the recommendation."),
    )
    # A date input takes ISO dates only: a localized value (04-12-2026 in Spanish) shows empty.
    decided_on = forms.DateField(label=_("Date"), widget=DateInput())


class SnapshotForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=100, required=False)
