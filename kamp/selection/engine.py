"""A full scoring run over the whole portfolio, set-based: a handful of bulk queries (the model,
the customers, one aggregate over the sales lines, one over the assessments), then the pure rules
of :mod:`kamp.selection.scoring`. Views, the API, the CLI and the benchmark all use :func:`run`.

A run is cached, keyed by what it depends on (model, customers, assessments, sales lines, date),
so that the portfolio page with 100,000 customers only pays for it when something changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TypedDict

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from kamp.core.models import SiteSettings
from kamp.customers.models import Customer

from . import derived, scoring
from .models import Assessment, Factor, SelectionModel


class DefaultModel(TypedDict):
    name: str
    # (key, English label, Spanish label, dimension, weight, direction)
    factors: list[tuple[str, str, str, str, int, str]]


# The model of kam-domain.md §2, created when an installation has none.
DEFAULT_MODEL: DefaultModel = {
    "name": "Default",
    "factors": [
        ("profitability", "Profitability", "Rentabilidad", "attractiveness", 40, "higher"),
        (
            "growth_potential",
            "Growth potential",
            "Potencial de crecimiento",
            "attractiveness",
            35,
            "higher",
        ),
        ("strategic_value", "Strategic value", "Valor estratégico", "attractiveness", 25, "higher"),
        (
            "customer_knowledge",
            "Customer knowledge",
            "Conocimiento del cliente",
            "position",
            30,
            "higher",
        ),
        (
            "brand_image",
            "Brand image with the customer",
            "Imagen de marca",
            "position",
            30,
            "higher",
        ),
        ("cost_to_serve", "Cost to serve", "Costo de servir", "position", 40, "lower"),
    ],
}


def ensure_default_model() -> SelectionModel:
    """The active model; the default one of the domain reference if there is none yet."""
    model = SelectionModel.objects.filter(is_active=True).first()
    if model is not None:
        return model
    with transaction.atomic():
        model = SelectionModel.objects.select_for_update().filter(is_active=True).first()
        if model is not None:
            return model
        model = SelectionModel.objects.filter(name=DEFAULT_MODEL["name"]).first()
        if model is None:
            model = SelectionModel.objects.create(name=DEFAULT_MODEL["name"])
            Factor.objects.bulk_create(
                [
                    Factor(
                        model=model,
                        key=k,
                        label_en=en,
                        label_es=es,
                        dimension=d,
                        weight=w,
                        direction=direction,
                        position=i,
                    )
                    for i, (k, en, es, d, w, direction) in enumerate(DEFAULT_MODEL["factors"])
                ]
            )
        model.is_active = True
        model.save(update_fields=["is_active", "updated_at"])
    return model


def get_model(name: str | None = None) -> SelectionModel:
    if name:
        return SelectionModel.objects.get(name=name)
    return ensure_default_model()


@dataclass
class CustomerInfo:
    id: int
    name: str
    code: str
    status: str
    owner_id: int | None
    industry: str
    region: str


@dataclass
class Run:
    model: SelectionModel
    factors: list[Factor]
    pure: scoring.Model
    as_of: date
    results: list[scoring.Result]
    by_id: dict[int, scoring.Result]
    customers: dict[int, CustomerInfo]
    # customer id -> factor key -> (mean score, spread, number of assessors, derived raw value)
    inputs: dict[int, dict[str, tuple]]
    revenue: dict[int, float]
    recommended: list[int]
    unavailable_metrics: list[str] = field(default_factory=list)
    robustness: scoring.Robustness | None = None

    @property
    def cap(self) -> int:
        return self.pure.cap

    @property
    def key_account_ids(self) -> list[int]:
        return [c.id for c in self.customers.values() if c.status == "key_account"]

    def factor(self, key: str) -> Factor | None:
        for f in self.factors:
            if f.key == key:
                return f
        return None


def _version(model: SelectionModel, as_of: date) -> str:
    """What a cached run depends on: every table it reads, cheaply fingerprinted."""
    from kamp.economics.models import SalesMonth

    a = Assessment.objects.aggregate(n=Count("id"), m=Max("updated_at"), i=Max("id"))
    c = Customer.objects.aggregate(n=Count("id"), m=Max("updated_at"))
    # The monthly sums, not the lines: what the run reads, a fraction of the rows to count, and
    # every change to the lines re-inserts the sums of the months it touched.
    s = SalesMonth.objects.aggregate(n=Count("id"), i=Max("id"))
    f = Factor.objects.filter(model=model).aggregate(n=Count("id"), i=Max("id"))
    site = SiteSettings.load()
    parts = [
        model.pk,
        model.updated_at.timestamp(),
        f["n"],
        f["i"],
        a["n"],
        a["i"],
        a["m"] and a["m"].timestamp(),
        c["n"],
        c["m"] and c["m"].timestamp(),
        s["n"],
        s["i"],
        site.size_class,
        as_of.isoformat(),
    ]
    return "selection:run:" + ":".join(str(p) for p in parts)


def run(
    model: SelectionModel | None = None,
    as_of: date | None = None,
    *,
    use_cache: bool = True,
    with_robustness: bool = True,
) -> Run:
    model = model or ensure_default_model()
    as_of = as_of or timezone.localdate()
    base = _version(model, as_of) if use_cache else None
    if base:
        # A run with robustness also answers for one without: one computation serves the page,
        # the alerts, the summary cards and the badges. The process keeps the latest runs
        # unpickled (a 100,000-customer run takes a second to unpickle from the cache); the
        # shared cache serves the other processes.
        keys = [base + ":1"] if with_robustness else [base + ":1", base + ":0"]
        for key in keys:
            hit = _memo.get(key)
            if hit is None:
                hit = cache.get(key)
                if hit is not None:
                    _remember(key, hit)
            if hit is not None:
                hit.model = model
                return hit
    result = compute(model, as_of, with_robustness=with_robustness)
    if base:
        key = base + (":1" if with_robustness else ":0")
        cache.set(key, result, 600)
        _remember(key, result)
    return result


_memo: dict[str, Run] = {}


def _remember(key: str, run_: Run) -> None:
    while len(_memo) >= 2:
        _memo.pop(next(iter(_memo)))
    _memo[key] = run_


def forget() -> None:
    """Drop this process's remembered runs (tests)."""
    _memo.clear()


def compute(model: SelectionModel, as_of: date, *, with_robustness: bool = True) -> Run:
    factors = list(model.factors.all())
    pure = model.to_pure(factors)
    table = connection.ops.quote_name(Customer._meta.db_table)
    with connection.cursor() as cursor:
        # Plain cursors for the two big reads: no per-row ORM conversion on 100,000 rows.
        cursor.execute(
            f"SELECT id, name, tax_id, external_id, status, owner_id, industry, region FROM {table}"
        )
        customers = {
            row[0]: CustomerInfo(
                row[0], row[1], row[2] or row[3] or row[1], row[4], row[5], row[6], row[7]
            )
            for row in cursor.fetchall()
        }
    ids = list(customers)
    inputs: dict[int, dict[str, tuple]] = {cid: {} for cid in ids}

    # Assessed factors and co-investment: the mean over assessors, and the spread.
    assessed_keys = [f.key for f in factors if f.source == scoring.ASSESSED] + [
        scoring.CO_INVESTMENT
    ]
    a_table = connection.ops.quote_name(Assessment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT customer_id, factor, AVG(score), MIN(score), MAX(score), COUNT(*) FROM {a_table} "
            f"WHERE factor IN ({', '.join(['%s'] * len(assessed_keys))}) GROUP BY customer_id, factor",
            assessed_keys,
        )
        for cid, key, mean, lo, hi, n in cursor.fetchall():
            values = inputs.get(cid)
            if values is not None:
                values[key] = (float(mean), float(hi - lo), n, None)

    # Derived factors: one aggregate over the sales lines, then the mapping to the scale.
    derived_factors = [f for f in factors if f.source == scoring.DERIVED]
    sales = derived.sales_figures(as_of)
    revenue = {cid: v[derived.REVENUE] for cid, v in sales.items()}
    unavailable: list[str] = []
    if derived_factors:
        raws, unavailable = derived.raw_values(
            [f.metric or f.key for f in derived_factors], ids, as_of, sales
        )
        for f in derived_factors:
            raw = raws.get(f.metric or f.key, {})
            thresholds = (
                [float(t) for t in (f.thresholds or [])] if f.mapping == "thresholds" else None
            )
            mapped = scoring.map_derived(raw, model.scale_min, model.scale_max, thresholds)
            for cid, score in mapped.items():
                inputs[cid][f.key] = (score, 0.0, 0, raw.get(cid))

    customer_scores = []
    co_key = scoring.CO_INVESTMENT
    for cid, info in customers.items():
        values = inputs[cid]
        co = values.pop(co_key, None)
        scores = {k: v[0] for k, v in values.items()}
        if co is not None:
            values[co_key] = co
        customer_scores.append(
            scoring.CustomerScores(cid, info.name, scores, co[0] if co else None)
        )
    results = scoring.score_portfolio(pure, customer_scores)
    # Every recommended result has a rank.
    recommended = sorted((r for r in results if r.recommended), key=lambda r: r.rank or 0)
    run = Run(
        model=model,
        factors=factors,
        pure=pure,
        as_of=as_of,
        results=results,
        by_id={r.id: r for r in results},
        customers=customers,
        inputs=inputs,
        revenue=revenue,
        recommended=[r.id for r in recommended],
        unavailable_metrics=unavailable,
    )
    if with_robustness:
        run.robustness = scoring.robustness(pure, customer_scores, baseline=run.recommended)
    return run


def customer_detail(customer_id: int, factors: list[Factor]) -> dict[str, list[Assessment]]:
    """Who scored what on one customer: factor key -> that factor's assessments."""
    out: dict[str, list[Assessment]] = {}
    keys = [f.key for f in factors] + [scoring.CO_INVESTMENT]
    for a in (
        Assessment.objects.filter(customer_id=customer_id, factor__in=keys)
        .select_related("assessor")
        .order_by("factor", "assessor__name")
    ):
        out.setdefault(a.factor, []).append(a)
    return out
