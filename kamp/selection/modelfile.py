"""Selection models as plain data (a *spec*) and as TOML files, checked before anything is saved.

```toml
name = "Default"
cap = 10
split = 5.5
co_investment_min = 5.5
[[factor]]
key = "cost_to_serve"
dimension = "position"
weight = 40
direction = "lower"
```
``scale_min``/``scale_max`` default to 1/10, labels (``label_en``, ``label_es``) are optional, a
factor's ``source`` defaults to ``assessed``; a derived factor names its ``metric`` and may give
``thresholds`` (else the percentile rank is used).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass, field

import tomli_w
from django.utils.translation import gettext as _

from . import scoring
from .explain import problem_text


@dataclass
class FactorSpec:
    key: str
    dimension: str
    weight: float
    direction: str = scoring.HIGHER
    source: str = scoring.ASSESSED
    label_en: str = ""
    label_es: str = ""
    metric: str = ""
    mapping: str = "percentile"
    thresholds: list[float] = field(default_factory=list)


@dataclass
class ModelSpec:
    name: str
    factors: list[FactorSpec]
    scale_min: float = 1.0
    scale_max: float = 10.0
    split: float | None = None
    co_investment_min: float | None = None
    cap: int | None = None
    description: str = ""
    score_groups: bool = False
    # The reciprocity ledger: each kind of evidence's points over the defaults, and the fall of
    # the score that raises an alert (kamp.selection.reciprocity).
    reciprocity_weights: dict[str, float] = field(default_factory=dict)
    reciprocity_drop: float = 1.5

    def to_pure(self, default_cap: int = 10) -> scoring.Model:
        return scoring.Model(
            factors=tuple(
                scoring.Factor(f.key, f.dimension, f.weight, f.direction, f.source)
                for f in self.factors
            ),
            scale_min=self.scale_min,
            scale_max=self.scale_max,
            split=self.split,
            co_investment_min=self.co_investment_min,
            cap=default_cap if self.cap is None else self.cap,
        )


class SpecError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def check_spec(spec: ModelSpec) -> list[str]:
    """Every reason the spec cannot be saved, as translated sentences."""
    problems = []
    if not spec.name.strip():
        problems.append(_("The model needs a name."))
    problems += [problem_text(p) for p in scoring.validate(spec.to_pure())]
    problems += reciprocity_problems(spec.reciprocity_weights, spec.reciprocity_drop)
    for f in spec.factors:
        if f.source == scoring.DERIVED:
            from .derived import available

            metric = f.metric or f.key
            if metric not in available():
                problems.append(
                    _(
                        "Factor “%(key)s”: “%(metric)s” cannot be derived from the data "
                        "available on this installation."
                    )
                    % {"key": f.key, "metric": metric}
                )
            if f.mapping == "thresholds":
                t = f.thresholds
                if not t or any(b <= a for a, b in zip(t, t[1:], strict=False)):
                    problems.append(
                        _(
                            "Factor “%(key)s”: thresholds must be a non-empty list of "
                            "ascending values."
                        )
                        % {"key": f.key}
                    )
    return problems


def reciprocity_problems(weights, drop) -> list[str]:
    """Why the reciprocity settings cannot be saved: a weight of an unknown kind, or not a
    number ≥ 0; a drop threshold not above 0."""
    from . import reciprocity

    problems = []
    if not isinstance(weights, dict):
        return [_("reciprocity_weights must be a table of numbers, one per kind of evidence.")]
    for kind, w in weights.items():
        if kind not in reciprocity.KINDS:
            problems.append(
                _("Unknown kind of reciprocity evidence: “%(kind)s” (known: %(known)s).")
                % {"kind": kind, "known": ", ".join(reciprocity.KINDS)}
            )
        elif isinstance(w, bool) or not isinstance(w, int | float) or not 0 <= w < math.inf:
            problems.append(
                _("The weight of the reciprocity evidence “%(kind)s” must be a number ≥ 0.")
                % {"kind": kind}
            )
    if isinstance(drop, bool) or not isinstance(drop, int | float) or not 0 < drop < math.inf:
        problems.append(_("The reciprocity drop alert must be a number of points above 0."))
    return problems


_MODEL_KEYS = {
    "name",
    "description",
    "scale_min",
    "scale_max",
    "split",
    "co_investment_min",
    "cap",
    "score_groups",
    "reciprocity_weights",
    "reciprocity_drop",
    "factor",
}
_FACTOR_KEYS = {
    "key",
    "dimension",
    "weight",
    "direction",
    "source",
    "label_en",
    "label_es",
    "metric",
    "mapping",
    "thresholds",
    "labels",
}


def _number(value, what: str, problems: list[str], integer: bool = False):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(
            _("%(what)s must be a number (got %(value)r).") % {"what": what, "value": value}
        )
        return None
    if integer and (not float(value).is_integer()):
        problems.append(
            _("%(what)s must be a whole number (got %(value)r).") % {"what": what, "value": value}
        )
        return None
    return int(value) if integer else float(value)


def parse_toml(text: str) -> ModelSpec:
    """The spec in a TOML text; raises :class:`SpecError` with every problem found."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError([_("This is not a valid TOML file: %(error)s") % {"error": exc}])
    problems: list[str] = []
    for k in data:
        if k not in _MODEL_KEYS:
            problems.append(_("Unknown setting “%(key)s”.") % {"key": k})
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(_("The model needs a name."))
        name = ""
    values = {}
    for k in ("scale_min", "scale_max", "split", "co_investment_min"):
        if k in data:
            values[k] = _number(data[k], k, problems)
    if "cap" in data:
        values["cap"] = _number(data["cap"], "cap", problems, integer=True)
    if "score_groups" in data:
        if isinstance(data["score_groups"], bool):
            values["score_groups"] = data["score_groups"]
        else:
            problems.append(_("score_groups must be true or false."))
    if "reciprocity_drop" in data:
        values["reciprocity_drop"] = _number(data["reciprocity_drop"], "reciprocity_drop", problems)
    if "reciprocity_weights" in data:
        values["reciprocity_weights"] = data["reciprocity_weights"]
    raw_factors = data.get("factor", [])
    if not isinstance(raw_factors, list):
        problems.append(_("Factors are written as [[factor]] tables."))
        raw_factors = []
    factors = []
    for i, raw in enumerate(raw_factors, start=1):
        if not isinstance(raw, dict):
            problems.append(_("Factor %(n)s is not a table.") % {"n": i})
            continue
        for k in raw:
            if k not in _FACTOR_KEYS:
                problems.append(_("Factor %(n)s: unknown setting “%(key)s”.") % {"n": i, "key": k})
        missing = [k for k in ("key", "dimension", "weight") if k not in raw]
        if missing:
            problems.append(
                _("Factor %(n)s: missing %(fields)s.") % {"n": i, "fields": ", ".join(missing)}
            )
            continue
        weight = _number(raw["weight"], f"factor {raw['key']}: weight", problems)
        raw_labels = raw.get("labels")
        labels = raw_labels if isinstance(raw_labels, dict) else {}
        thresholds = raw.get("thresholds", [])
        if not isinstance(thresholds, list) or not all(
            isinstance(t, (int, float)) and not isinstance(t, bool) for t in thresholds
        ):
            problems.append(_("Factor %(n)s: thresholds must be a list of numbers.") % {"n": i})
            thresholds = []
        factors.append(
            FactorSpec(
                key=str(raw["key"]),
                dimension=str(raw["dimension"]),
                weight=weight if weight is not None else 1.0,
                direction=str(raw.get("direction", scoring.HIGHER)),
                source=str(raw.get("source", scoring.ASSESSED)),
                label_en=str(raw.get("label_en", labels.get("en", ""))),
                label_es=str(raw.get("label_es", labels.get("es", ""))),
                metric=str(raw.get("metric", "")),
                mapping="thresholds" if thresholds else str(raw.get("mapping", "percentile")),
                thresholds=[float(t) for t in thresholds],
            )
        )
    spec = ModelSpec(
        name=name.strip(),
        factors=factors,
        description=str(data.get("description", "")),
        **{k: v for k, v in values.items() if v is not None or k in ("split", "co_investment_min")},
    )
    if problems:
        raise SpecError(problems)
    problems = check_spec(spec)
    if problems:
        raise SpecError(problems)
    return spec


def spec_of(model, factors=None) -> ModelSpec:
    factors = list(model.factors.all()) if factors is None else factors
    return ModelSpec(
        name=model.name,
        description=model.description,
        scale_min=model.scale_min,
        scale_max=model.scale_max,
        split=model.split,
        co_investment_min=model.co_investment_min,
        cap=model.cap,
        score_groups=model.score_groups,
        reciprocity_weights=dict(model.reciprocity_weights or {}),
        reciprocity_drop=model.reciprocity_drop,
        factors=[
            FactorSpec(
                key=f.key,
                dimension=f.dimension,
                weight=f.weight,
                direction=f.direction,
                source=f.source,
                label_en=f.label_en,
                label_es=f.label_es,
                metric=f.metric,
                mapping=f.mapping,
                thresholds=list(f.thresholds or []),
            )
            for f in factors
        ],
    )


def to_toml(model, effective_cap: int | None = None) -> str:
    """The model as TOML (the cap written out as the one in force when the model has none)."""
    spec = spec_of(model)
    data: dict = {"name": spec.name}
    if spec.description:
        data["description"] = spec.description
    cap = spec.cap if spec.cap is not None else effective_cap
    if cap is not None:
        data["cap"] = cap
    if spec.score_groups:
        data["score_groups"] = True
    data["scale_min"] = _plain(spec.scale_min)
    data["scale_max"] = _plain(spec.scale_max)
    data["split"] = _plain(model.split_value)
    data["co_investment_min"] = _plain(model.floor_value)
    data["reciprocity_drop"] = _plain(spec.reciprocity_drop)
    if spec.reciprocity_weights:
        data["reciprocity_weights"] = {k: _plain(v) for k, v in spec.reciprocity_weights.items()}
    data["factor"] = []
    for f in spec.factors:
        row = {
            k: _plain(v)
            for k, v in asdict(f).items()
            if k in ("key", "label_en", "label_es", "dimension", "weight", "direction", "source")
            and v != ""
        }
        if f.source == scoring.DERIVED:
            row["metric"] = f.metric or f.key
            if f.mapping == "thresholds":
                row["thresholds"] = [_plain(t) for t in f.thresholds]
        data["factor"].append(row)
    return tomli_w.dumps(data)


def _plain(v):
    return int(v) if isinstance(v, float) and v.is_integer() else v
