import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from kamp.core.models import AuditEvent
from kamp.customers.models import CustomerStatus
from kamp.selection import actions, engine, scoring
from kamp.selection.modelfile import SpecError, parse_toml
from kamp.selection.models import Decision, SelectionModel
from tests.factories import CustomerFactory, SalesLineFactory

from .factories import HIGH, LOW, STAR, score

EXAMPLE = Path(__file__).with_name("example_model.toml")

pytestmark = pytest.mark.django_db


def test_default_model_is_the_domain_reference(db):
    model = engine.ensure_default_model()
    assert model.is_active and model.name == "Default"
    f = {x.key: x for x in model.factors.all()}
    assert [f[k].weight for k in ("profitability", "growth_potential", "strategic_value")] == [
        40,
        35,
        25,
    ]
    assert f["cost_to_serve"].direction == "lower" and f["cost_to_serve"].dimension == "position"
    assert model.split_value == 5.5 and model.floor_value == 5.5
    assert model.effective_cap() == 10  # SME by default


def test_cap_follows_company_size(db):
    from kamp.core.models import CompanySize, SiteSettings

    site = SiteSettings.load()
    site.size_class = CompanySize.LARGE
    site.save()
    assert engine.ensure_default_model().effective_cap() == 25


def test_run_mean_of_assessors_spread_and_incomplete(director, ana, account, other_account):
    score(account, director, HIGH, co_investment=8)
    score(account, ana, {**HIGH, "profitability": 7}, co_investment=6)
    score(other_account, director, {"profitability": 9})
    run = engine.run()
    r = run.by_id[account.pk]
    assert run.inputs[account.pk]["profitability"][:3] == (8.0, 2.0, 2)
    assert r.co_investment == 7
    assert r.quadrant == "strategic" and r.recommended and r.rank == 1
    other = run.by_id[other_account.pk]
    assert not other.complete and other.reason == "incomplete"
    assert run.recommended == [account.pk]


def test_derived_factor_from_sales(director, admin):
    today = datetime.date.today()
    this_month = today.replace(day=1)
    last_day_of_last_month = this_month - datetime.timedelta(days=1)
    a, b, c = CustomerFactory(name="A"), CustomerFactory(name="B"), CustomerFactory(name="C")
    SalesLineFactory(
        customer=a, net_amount=Decimal("100"), cost=Decimal("50"), date=last_day_of_last_month
    )
    SalesLineFactory(
        customer=b, net_amount=Decimal("300"), cost=Decimal("100"), date=last_day_of_last_month
    )
    # The current month is not complete: not in the last 12 months yet.
    SalesLineFactory(customer=c, net_amount=Decimal("5000"), cost=Decimal("0"), date=today)
    # The last day of the 13th month back: the previous 12 months.
    SalesLineFactory(
        customer=b,
        net_amount=Decimal("100"),
        cost=Decimal("0"),
        date=this_month.replace(year=this_month.year - 1) - datetime.timedelta(days=1),
    )
    # More than 24 complete months back: in neither window.
    SalesLineFactory(
        customer=b,
        net_amount=Decimal("999"),
        cost=Decimal("0"),
        date=this_month.replace(year=this_month.year - 2) - datetime.timedelta(days=1),
    )
    spec = parse_toml("""
name = "Derived"
[[factor]]
key = "revenue"
dimension = "attractiveness"
weight = 1
source = "derived"
metric = "revenue_12m"
[[factor]]
key = "margin"
dimension = "attractiveness"
weight = 1
source = "derived"
metric = "gross_margin_12m"
[[factor]]
key = "knowledge"
dimension = "position"
weight = 1
""")
    model = actions.do_save_model(admin, spec, activate=True)
    run = engine.run(model)
    # revenue: A 100, B 300, C 0 → percentile C 0, A 0.5, B 1 → 1, 5.5, 10
    assert run.inputs[c.pk]["revenue"][0] == 1
    assert run.inputs[a.pk]["revenue"][0] == 5.5
    assert run.inputs[b.pk]["revenue"][0] == 10
    assert run.inputs[b.pk]["margin"][3] == 200  # raw: 300 − 100
    assert run.revenue[b.pk] == 300
    from kamp.selection import derived

    figures = derived.sales_figures(today)
    assert figures[b.pk]["growth"] == pytest.approx(2.0)  # 300 vs 100
    assert "growth" not in figures.get(c.pk, {})


def test_thresholds_mapping(admin):
    a = CustomerFactory(name="A")
    SalesLineFactory(customer=a, net_amount=Decimal("1500"))
    spec = parse_toml("""
name = "T"
[[factor]]
key = "revenue"
dimension = "attractiveness"
weight = 1
source = "derived"
metric = "revenue_12m"
thresholds = [1000, 2000, 3000]
[[factor]]
key = "knowledge"
dimension = "position"
weight = 1
""")
    model = actions.do_save_model(admin, spec, activate=True)
    assert engine.run(model).inputs[a.pk]["revenue"][0] == 4  # 1 + 1·9/3


def test_unavailable_metric_is_refused(admin):
    with pytest.raises(SpecError) as exc:
        parse_toml(
            'name = "X"\n[[factor]]\nkey="w"\ndimension="attractiveness"\nweight=1\n'
            'source="derived"\nmetric="nonsense"\n[[factor]]\nkey="p"\ndimension="position"\nweight=1\n'
        )
    assert "cannot be derived" in str(exc.value)


@pytest.mark.parametrize(
    "toml, message",
    [
        (
            'name="X"\n[[factor]]\nkey="a"\ndimension="attractiveness"\nweight=1\n',
            "no factor for competitive position",
        ),
        (
            'name="X"\n[[factor]]\nkey="a"\ndimension="attractiveness"\nweight=0\n[[factor]]\nkey="b"\ndimension="position"\nweight=1\n',
            "greater than 0",
        ),
        (
            'name="X"\n[[factor]]\nkey="a"\ndimension="attractiveness"\nweight=1\ndirection="up"\n[[factor]]\nkey="b"\ndimension="position"\nweight=1\n',
            "unknown direction",
        ),
        (
            'name="X"\nsplit=11\n[[factor]]\nkey="a"\ndimension="attractiveness"\nweight=1\n[[factor]]\nkey="b"\ndimension="position"\nweight=1\n',
            "outside the scale",
        ),
        (
            'name="X"\n[[factor]]\nkey="a"\ndimension="attractiveness"\nweight=1\n[[factor]]\nkey="a"\ndimension="position"\nweight=1\n',
            "keys must be unique",
        ),
        ('name="X"\n[[factor]\n', "not a valid TOML"),
    ],
)
def test_bad_models_are_refused_with_a_clear_message(toml, message):
    with pytest.raises(SpecError) as exc:
        parse_toml(toml)
    assert message.lower() in str(exc.value).lower()


def test_save_model_audits_and_activates(admin):
    engine.ensure_default_model()
    spec = parse_toml(EXAMPLE.read_text())
    model = actions.do_save_model(admin, spec, activate=True)
    assert model.is_active and model.cap == 10 and model.split == 5.5
    assert SelectionModel.objects.filter(is_active=True).count() == 1
    assert AuditEvent.objects.filter(
        object_type="selection.selectionmodel", action="create"
    ).exists()
    with pytest.raises(SpecError):
        actions.do_save_model(admin, spec)  # same name, new model


def test_do_score_validates_scale_and_factor(ana, account):
    model = engine.ensure_default_model()
    actions.do_score(ana, account, "profitability", "7", model=model)
    with pytest.raises(ValidationError):
        actions.do_score(ana, account, "profitability", "11", model=model)
    with pytest.raises(ValidationError):
        actions.do_score(ana, account, "nonsense", "5", model=model)
    a = actions.do_score(ana, account, "profitability", "8", model=model)
    assert a.score == 8
    ev = AuditEvent.objects.filter(
        customer_id=account.pk, object_type="selection.assessment"
    ).first()
    assert ev.changes == [{"field": "profitability", "old": 7.0, "new": 8.0}]
    assert actions.do_score(ana, account, "profitability", "", model=model) is None


def test_decide_make_and_revoke(director, ana, bruno):
    c = CustomerFactory(name="Candidate", owner=bruno)
    score(c, director, HIGH, co_investment=8)
    with pytest.raises(ValidationError):
        actions.do_decide(director, c, "make", "   ")
    outcome = actions.do_decide(director, c, "make", "Lessons of the lost tender")
    c.refresh_from_db()
    assert c.status == CustomerStatus.KEY_ACCOUNT
    d = outcome.decision
    assert d.decided_by == director and d.was_recommended is True and d.quadrant == "strategic"
    assert not d.overrides_recommendation
    ev = AuditEvent.objects.get(customer_id=c.pk, action="decide")
    assert ev.summary == "Lessons of the lost tender"
    with pytest.raises(ValidationError):
        actions.do_decide(director, c, "make", "again")
    actions.do_decide(director, c, "revoke", "No longer strategic")
    c.refresh_from_db()
    assert c.status == CustomerStatus.FORMER
    assert Decision.objects.filter(customer=c).count() == 2


def test_decide_warns_beyond_cap_not_strategic_and_kam_overload(director, ana, admin):
    spec = parse_toml(EXAMPLE.read_text().replace("cap = 10", "cap = 2"))
    actions.do_save_model(admin, spec, activate=True)
    for i in range(4):
        CustomerFactory(name=f"K{i}", owner=ana, status=CustomerStatus.KEY_ACCOUNT)
    c = CustomerFactory(name="Weak", owner=ana)
    score(c, director, LOW, co_investment=2)
    outcome = actions.do_decide(director, c, "make", "Override: a strategic bet")
    text = " ".join(outcome.warnings)
    assert "beyond the cap of 2" in text
    assert "not in the strategic quadrant" in text
    assert "owns 5 key accounts" in text
    assert outcome.decision.overrides_recommendation


def test_snapshot(director, account):
    score(account, director, STAR, co_investment=5)
    snap = actions.do_save_snapshot(director, "Q1")
    [p] = snap.points.all()
    assert p.quadrant == scoring.STAR and p.customer_id == account.pk


def test_run_is_cached_until_something_changes(director, account, django_assert_max_num_queries):
    score(account, director, HIGH, co_investment=8)
    engine.run()
    # The fingerprint only: a few aggregates read from indexes, no table counted.
    with django_assert_max_num_queries(11):
        run = engine.run()
    assert run.by_id[account.pk].recommended
    actions.do_score(director, account, "co_investment", 2, model=engine.ensure_default_model())
    assert engine.run().by_id[account.pk].reason == "unreciprocated"


def test_the_run_equals_the_per_customer_rules_on_its_inputs(admin, director, ana):
    """The column-wise rescoring, end to end on the database: each customer's inputs are the
    mean over its assessors and the percentile of its raw sales figures, and the results and the
    robustness are what scoring.py's reference functions give on those inputs."""
    import random

    from kamp.selection import derived
    from kamp.selection.models import Assessment

    rng = random.Random(4)
    spec = parse_toml("""
name = "Mixed"
cap = 3
[[factor]]
key = "revenue"
dimension = "attractiveness"
weight = 2
source = "derived"
metric = "revenue_12m"
[[factor]]
key = "growth"
dimension = "attractiveness"
weight = 1
source = "derived"
metric = "growth"
[[factor]]
key = "strategic_value"
dimension = "attractiveness"
weight = 1
[[factor]]
key = "knowledge"
dimension = "position"
weight = 3
[[factor]]
key = "cost_to_serve"
dimension = "position"
weight = 2
direction = "lower"
""")
    model = actions.do_save_model(admin, spec, activate=True)
    today = datetime.date.today()
    customers = [CustomerFactory(name=f"C{i % 5}") for i in range(40)]  # duplicate names
    for c in customers:
        for months_back in rng.sample(range(1, 25), rng.randint(0, 6)):
            day = today.replace(day=1) - datetime.timedelta(days=30 * months_back)
            SalesLineFactory(customer=c, date=day, net_amount=Decimal(rng.choice([100, 250, 900])))
        for who in (director, ana)[: rng.choice([0, 1, 1, 2, 2])]:
            keys = ["strategic_value", "knowledge", "cost_to_serve", "co_investment"]
            score(
                c, who, {k: rng.randint(1, 10) for k in rng.sample(keys, rng.choice([3, 4, 4, 4]))}
            )
    run = engine.compute(model, today)

    pure = model.to_pure()
    raws, _ = derived.raw_values(["revenue_12m", "growth"], [c.pk for c in customers], today)
    mapped = {
        "revenue": scoring.map_derived(raws["revenue_12m"], 1, 10),
        "growth": scoring.map_derived(raws["growth"], 1, 10),
    }
    reference = []
    for c in customers:
        scores = {k: m[c.pk] for k, m in mapped.items() if c.pk in m}
        by_key: dict[str, list[float]] = {}
        for a in Assessment.objects.filter(customer=c):
            by_key.setdefault(a.factor, []).append(a.score)
        means = {k: scoring.mean_and_spread(v) for k, v in by_key.items()}
        for k, (mean, spread) in means.items():
            if k != scoring.CO_INVESTMENT:
                scores[k] = mean
                assert run.inputs[c.pk][k] == (mean, spread, len(by_key[k]), None)
        for k in mapped:
            if k in scores:
                assert run.inputs[c.pk][k] == (scores[k], 0.0, 0, raws[METRIC[k]][c.pk])
        co = means.get(scoring.CO_INVESTMENT)
        reference.append(scoring.CustomerScores(c.pk, c.name, scores, co and co[0]))
    expected = scoring.score_portfolio(pure, reference)
    # The data exercise every path: incomplete, scored, recommended, beyond the cap.
    assert {r.reason for r in expected} >= {
        scoring.R_INCOMPLETE,
        scoring.R_RECOMMENDED,
        scoring.R_NOT_STRATEGIC,
    }
    assert sorted(run.results, key=lambda r: r.id) == sorted(expected, key=lambda r: r.id)
    assert run.recommended == [
        r.id for r in sorted((r for r in expected if r.recommended), key=lambda r: r.rank or 0)
    ]
    assert run.robustness == scoring.robustness(pure, reference)


METRIC = {"revenue": "revenue_12m", "growth": "growth"}
