"""A full scoring run over the whole portfolio, set-based: a handful of bulk queries (the model,
the customers, the assessment rows, the month's stored sales figures), then the pure rules on
columns (:mod:`kamp.selection.bulk`, identical in its results to the per-customer statement of
them in :mod:`kamp.selection.scoring`). Views, the API, the CLI and the benchmark all use
:func:`run`.

A run is cached, keyed by what it depends on (model, customers, assessments, sales lines, date),
so that the portfolio page with 100,000 customers only pays for it when something changed.
"""

from __future__ import annotations

import gc
import itertools
import json
import math
import zlib
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter
from typing import TypedDict, TypeVar

import numpy as np
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kamp.core import deletions
from kamp.core.models import SiteSettings
from kamp.core.request_memo import memo
from kamp.customers.models import Customer

from . import bulk, derived, grouping, ledger, scoring
from .models import Assessment, Factor, ReciprocityLedger, SelectionModel

T = TypeVar("T")


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


@dataclass  # not slots: a run is pickled into the cache, and slotted objects pickle 2x slower
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
    # customer id -> factor key -> (mean score, spread, number of assessors, derived raw value);
    # an :class:`Inputs`, which makes each customer's dict when asked for
    inputs: Mapping[int, dict[str, tuple]]
    revenue: dict[int, float]
    recommended: list[int]
    unavailable_metrics: list[str] = field(default_factory=list)
    robustness: scoring.Robustness | None = None
    computed_at: datetime | None = None
    # With the model's "score groups as one account": each company of a group -> its group
    # account (the companies are not scored apart; docs/groups.md). Empty otherwise.
    account_of: dict[int, int] = field(default_factory=dict)

    @property
    def cap(self) -> int:
        return self.pure.cap

    @property
    def key_account_ids(self) -> list[int]:
        """The key accounts as the cap counts them: accounts, not legal entities (a group
        scored as one counts once, whichever of its companies hold the status)."""
        account_of = self.__dict__.get("account_of") or {}
        found = (account_of.get(c.id, c.id) for c in self.key_accounts())
        return list(dict.fromkeys(found))

    def kept(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per run, kept with it: a run is not changed once made (a change
        of the data makes the next one), so what the pages derive from the whole portfolio is
        the same on every view of it. Not pickled with the run."""
        held = self.__dict__.setdefault("_kept", {})
        if key not in held:
            held[key] = compute()
        return held[key]

    def key_accounts(self) -> list[CustomerInfo]:
        """The customers holding the key-account status, found once per run. A page, and an
        account's alerts after each interaction, ask several times; at 100,000 customers each
        look cost a tenth of a second."""
        return list(
            self.kept(
                "key_accounts",
                lambda: [c for c in self.customers.values() if c.status == "key_account"],
            )
        )

    def __getstate__(self) -> dict:
        # ``by_id`` is rebuilt from the results on load (a third of the unpickling time of a
        # 100,000-customer run); the pages' sort orders and charts kept with a run are not kept.
        state = {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
        state.pop("by_id", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.by_id = {r.id: r for r in self.results}

    def factor(self, key: str) -> Factor | None:
        for f in self.factors:
            if f.key == key:
                return f
        return None


def version(model: SelectionModel, as_of: date) -> str:
    """What a cached run depends on: every table it reads, cheaply fingerprinted."""
    return fingerprint(model, as_of)[0]


def fingerprint(model: SelectionModel, as_of: date) -> tuple[str, int]:
    """The cache key of a run (:func:`version`) and the number of customers up to
    ``INLINE_CUSTOMERS + 1`` (whether a run is computed in the request): taken once per page
    view (an account's page asks for the run from its card and from its alerts)."""
    return memo(
        ("selection.fingerprint", model.pk, model.updated_at, as_of),
        lambda: _fingerprint(model, as_of),
    )


def _fingerprint(model: SelectionModel, as_of: date) -> tuple[str, int]:
    from kamp.core.models import TableDeletions
    from kamp.economics.models import SalesMonth

    # Rows added or changed show in a table's largest id and latest change (each read from an
    # index), rows deleted in its count of deletions (kamp.core.deletions): no table is
    # counted — COUNT(*) over 100,000 customers and their assessments on every view of an
    # account was half of PostgreSQL's work under load. The monthly sums, not the lines: what
    # the run reads, and every change to the lines re-inserts the sums of the months it touched.
    # Every figure in one statement: asked through the ORM one by one, the nine queries cost
    # 5 ms of the web server's processor on every view of an account, the matrix and the
    # dashboard.
    q = connection.ops.quote_name

    def table(m) -> str:
        return q(m._meta.db_table)

    def gone(m) -> tuple[str, list]:
        return (
            f"SELECT COALESCE(MAX({q('deletions')}), 0) FROM {table(TableDeletions)} "
            f"WHERE {q('label')} = %s",
            [deletions.label(m)],
        )

    factors = f"FROM {table(Factor)} WHERE {q('model_id')} = %s"
    parts: list[tuple[str, list]] = [
        (f"SELECT COUNT(*) {factors}", [model.pk]),
        (f"SELECT MAX({q('id')}) {factors}", [model.pk]),
        gone(Assessment),
        (f"SELECT MAX({q('id')}) FROM {table(Assessment)}", []),
        (f"SELECT MAX({q('updated_at')}) FROM {table(Assessment)}", []),
        gone(Customer),
        (f"SELECT MAX({q('id')}) FROM {table(Customer)}", []),
        (f"SELECT MAX({q('updated_at')}) FROM {table(Customer)}", []),
        gone(SalesMonth),
        (f"SELECT MAX({q('id')}) FROM {table(SalesMonth)}", []),
        (f"SELECT COUNT(*) FROM {table(ReciprocityLedger)}", []),
        (f"SELECT MAX({q('updated_at')}) FROM {table(ReciprocityLedger)}", []),
        # How many customers, as far as the callers need to know: up to one past the number a
        # run is computed in the request for.
        (
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {table(Customer)} LIMIT %s) {q('bounded')}",
            [INLINE_CUSTOMERS + 1],
        ),
    ]
    sql = "SELECT " + ", ".join(f"({part})" for part, _params in parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, [p for _part, params in parts for p in params])
        *figures, size = cursor.fetchone()
    site = SiteSettings.load()
    key = [model.pk, model.updated_at.timestamp(), *figures, site.size_class, as_of.isoformat()]
    return "selection:run:" + ":".join(_key_part(p) for p in key), size


def _key_part(value) -> str:
    """A figure as a cache key may hold it: no spaces (memcached refuses them), so a moment is
    written in ISO form (PostgreSQL gives datetimes, SQLite their text)."""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).replace(" ", "T")


#: Up to this many customers a run the data have moved away from is recomputed in the request
#: (well under a second); above, :func:`kamp.selection.prepared.current` gives the matrix the previous run, marked as
#: being updated, while the worker prepares the next (:mod:`kamp.selection.tasks`).
INLINE_CUSTOMERS = 5000


def cached(model: SelectionModel, keys: list[str]) -> Run | None:
    for key in keys:
        hit = _memo.get(key)
        if hit is None:
            hit = cache.get(key)
            if hit is not None:
                remember(key, hit)
        if hit is not None:
            hit.model = model
            return hit
    return None


def load_prepared(model: SelectionModel, key: str) -> Run | None:
    """The run the worker (or another process) prepared for exactly these data, if any."""
    from .models import PreparedRun

    data = PreparedRun.objects.filter(model=model, version=key).values_list("data", flat=True)
    for blob in data:
        hit = loads(bytes(blob))
        if hit is None:  # stored by an older kamp: computed again
            return None
        hit.model = model
        remember(key, hit)
        return hit
    return None


def loads(blob: bytes) -> Run | None:
    """A stored run back (:func:`dumps`), with the garbage collector paused: some 300,000
    objects that all live on (it would walk the growing heap again and again, as in
    :func:`compute`). ``None`` for a blob in another format (a run stored by an older kamp,
    pickled): the caller computes the run instead, and stores it anew."""
    if not blob.startswith(_MAGIC):
        return None
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _decode(zlib.decompress(blob[len(_MAGIC) :]))
    finally:
        if collecting:
            gc.enable()


#: The first bytes of a stored run: the format, and its version.
_MAGIC = b"kamp-run:1\n"
_NONE = -1  # in an integer column (ids, ranks, owners): no value


def dumps(run_: Run) -> bytes:
    """A run as bytes, by columns: one array per field of the results, the customers, the
    inputs, the revenue (little-endian 64-bit numbers; a float ``None`` as NaN, an integer one
    as -1), a JSON header with the strings (names; statuses, quadrants, reasons… as codes into
    their few values), the model and the robustness, all zlib-compressed. A 100,000-customer run
    pickled as 300,000 objects was 37 MB and took seconds to load; kept by columns it is a few
    MB and its arrays load in one call each. Only what :func:`loads` needs to make the same run
    (not the pages' sort orders and charts, kept with a run in memory)."""
    header: dict = {}
    arrays: list[tuple[str, np.ndarray]] = []

    # Columns made from lists in C loops (``map``, ``np.array``): a generator per value made
    # storing a 100,000-customer run cost a second.
    def ints(name: str, values, dtype: str = "<i8") -> None:
        values = list(values)
        if None in values:
            values = [_NONE if v is None else v for v in values]
        arrays.append((name, np.array(values, dtype=dtype)))

    def floats(name: str, values) -> None:
        arrays.append((name, np.array(list(values), dtype="<f8")))  # None: NaN

    def codes(name: str, values) -> None:
        """A column of few distinct values (hashable: strings, None, tuples), as the position
        of each in the list of them (one byte each when there are fewer than 256)."""
        values = list(values)
        index = {v: i for i, v in enumerate(dict.fromkeys(values))}
        ints(name, map(index.__getitem__, values), "<u1" if len(index) < 256 else "<i4")
        header[name] = [list(v) if isinstance(v, tuple) else v for v in index]

    def field(name: str, objects: list):
        return map(attrgetter(name), objects)

    results = run_.results
    infos = list(run_.customers.values())
    header["customer_name"] = list(field("name", infos))
    header["customer_code"] = list(field("code", infos))
    ints("customer_id", field("id", infos))
    ints("customer_owner", field("owner_id", infos))
    codes("customer_status", field("status", infos))
    codes("customer_industry", field("industry", infos))
    codes("customer_region", field("region", infos))
    # A result's name is its customer's (the run reads both from the same rows): kept once.
    customers = run_.customers
    if any(customers.get(r.id) is None or customers[r.id].name != r.name for r in results):
        header["result_name"] = list(field("name", results))
    ints("result_id", field("id", results))
    floats("result_attractiveness", field("attractiveness", results))
    floats("result_position", field("position", results))
    floats("result_co_investment", field("co_investment", results))
    codes("result_quadrant", field("quadrant", results))
    ints("result_complete", field("complete", results), "<u1")
    codes("result_missing", map(tuple, field("missing", results)))
    ints("result_recommended", field("recommended", results), "<u1")
    ints("result_rank", field("rank", results))
    codes("result_reason", field("reason", results))
    inputs = run_.inputs
    if isinstance(inputs, Inputs):
        arrays.append(("inputs_ids", inputs._ids.astype("<i8")))
        header["inputs"] = []
        for i, (key, *parts) in enumerate(inputs._columns):
            present = []
            for part, kind in zip(parts, ("score", "spread", "count", "raw"), strict=True):
                if part is not None:
                    arrays.append(
                        (f"inputs_{i}_{kind}", part.astype("<i8" if kind == "count" else "<f8"))
                    )
                    present.append(kind)
            header["inputs"].append([key, present])
    else:  # a plain mapping (a run made by hand): kept as it is
        header["inputs_dict"] = [[cid, values] for cid, values in inputs.items()]
    ints("revenue_id", run_.revenue)
    floats("revenue", run_.revenue.values())
    ints("recommended", run_.recommended)
    ints("account_company", run_.account_of)
    ints("account_of", run_.account_of.values())
    header["model"] = run_.model.pk
    header["factors"] = [
        {f.attname: getattr(f_, f.attname) for f in Factor._meta.concrete_fields}
        for f_ in run_.factors
    ]
    pure = run_.pure
    header["pure"] = {
        "factors": [[f.key, f.dimension, f.weight, f.direction, f.source] for f in pure.factors],
        "scale_min": pure.scale_min,
        "scale_max": pure.scale_max,
        "split": pure.split,
        "co_investment_min": pure.co_investment_min,
        "cap": pure.cap,
    }
    header["as_of"] = run_.as_of.isoformat()
    header["computed_at"] = run_.computed_at and run_.computed_at.isoformat()
    header["unavailable_metrics"] = list(run_.unavailable_metrics)
    robustness = run_.robustness
    header["robustness"] = robustness and {
        "baseline": [int(i) for i in robustness.baseline],
        "variations": [
            [v.factor, float(v.change), [int(i) for i in v.entered], [int(i) for i in v.left]]
            for v in robustness.variations
        ],
    }
    header["arrays"] = [[name, a.dtype.str, len(a)] for name, a in arrays]
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    body = b"".join([len(head).to_bytes(8, "little"), head, *(a.tobytes() for _n, a in arrays)])
    return _MAGIC + zlib.compress(body, 1)  # level 1: most of the gain, a fraction of the time


def _decode(body: bytes) -> Run:
    size = int.from_bytes(body[:8], "little")
    header = json.loads(body[8 : 8 + size])
    arrays: dict[str, np.ndarray] = {}
    at = 8 + size
    for name, dtype, n in header["arrays"]:
        a = np.frombuffer(body, dtype=dtype, count=n, offset=at)
        arrays[name] = a
        at += a.nbytes

    def ints(name: str) -> list:
        values = arrays[name]
        if (values == _NONE).any():
            return [None if v == _NONE else v for v in values.tolist()]
        return values.tolist()

    def floats(name: str) -> list:
        return [None if v != v else v for v in arrays[name].tolist()]

    def flags(name: str) -> list:
        return arrays[name].astype(bool).tolist()

    def codes(name: str) -> list:
        values = [tuple(v) if isinstance(v, list) else v for v in header[name]]
        return list(map(values.__getitem__, arrays[name].tolist()))

    # The objects made by ``map`` over the columns (no Python loop of our own around them).
    ids = arrays["customer_id"].tolist()
    customers = dict(
        zip(
            ids,
            map(
                CustomerInfo,
                ids,
                header["customer_name"],
                header["customer_code"],
                codes("customer_status"),
                ints("customer_owner"),
                codes("customer_industry"),
                codes("customer_region"),
            ),
            strict=True,
        )
    )
    ids = arrays["result_id"].tolist()
    names = header.get("result_name") or [customers[cid].name for cid in ids]
    results = list(
        map(
            scoring.Result,
            ids,
            names,
            floats("result_attractiveness"),
            floats("result_position"),
            floats("result_co_investment"),
            codes("result_quadrant"),
            flags("result_complete"),
            codes("result_missing"),
            flags("result_recommended"),
            ints("result_rank"),
            codes("result_reason"),
        )
    )
    inputs: Mapping[int, dict[str, tuple]]
    if "inputs" in header:
        columns: list[_Column] = []
        for i, (key, present) in enumerate(header["inputs"]):
            part = {kind: arrays[f"inputs_{i}_{kind}"].copy() for kind in present}
            columns.append(
                (key, part["score"], part.get("spread"), part.get("count"), part.get("raw"))
            )
        inputs = Inputs(arrays["inputs_ids"].copy(), columns)
    else:
        inputs = {
            cid: {k: tuple(v) for k, v in values.items()} for cid, values in header["inputs_dict"]
        }
    names_ = [f.attname for f in Factor._meta.concrete_fields]
    factors = [
        Factor.from_db("default", names_, [values[n] for n in names_])
        for values in header["factors"]
    ]
    pure = header["pure"]
    robustness = header["robustness"]
    computed_at = header["computed_at"]
    return Run(
        # The caller sets the model (it asked for the run of that model); until then a stand-in
        # with its primary key.
        model=SelectionModel(pk=header["model"]),
        factors=factors,
        pure=scoring.Model(
            factors=tuple(scoring.Factor(*f) for f in pure["factors"]),
            scale_min=pure["scale_min"],
            scale_max=pure["scale_max"],
            split=pure["split"],
            co_investment_min=pure["co_investment_min"],
            cap=pure["cap"],
        ),
        as_of=date.fromisoformat(header["as_of"]),
        results=results,
        by_id=dict(zip(ids, results, strict=True)),
        customers=customers,
        inputs=inputs,
        revenue=dict(zip(arrays["revenue_id"].tolist(), arrays["revenue"].tolist(), strict=True)),
        recommended=arrays["recommended"].tolist(),
        unavailable_metrics=header["unavailable_metrics"],
        robustness=robustness
        and scoring.Robustness(
            baseline=tuple(robustness["baseline"]),
            variations=[
                scoring.Variation(factor, change, tuple(entered), tuple(left))
                for factor, change, entered, left in robustness["variations"]
            ],
        ),
        computed_at=computed_at and datetime.fromisoformat(computed_at),
        account_of=dict(
            zip(arrays["account_company"].tolist(), arrays["account_of"].tolist(), strict=True)
        ),
    )


def store(run_: Run, key: str) -> None:
    """Keep ``run_`` (with robustness) where every process finds it: one row per model."""
    from .models import PreparedRun

    blob = dumps(run_)
    try:
        with transaction.atomic():
            PreparedRun.objects.update_or_create(
                model=run_.model,
                defaults={
                    "version": key,
                    "computed_at": run_.computed_at or timezone.now(),
                    "data": blob,
                },
            )
    except IntegrityError:  # two processes stored it at once: either row is right
        pass


def run(
    model: SelectionModel | None = None,
    as_of: date | None = None,
    *,
    use_cache: bool = True,
    with_robustness: bool = True,
) -> Run:
    model = model or ensure_default_model()
    as_of = as_of or timezone.localdate()
    base, size = fingerprint(model, as_of) if use_cache else (None, 0)
    return run_with(model, as_of, base, size, with_robustness)


def run_with(
    model: SelectionModel, as_of: date, base: str | None, size: int, with_robustness: bool
) -> Run:
    if base:
        # A run with robustness also answers for one without: one computation serves the page,
        # the alerts, the summary cards and the badges. The process keeps the latest runs
        # unpickled (a 100,000-customer run takes a second to unpickle from the cache); the
        # shared cache serves the other processes, and above INLINE_CUSTOMERS the run the
        # worker prepared is read from the database before computing one here.
        keys = [base + ":1"] if with_robustness else [base + ":1", base + ":0"]
        hit = cached(model, keys)
        if hit is None and size > INLINE_CUSTOMERS:
            hit = load_prepared(model, base + ":1")
        if hit is not None:
            return hit
    result = compute(model, as_of, with_robustness=with_robustness)
    if base:
        key = base + (":1" if with_robustness else ":0")
        cache.set(key, result, 600)
        remember(key, result)
        if size > INLINE_CUSTOMERS and with_robustness:
            store(result, key)
    return result


_memo: dict[str, Run] = {}


def remember(key: str, run_: Run) -> None:
    _memo.pop(key, None)
    while len(_memo) >= 2:
        _memo.pop(next(iter(_memo)))
    _memo[key] = run_


def held() -> list[Run]:
    """The runs this process holds, the latest first."""
    return list(reversed(_memo.values()))


def forget() -> None:
    """Drop this process's remembered runs (tests)."""
    _memo.clear()


def compute(model: SelectionModel, as_of: date, *, with_robustness: bool = True) -> Run:
    """A full rescoring of the portfolio (uncached: :func:`run` is what callers want)."""
    # Some 300,000 objects that all live on: the cyclic garbage collector would walk the
    # growing heap again and again while they are made (a third of the time), and finds
    # nothing to collect.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _compute(model, as_of, with_robustness=with_robustness)
    finally:
        if collecting:
            gc.enable()


def _compute(model: SelectionModel, as_of: date, *, with_robustness: bool) -> Run:
    factors = list(model.factors.all())
    pure = model.to_pure(factors)
    table = connection.ops.quote_name(Customer._meta.db_table)
    with connection.cursor() as cursor:
        # Plain cursors for the big reads: no per-row ORM conversion on 100,000 rows. In id
        # order, so that the other reads (also in customer order) line up by a binary search.
        cursor.execute(
            "SELECT id, name, COALESCE(NULLIF(tax_id, ''), NULLIF(external_id, ''), name), "
            f"status, owner_id, industry, region FROM {table} ORDER BY id"
        )
        rows = cursor.fetchall()
    account_of = grouping.accounts_of() if model.score_groups else {}
    customers = {row[0]: CustomerInfo(*row) for row in rows}
    if account_of:
        # A group's companies are scored as their group account: not one by one.
        rows = [row for row in rows if row[0] not in account_of]
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    names = [row[1] for row in rows]
    del rows
    n = len(ids)
    columns: list[_Column] = []
    scores: dict[str, np.ndarray] = {}

    # Assessed factors and co-investment: the mean over assessors, the spread and the number of
    # assessors. The rows themselves, with the factor as a small number, aggregated here: both
    # databases read them faster than they group them (a GROUP BY, or a pivot in SQL, costs
    # them more than the whole rescoring).
    assessed_keys = [f.key for f in factors if f.source == scoring.ASSESSED] + [
        scoring.CO_INVESTMENT
    ]
    a_table = connection.ops.quote_name(Assessment._meta.db_table)
    code = " ".join(f"WHEN %s THEN {i}" for i in range(len(assessed_keys)))
    marks = ", ".join(["%s"] * len(assessed_keys))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT customer_id, CASE factor {code} END, score FROM {a_table} "
            f"WHERE factor IN ({marks})",
            assessed_keys + assessed_keys,
        )
        assessed = _array(cursor.fetchall(), 3)
    at = _positions(ids, assessed[:, 0].astype(np.int64))
    for k, key in enumerate(assessed_keys):
        mine = (assessed[:, 1] == k) & (at >= 0)
        where, values = at[mine], assessed[mine, 2]
        count = np.bincount(where, minlength=n)
        total = np.bincount(where, weights=values, minlength=n)
        low, high = np.full(n, np.inf), np.full(n, -np.inf)
        np.minimum.at(low, where, values)
        np.maximum.at(high, where, values)
        seen = count > 0
        mean = np.full(n, np.nan)
        mean[seen] = total[seen] / count[seen]
        spread = np.zeros(n)
        spread[seen] = high[seen] - low[seen]
        scores[key] = mean
        columns.append((key, mean, spread, count, None))
    del assessed
    # The reciprocity ledger (kamp.selection.ledger): where a customer has one, its score (or
    # the typed override) is the willingness to co-invest, in place of the typed assessments.
    reciprocity_scores = ledger.effective_scores()
    if reciprocity_scores:
        co_ids = np.fromiter(reciprocity_scores, dtype=np.int64, count=len(reciprocity_scores))
        co_at = _positions(ids, co_ids)
        co_values = np.fromiter(
            reciprocity_scores.values(), dtype=np.float64, count=len(reciprocity_scores)
        )
        found = co_at >= 0
        scores[scoring.CO_INVESTMENT][co_at[found]] = co_values[found]

    # Derived factors: the month's sales figures (one row per customer), then the mapping.
    sales = _array(grouping.roll_sales(derived.sales_rows(as_of), account_of), 4)
    sales_ids = sales[:, 0].astype(np.int64)
    revenue = dict(zip(sales_ids.tolist(), sales[:, 1].tolist(), strict=True))
    derived_factors = [f for f in factors if f.source == scoring.DERIVED]
    unavailable: list[str] = []
    if derived_factors:
        raws = _sales_metrics(ids, sales_ids, sales)
        metrics = dict.fromkeys(f.metric or f.key for f in derived_factors)
        others = [k for k in metrics if k not in raws]
        if others:
            values, unavailable = derived.raw_values(others, ids.tolist(), as_of)
            for key, by_id in values.items():
                raws[key] = np.array(
                    [math.nan if v is None else v for v in map(by_id.get, ids.tolist())],
                    dtype=np.float64,
                )
        for f in derived_factors:
            raw = raws[f.metric or f.key]
            thresholds = (
                [float(t) for t in (f.thresholds or [])] if f.mapping == "thresholds" else None
            )
            mapped = bulk.map_derived(raw, model.scale_min, model.scale_max, thresholds)
            scores[f.key] = mapped
            columns.append((f.key, mapped, None, None, raw))
    del sales

    co = scores.pop(scoring.CO_INVESTMENT)
    portfolio = bulk.Portfolio(ids, names, scores, co)
    scored = bulk.score(pure, portfolio)
    results = bulk.results(portfolio, scored)
    id_list = ids.tolist()
    recommended = [id_list[i] for i in scored.recommended]
    run = Run(
        model=model,
        factors=factors,
        pure=pure,
        as_of=as_of,
        results=results,
        by_id=dict(zip(id_list, results, strict=True)),
        customers=customers,
        inputs=Inputs(ids, columns),
        revenue=revenue,
        recommended=recommended,
        unavailable_metrics=unavailable,
        computed_at=timezone.now(),
        account_of=account_of,
    )
    if with_robustness:
        run.robustness = bulk.robustness(pure, portfolio, scored, baseline=recommended)
    return run


def _array(rows: list[tuple], width: int) -> np.ndarray:
    """Rows of numbers as a float array (ids stay exact below 2⁵³)."""
    flat = itertools.chain.from_iterable(rows)
    return np.fromiter(flat, dtype=np.float64, count=width * len(rows)).reshape(-1, width)


def _positions(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Where each of ``wanted`` sits in the sorted, distinct ``ids`` (-1: not there)."""
    if not len(ids) or not len(wanted):
        return np.full(len(wanted), -1, dtype=np.int64)
    top = int(ids[-1])
    if ids[0] >= 0 and top <= 4 * len(ids) + 1000:
        # Ids are nearly dense (a few deletions): a lookup table beats a binary search.
        table = np.full(top + 1, -1, dtype=np.int64)
        table[ids] = np.arange(len(ids))
        inside = (wanted >= 0) & (wanted <= top)
        out = np.full(len(wanted), -1, dtype=np.int64)
        out[inside] = table[wanted[inside]]
        return out
    at = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
    return np.where(ids[at] == wanted, at, -1)


def _sales_metrics(
    ids: np.ndarray, sales_ids: np.ndarray, sales: np.ndarray
) -> dict[str, np.ndarray]:
    """Revenue, gross margin and growth of every customer (:func:`derived.sales_figures`'s
    rules: without sales, revenue and margin 0 and growth undefined), as columns."""
    at = _positions(ids, sales_ids)
    sales = sales[at >= 0]
    at = at[at >= 0]
    revenue, cost, previous = sales[:, 1], sales[:, 2], sales[:, 3]
    out = {
        derived.REVENUE: np.zeros(len(ids)),
        derived.GROSS_MARGIN: np.zeros(len(ids)),
        derived.GROWTH: np.full(len(ids), np.nan),
    }
    out[derived.REVENUE][at] = revenue
    out[derived.GROSS_MARGIN][at] = revenue - cost
    grows = previous > 0
    out[derived.GROWTH][at[grows]] = (revenue[grows] - previous[grows]) / previous[grows]
    return out


# (factor key, score, spread or None, number of assessors or None, derived raw value or None)
_Column = tuple[str, np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None]


class Inputs(Mapping[int, dict[str, tuple]]):
    """customer id -> factor key -> (mean score, spread, number of assessors, derived raw
    value), as :attr:`Run.inputs` offers it: each customer's dict is made when asked for (pages
    show a few dozen; a dict of dicts for 100,000 customers costs more than the rescoring)."""

    __slots__ = ("_columns", "_ids")

    def __init__(self, ids: np.ndarray, columns: list[_Column]):
        self._ids = ids
        self._columns = columns

    def __getitem__(self, customer_id: int) -> dict[str, tuple]:
        at = _positions(self._ids, np.array([customer_id], dtype=np.int64))[0]
        if at < 0:
            raise KeyError(customer_id)
        out: dict[str, tuple] = {}
        for key, score, spread, count, raw in self._columns:
            value = score[at]
            if not math.isnan(value):
                out[key] = (
                    float(value),
                    0.0 if spread is None else float(spread[at]),
                    0 if count is None else int(count[at]),
                    None if raw is None else float(raw[at]),
                )
        return out

    def __iter__(self) -> Iterator[int]:
        return iter(self._ids.tolist())

    def __len__(self) -> int:
        return len(self._ids)


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
