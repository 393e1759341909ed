"""Reading the relationship data: a round's results, an account's rounds over time, the latest
state of many accounts at once (portfolio, badges, alerts) and the facts the stage rule needs.
The numbers come from the pure modules (quality, typology, stages)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from kamp.core.lookups import Ids
from kamp.core.request_memo import memo_for_ids

from . import quality, stages, typology
from .models import (
    Answer,
    Assessment,
    Construct,
    RelationshipSettings,
    Side,
    StageRecord,
    SurveyItem,
    SurveyRound,
)


def conf(name: str, default):
    """A [default] of kam-domain.md, overridable in settings.KAMP_RELATIONSHIPS."""
    return getattr(settings, "KAMP_RELATIONSHIPS", {}).get(name, default)


def gap_threshold() -> float:
    return float(conf("GAP_THRESHOLD", quality.GAP_THRESHOLD))


@dataclass(frozen=True)
class CountingRules:
    """How many answers per side a closed round needs before its figures count."""

    min_team: int
    min_customer: int


def counting_rules() -> CountingRules:
    s = RelationshipSettings.load()
    return CountingRules(s.min_team_answers, s.min_customer_answers)


def standing(rnd: SurveyRound, rules: CountingRules | None = None) -> str:
    """counted | provisional (still open) | too_few (closed under the minimum), from the
    answers stored on the round."""
    rules = rules or counting_rules()
    return quality.round_standing(
        not rnd.is_open,
        rnd.team_answered,
        rnd.customer_answered,
        rules.min_team,
        rules.min_customer,
    )


def _setting(name: str, default: int):
    # Read inside the rounds' own query, so the lists, badges and alerts that ask for counted
    # rounds keep their query counts.
    return Coalesce(
        Subquery(RelationshipSettings.objects.order_by("pk").values(name)[:1]), Value(default)
    )


def counted_filter(rules: CountingRules | None = None, today: date | None = None) -> Q:
    """The rounds whose figures count, as a query: the same rule as ``standing``."""
    today = today or timezone.localdate()
    closed = Q(closed_at__isnull=False) | Q(closes_on__lt=today)
    if rules is None:
        return (
            closed
            & Q(team_answered__gte=_setting("min_team_answers", quality.MIN_TEAM_ANSWERS))
            & Q(
                customer_answered__gte=_setting(
                    "min_customer_answers", quality.MIN_CUSTOMER_ANSWERS
                )
            )
        )
    return (
        closed & Q(team_answered__gte=rules.min_team) & Q(customer_answered__gte=rules.min_customer)
    )


def quality_items(items) -> list[quality.Item]:
    return [quality.Item(i.key, i.construct, i.reversed) for i in items]


@dataclass
class SideResult:
    side: str
    invited: int = 0
    answered: int = 0
    scores: dict = field(default_factory=dict)

    @property
    def identifying(self) -> bool:
        """Fewer than 3 people answered on this side — or will, because fewer were asked."""
        return quality.identifying(self.answered) or quality.identifying(self.invited)


@dataclass
class RoundResult:
    round: SurveyRound
    team: SideResult
    customer: SideResult
    gaps: list
    alphas: dict
    rows: list  # one per construct and RQI: label, ours, theirs, gap, flagged, alpha, alpha_n
    standing: str = quality.COUNTED
    rules: CountingRules = field(
        default_factory=lambda: CountingRules(
            quality.MIN_TEAM_ANSWERS, quality.MIN_CUSTOMER_ANSWERS
        )
    )
    alpha_min: int = quality.ALPHA_MIN_RESPONSES

    @property
    def has_answers(self) -> bool:
        return bool(self.team.answered or self.customer.answered)

    @property
    def counted(self) -> bool:
        return self.standing == quality.COUNTED

    @property
    def provisional(self) -> bool:
        return self.standing == quality.PROVISIONAL

    @property
    def answered(self) -> int:
        return self.team.answered + self.customer.answered

    @property
    def flagged(self) -> list:
        return [g for g in self.gaps if g.flagged]


def _sheets(round_ids) -> dict[int, dict[int, dict]]:
    """{round_id: {respondent_id: {"side": side, "sheet": {item_key: value}}}} in one query."""
    out: dict[int, dict[int, dict]] = defaultdict(dict)
    rows = Answer.objects.filter(respondent__round_id__in=list(round_ids)).values_list(
        "respondent__round_id", "respondent_id", "respondent__side", "item__key", "value"
    )
    for round_id, resp_id, side, key, value in rows:
        entry = out[round_id].setdefault(resp_id, {"side": side, "sheet": {}})
        entry["sheet"][key] = value
    return out


def round_result(rnd: SurveyRound, sheets: dict | None = None, items=None) -> RoundResult:
    items = quality_items(items if items is not None else rnd.template.items.all())
    sheets = sheets if sheets is not None else _sheets([rnd.pk]).get(rnd.pk, {})
    counts: dict[str, int] = defaultdict(int)
    for side in rnd.respondents.values_list("side", flat=True):
        counts[side] += 1
    by_side: dict[str, list[dict]] = {Side.TEAM: [], Side.CUSTOMER: []}
    for entry in sheets.values():
        by_side.setdefault(entry["side"], []).append(entry["sheet"])
    team = SideResult(
        Side.TEAM,
        counts[Side.TEAM],
        len(by_side[Side.TEAM]),
        quality.with_rqi(quality.construct_scores(items, by_side[Side.TEAM])),
    )
    cust = SideResult(
        Side.CUSTOMER,
        counts[Side.CUSTOMER],
        len(by_side[Side.CUSTOMER]),
        quality.with_rqi(quality.construct_scores(items, by_side[Side.CUSTOMER])),
    )
    gaps = quality.gaps(team.scores, cust.scores, gap_threshold())
    all_sheets = by_side[Side.TEAM] + by_side[Side.CUSTOMER]
    min_n = int(conf("ALPHA_MIN_RESPONSES", quality.ALPHA_MIN_RESPONSES))
    alphas = {c: quality.construct_alpha(items, all_sheets, c, min_n) for c in quality.CONSTRUCTS}
    alpha_n = {c: quality.complete_sheets(items, all_sheets, c) for c in quality.CONSTRUCTS}
    labels = dict(Construct.choices)
    rows = []
    for g in gaps:
        rows.append(
            {
                "key": g.key,
                "label": labels.get(g.key, gettext("RQI")),
                "ours": g.ours,
                "theirs": g.theirs,
                "gap": g.gap,
                "flagged": g.flagged,
                "alpha": alphas.get(g.key),
                # Beside alpha: how many complete answer sheets it rests on, so "not enough
                # answers" can be told apart from "no consistency to measure".
                "alpha_n": alpha_n.get(g.key),
                "is_rqi": g.key == "rqi",
                "lower_is_better": g.key == quality.CONFLICT,
            }
        )
    rules = counting_rules()
    return RoundResult(
        rnd,
        team,
        cust,
        gaps,
        alphas,
        rows,
        standing=quality.round_standing(
            not rnd.is_open, team.answered, cust.answered, rules.min_team, rules.min_customer
        ),
        rules=rules,
        alpha_min=min_n,
    )


def refresh_round(rnd: SurveyRound) -> SurveyRound:
    """Recompute the round's stored RQI per side and its largest gap (after an answer)."""
    result = round_result(rnd)

    def dec(v):
        return None if v is None else Decimal(str(round(v, 4)))

    rnd.team_rqi = dec(result.team.scores.get("rqi"))
    rnd.customer_rqi = dec(result.customer.scores.get("rqi"))
    measured = [abs(g.gap) for g in result.gaps if g.gap is not None]
    rnd.max_gap = dec(max(measured)) if measured else None
    rnd.team_answered = result.team.answered
    rnd.customer_answered = result.customer.answered
    rnd.save(
        update_fields=["team_rqi", "customer_rqi", "max_gap", "team_answered", "customer_answered"]
    )
    return rnd


def customer_trend(customer) -> list[dict]:
    """Every round of one account, oldest first, with both sides' construct scores and its
    standing (only ``counted`` rounds belong on the trend line); three queries whatever the
    number of rounds."""
    rules = counting_rules()
    rounds = list(customer.survey_rounds.select_related("template").order_by("opened_on", "id"))
    if not rounds:
        return []
    sheets = _sheets([r.pk for r in rounds])
    template_ids = {r.template_id for r in rounds}
    items_by_template = defaultdict(list)
    for item in SurveyItem.objects.filter(template_id__in=template_ids):
        items_by_template[item.template_id].append(
            quality.Item(item.key, item.construct, item.reversed)
        )
    out = []
    for r in rounds:
        team: list[dict] = []
        cust: list[dict] = []
        for entry in sheets.get(r.pk, {}).values():
            (team if entry["side"] == Side.TEAM else cust).append(entry["sheet"])
        items = items_by_template[r.template_id]
        out.append(
            {
                "round": r,
                "date": r.opened_on,
                "team": quality.with_rqi(quality.construct_scores(items, team)),
                "customer": quality.with_rqi(quality.construct_scores(items, cust)),
                "team_n": len(team),
                "customer_n": len(cust),
                "standing": quality.round_standing(
                    not r.is_open, len(team), len(cust), rules.min_team, rules.min_customer
                ),
            }
        )
    return out


def latest_trust(customer) -> float | None:
    """The trust construct of the account's latest *counted* round (mean of the sides that
    answered), None without one — what the target interaction form reads (B needs trust)."""
    for row in reversed(customer_trend(customer)):
        if row["standing"] != quality.COUNTED:
            continue
        values = [
            float(side[quality.TRUST])
            for side in (row["team"], row["customer"])
            if side.get(quality.TRUST) is not None
        ]
        if values:
            return sum(values) / len(values)
    return None


# --- many accounts at once ------------------------------------------------------------------


def latest_assessments(customer_ids) -> dict[int, Assessment]:
    """The latest assessment of each customer: one query (once per page view for an account's
    page, whose cards each ask)."""
    return memo_for_ids("relationships.latest_assessments", customer_ids, _latest_assessments)


def _latest_assessments(customer_ids) -> dict[int, Assessment]:
    latest: dict[int, Assessment] = {}
    for a in Assessment.objects.filter(customer_id__any=Ids(customer_ids)).order_by(
        "customer_id", "-date", "-id"
    ):
        latest.setdefault(a.customer_id, a)
    return latest


def latest_scored_rounds(customer_ids) -> dict[int, list[SurveyRound]]:
    """Each customer's *counted* rounds, newest first (one query, once per page view for the
    same accounts): closed, with enough answers on each side. Everything that reads an
    account's RQI — its badge, trend, alerts, stage suggestion, the RO taken from the RQI, the
    programme's mean — reads it here, so an open round's first answers never move it."""
    return memo_for_ids("relationships.latest_scored_rounds", customer_ids, _latest_scored_rounds)


def _latest_scored_rounds(customer_ids) -> dict[int, list[SurveyRound]]:
    out: dict[int, list[SurveyRound]] = defaultdict(list)
    qs = (
        SurveyRound.objects.filter(customer_id__any=Ids(customer_ids))
        .filter(counted_filter())
        .exclude(team_rqi__isnull=True, customer_rqi__isnull=True)
        .order_by("customer_id", "-opened_on", "-id")
    )
    for r in qs:
        out[r.customer_id].append(r)
    return out


def latest_stages(customer_ids) -> dict[int, StageRecord]:
    """The latest stage record of each customer (one query, once per page view)."""
    return memo_for_ids("relationships.latest_stages", customer_ids, _latest_stages)


def _latest_stages(customer_ids) -> dict[int, StageRecord]:
    latest: dict[int, StageRecord] = {}
    for s in (
        StageRecord.objects.filter(customer_id__any=Ids(customer_ids))
        .select_related("created_by")
        .order_by("customer_id", "-date", "-id")
    ):
        latest.setdefault(s.customer_id, s)
    return latest


def last_round_dates(customer_ids) -> dict[int, date]:
    return dict(
        SurveyRound.objects.filter(customer_id__in=list(customer_ids))
        .values("customer_id")
        .annotate(last=Max("opened_on"))
        .values_list("customer_id", "last")
    )


def year_ago_round(rounds: list[SurveyRound]) -> SurveyRound | None:
    """For year-on-year comparison: the newest round opened at least 9 months before the
    latest one (rounds newest first)."""
    if len(rounds) < 2:
        return None
    cutoff = rounds[0].opened_on - timedelta(days=int(conf("YEAR_AGO_MIN_DAYS", 270)))
    return next((r for r in rounds[1:] if r.opened_on <= cutoff), None)


# --- the facts of the stage rule -------------------------------------------------------------


def sales_facts(customer_ids, as_of: date) -> dict[int, tuple[bool | None, int]]:
    """{customer: (has_sales_12m or None when it has no sales data at all, months with orders)}."""
    from kamp.economics.models import SalesLine

    start = date(as_of.year - 1, as_of.month, 1)
    dates = defaultdict(list)
    for cid, d in SalesLine.objects.filter(
        customer_id__in=list(customer_ids), date__gte=start, date__lte=as_of
    ).values_list("customer_id", "date"):
        dates[cid].append(d)
    any_sales = set(
        SalesLine.objects.filter(customer_id__in=list(customer_ids))
        .values_list("customer_id", flat=True)
        .distinct()
    )
    out: dict[int, tuple[bool | None, int]] = {}
    year_ago = as_of - timedelta(days=365)
    for cid in customer_ids:
        recent = [d for d in dates.get(cid, []) if d > year_ago]
        if cid not in any_sales:
            out[cid] = (None, 0)
        else:
            out[cid] = (bool(recent), stages.months_with_orders(recent, as_of))
    return out


def functional_pairs(customer, as_of: date) -> int | None:
    """Functional contact pairs (besides KAM ↔ purchasing) with contact in the interactions
    area's window, from its analysis when that area is installed; None when it is not or has no
    log for the account (the assessment's own count is used then)."""
    try:
        from kamp.interactions.summary import held_analysis
    except ImportError:
        return None
    try:
        # The analysis the interactions card shows, held while the account's log is unchanged
        # (the account page draws both cards: one analysis, not two).
        result = held_analysis(customer, as_of)
    except Exception:  # noqa: BLE001 - another area's code must not break this page
        return None
    if result is None or not result.interactions_in_window:
        return None
    return len(result.functional_pairs)


def share_of_wallet(customer, as_of: date) -> tuple[float | None, float | None]:
    """(now, a year ago) share of wallet, 0–1, when the economics area estimates it."""
    try:
        from kamp.economics.services import shares_of_wallet_at
    except ImportError:
        return None, None
    try:
        now_all, before_all = shares_of_wallet_at(
            [as_of, as_of - timedelta(days=365)], [customer.pk]
        )
        now, before = now_all.get(customer.pk), before_all.get(customer.pk)
    except Exception:  # noqa: BLE001
        return None, None
    return (None if now is None else float(now)), (None if before is None else float(before))


def sales_share(customer, as_of: date) -> float | None:
    """The customer's share of our net sales over the last 12 months (0–1), if we have sales."""
    from django.db.models import Sum

    from kamp.economics.models import SalesLine

    start = as_of - timedelta(days=365)
    lines = SalesLine.objects.filter(date__gt=start, date__lte=as_of)
    total = lines.aggregate(t=Sum("net_amount"))["t"]
    if not total:
        return None
    mine = lines.filter(customer=customer).aggregate(t=Sum("net_amount"))["t"] or 0
    return float(mine / total)


def stage_facts(customer, as_of: date) -> stages.StageFacts:
    has_sales, months = sales_facts([customer.pk], as_of)[customer.pk]
    latest = latest_assessments([customer.pk]).get(customer.pk)
    pairs = functional_pairs(customer, as_of)
    if pairs is None and latest is not None:
        pairs = latest.functional_pairs
    rounds = latest_scored_rounds([customer.pk]).get(customer.pk, [])
    now_round = rounds[0] if rounds else None
    before = year_ago_round(rounds)
    wallet_now, wallet_before = share_of_wallet(customer, as_of)
    return stages.StageFacts(
        has_sales_12m=has_sales,
        months_with_orders=months if has_sales else None,
        functional_pairs=pairs,
        systems_linked=bool(latest and latest.systems_linked),
        our_switching_cost=latest.ds_switching if latest else None,
        their_switching_cost=latest.db_switching if latest else None,
        rqi_now=float(now_round.rqi) if now_round and now_round.rqi is not None else None,
        rqi_year_ago=float(before.rqi) if before and before.rqi is not None else None,
        wallet_now=wallet_now,
        wallet_year_ago=wallet_before,
    )


def suggest_stage(customer, as_of: date | None = None) -> stages.StageSuggestion:
    as_of = as_of or date.today()
    return stages.suggest(
        stage_facts(customer, as_of),
        min_pairs=int(conf("MIN_FUNCTIONAL_PAIRS", stages.MIN_FUNCTIONAL_PAIRS)),
        regular_months=int(conf("REGULAR_MONTHS", stages.REGULAR_MONTHS)),
        high_switching=float(conf("HIGH_SWITCHING", stages.HIGH_SWITCHING)),
        rqi_drop=float(conf("RQI_DROP", stages.RQI_DROP)),
        wallet_drop=float(conf("WALLET_DROP", stages.WALLET_DROP)),
    )


def classify(ro, ds, db) -> typology.Classification:
    return typology.classify(
        float(ro),
        float(ds),
        float(db),
        ro_high=float(conf("RO_HIGH", typology.RO_HIGH)),
        balance=float(conf("BALANCE", typology.BALANCE)),
        mutual=float(conf("MUTUAL", typology.MUTUAL)),
    )
