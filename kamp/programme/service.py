"""Gathers the programme's figures from every area (through ``sources``) and runs the pure
checks of ``health.py`` and ``benefits.py`` on them. Views, the API and the commands call these
functions; each runs a constant number of queries whatever the portfolio size."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from kamp.core.choices import Role
from kamp.core.formatting import format_number, format_period
from kamp.core.http import id_urls
from kamp.core.lookups import Ids
from kamp.core.models import User
from kamp.customers.models import Customer, CustomerStatus
from kamp.team.models import AccountTeamMember, TeamRole
from kamp.team.profiles import MAX_ACCOUNTS_PER_KAM, build_profiles

from . import benefits as bf
from . import health, sources

CHECK_TITLES = {
    "profitability": gettext_lazy("Profitability"),
    "right_kams": gettext_lazy("The right KAMs"),
    "internal_support": gettext_lazy("Internal support and customer-centred culture"),
    "trust": gettext_lazy("Trust and long-term relationships"),
}
CHECK_QUESTIONS = {
    "profitability": gettext_lazy("Do key accounts pay, after what we invest in them?"),
    "right_kams": gettext_lazy(
        "Do we have the right KAMs, with workloads they can carry, and do we keep them?"
    ),
    "internal_support": gettext_lazy(
        "Does the whole company back the key accounts: sponsors, teams across functions, functions in contact?"
    ),
    "trust": gettext_lazy(
        "Are the key relationships growing in trust and moving toward partnership?"
    ),
}
STATUS_LABELS = {
    health.OK: gettext_lazy("healthy"),
    health.WARNING: gettext_lazy("needs attention"),
    health.DANGER: gettext_lazy("at risk"),
    health.UNKNOWN: gettext_lazy("no data yet"),
}
TREND_LABELS = {
    health.UP: gettext_lazy("rising"),
    health.DOWN: gettext_lazy("falling"),
    health.FLAT: gettext_lazy("steady"),
}
AREA_LABELS = {
    "selection": gettext_lazy("Selection"),
    "relationships": gettext_lazy("Relationships"),
    "interactions": gettext_lazy("Interactions"),
    "economics": gettext_lazy("Economics"),
    "plans": gettext_lazy("Plans"),
    "team": gettext_lazy("Team"),
    "programme": gettext_lazy("Programme"),
}

GROUP_LABELS = {
    "unknown": gettext_lazy("not assessed"),
    "A": gettext_lazy("A · bow-tie"),
    "B": gettext_lazy("B · diamond"),
    "strategic": gettext_lazy("strategic"),
    "star": gettext_lazy("star"),
    # The quadrant, not a record's status (another catalogue's "estado" would win).
    "status": pgettext_lazy("quadrant", "status"),
    "streamline": gettext_lazy("streamline"),
    "collaborative_partnership": gettext_lazy("collaborative partnership"),
    "competitive_interaction": gettext_lazy("competitive interaction"),
    "inviting_buyer": gettext_lazy("inviting buyer"),
    "inviting_supplier": gettext_lazy("inviting supplier"),
    "vulnerable_buyer": gettext_lazy("vulnerable buyer"),
    "vulnerable_supplier": gettext_lazy("vulnerable supplier"),
    "independent": gettext_lazy("independent"),
    "exploratory": gettext_lazy("exploratory"),
    "basic": gettext_lazy("basic"),
    "cooperative": gettext_lazy("cooperative"),
    "interdependent": gettext_lazy("interdependent"),
    "integrated": gettext_lazy("integrated"),
    "disintegrating": gettext_lazy("disintegrating"),
}

BENEFIT_LABELS = {
    "conflict": gettext_lazy("Conflict (lower is better)"),
    "transparency": gettext_lazy("Transparency and information exchange"),
    "satisfaction": gettext_lazy("Satisfaction"),
    "loyalty": gettext_lazy("Loyalty (commitment)"),
    "trust": gettext_lazy("Trust"),
    "sales_growth": gettext_lazy("Sales growth (net sales of each 12 months)"),
    "share_of_wallet": gettext_lazy("Share of wallet"),
    "innovation": gettext_lazy("Customer-driven innovation (co-creation initiatives)"),
}


@dataclass
class Check:
    key: str
    result: health.CheckResult
    lines: list[str] = field(default_factory=list)  # what the figures say, one sentence each
    accounts: list[dict] = field(default_factory=list)  # [{"id", "name", "url", "why"}]
    missing: list[str] = field(default_factory=list)  # data not available yet
    kams: list[dict] = field(default_factory=list)

    @property
    def title(self):
        return CHECK_TITLES[self.key]

    @property
    def question(self):
        return CHECK_QUESTIONS[self.key]

    @property
    def status(self):
        return self.result.status

    @property
    def status_label(self):
        return STATUS_LABELS[self.result.status]

    @property
    def trend_label(self):
        return TREND_LABELS.get(self.result.trend or "", "")

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "title": str(self.title),
            "status": self.status,
            "trend": self.result.trend,
            "figures": self.result.figures,
            "parts": self.result.parts,
            "explanation": [str(x) for x in self.lines],
            "accounts": [
                {"id": a["id"], "name": a["name"], "why": str(a.get("why", ""))}
                for a in self.accounts
            ],
            "missing": [str(m) for m in self.missing],
        }


def key_accounts(qs=None) -> list[tuple[int, str, int | None]]:
    qs = Customer.objects.all() if qs is None else qs
    return list(
        qs.filter(status=CustomerStatus.KEY_ACCOUNT)
        .order_by("name")
        .values_list("id", "name", "owner_id")
    )


def control_customers(qs=None) -> list[int]:
    """The customers of ``qs`` that never were key accounts: the control group of the benefits."""
    from kamp.selection.models import Decision

    qs = Customer.objects.all() if qs is None else qs
    ever_key = Decision.objects.filter(kind="make").values("customer_id")
    return list(
        qs.filter(status=CustomerStatus.CANDIDATE)
        .exclude(pk__in=ever_key)
        .values_list("id", flat=True)
    )


def _pct(x) -> str:
    from kamp.core.formatting import format_percent

    return "—" if x is None else format_percent(x, 0)


def _money(x) -> str:
    """An amount in the base currency as every page writes it (``CLP 104.350.979``)."""
    if x is None:
        return "—"
    from kamp.core.formatting import format_money

    return format_money(x, _currency())


def _acc(ids, names, why, url_name="customers:detail") -> list[dict]:
    url = id_urls(url_name)
    return [
        {
            "id": cid,
            "name": names.get(cid, str(cid)),
            "url": url(cid),
            "why": why,
        }
        for cid in ids
        if cid in names
    ]


class Cached:
    """Calls each source once per page: the dashboard and the checks share figures."""

    def __init__(self) -> None:
        self.values: dict = {}

    def __call__(self, name: str, *args):
        key = (name, repr(args))
        if key not in self.values:
            self.values[key] = getattr(sources, name)(*args)
        return self.values[key]


def programme_checks(
    as_of: date | None = None, qs=None, cache: Cached | None = None
) -> list[Check]:
    """The four challenge checks over the key accounts in ``qs`` (default: all)."""
    as_of = as_of or timezone.localdate()
    src = cache or Cached()
    keys = key_accounts(qs)
    ids = [k[0] for k in keys]
    names = {k[0]: k[1] for k in keys}
    checks = []

    # (1) Profitability
    profit = src("profit_after_kam", ids, as_of)
    r = health.profitability(ids, profit)
    c = Check("profitability", r)
    if profit is None:
        c.missing.append(
            _("Account P&L (economics): import sales, cost to serve and KAM investments.")
        )
    else:
        f = r.figures
        if not f["accounts_with_data"]:
            c.lines.append(
                _(
                    "No key account has P&L figures yet: import sales, cost to serve and KAM investments (Economics)."
                )
            )
        else:
            c.lines.append(
                _(
                    "%(p)s of %(n)s key accounts with figures are profitable after KAM in the latest period."
                )
                % {"p": f["profitable"], "n": f["accounts_with_data"]}
            )
        if f["programme_profit"] is not None:
            c.lines.append(
                _("Programme profit after KAM (%(period)s): %(v)s%(prev)s.")
                % {
                    "period": format_period(f["period"]),
                    "v": _money(f["programme_profit"]),
                    "prev": ""
                    if f["programme_profit_previous"] is None
                    else _("; the period before: %(v)s")
                    % {"v": _money(f["programme_profit_previous"])},
                }
            )
        change = health.growth_rate(f["programme_profit"], f["programme_profit_previous"])
        if change is not None and change < -health.PROFIT_DROP:
            c.lines.append(
                _("Programme profit after KAM fell %(p)s against the period before.")
                % {"p": _pct(-change)}
            )
        c.accounts = _acc(r.accounts, names, _("loses money after KAM"), "economics:customer_tab")
    checks.append(c)

    # (2) Right KAMs
    kam_ids = sorted({k[2] for k in keys if k[2]})
    kams = list(User.objects.filter(pk__in=kam_ids)) if kam_ids else []
    kams += list(User.objects.filter(role=Role.KAM, is_active=True).exclude(pk__in=kam_ids))
    profiles = build_profiles(kams, as_of)
    src.values["profiles"] = profiles
    data = [
        {
            "id": p.kam.pk,
            "accounts": [a.customer.pk for a in p.accounts],
            "gap_total": p.gap_total,
            "salesperson_only": p.salesperson_only,
            "assessed": not p.unassessed,
            "turnover_accounts": [a.customer.pk for a in p.turnover_accounts],
        }
        for p in profiles
        if p.accounts or p.kam.role == Role.KAM
    ]
    r = health.right_kams(data, MAX_ACCOUNTS_PER_KAM)
    c = Check("right_kams", r)
    by_id = {p.kam.pk: p for p in profiles}
    if data:
        f = r.figures
        c.lines.append(
            _("%(k)s KAMs carry %(a)s key accounts on average (warning above %(m)s).")
            % {"k": f["kams"], "a": format_number(f["accounts_per_kam"], 1), "m": f["max_accounts"]}
        )
        for uid in f["overloaded"]:
            c.lines.append(
                _("%(kam)s owns %(n)s key accounts.")
                % {"kam": by_id[uid].kam, "n": by_id[uid].key_accounts}
            )
        c.lines.append(
            _("%(a)s of %(k)s KAMs assessed; %(f)s of those fit what their accounts need.")
            % {"a": f["assessed"], "k": f["kams"], "f": _pct(f["share_fit"])}
        )
        for uid in f["salesperson_only"]:
            c.lines.append(
                _("%(kam)s's profile is only the salesperson hat.") % {"kam": by_id[uid].kam}
            )
        for uid in f["with_fit_gap"]:
            gap = by_id[uid].gap_total
            c.lines.append(
                ngettext(
                    "%(kam)s: %(n)s hat level short of what their accounts need.",
                    "%(kam)s: %(n)s hat levels short of what their accounts need.",
                    gap,
                )
                % {"kam": by_id[uid].kam, "n": gap}
            )
        turnover = set(f["turnover_accounts"])
        c.accounts = _acc(
            sorted(turnover), names, _("KAM changed twice in two years"), "team:customer"
        )
        listed = {a["id"] for a in c.accounts}
        for uid in f["overloaded"] + f["salesperson_only"] + f["with_fit_gap"]:
            for a in _acc(
                [x.customer.pk for x in by_id[uid].accounts],
                names,
                _("KAM: %(kam)s") % {"kam": by_id[uid].kam},
            ):
                if a["id"] not in listed:
                    listed.add(a["id"])
                    c.accounts.append(a)
        c.kams = [
            {"id": p.kam.pk, "name": str(p.kam), "url": reverse("team:kam", args=[p.kam.pk])}
            for p in profiles
        ]
    checks.append(c)

    # (3) Internal support
    sponsors: dict[int, list[int]] = {}
    functions: dict[int, set] = {cid: set() for cid in ids}
    owners = {k[0]: k[2] for k in keys}
    owner_fn = (
        dict(User.objects.filter(pk__in=kam_ids).values_list("pk", "function")) if kam_ids else {}
    )
    for cid, uid, role, fn in AccountTeamMember.objects.filter(
        customer_id__any=Ids(ids)
    ).values_list("customer_id", "user_id", "role", "user__function"):
        if role == TeamRole.SPONSOR:
            sponsors.setdefault(cid, []).append(uid)
        else:
            functions[cid].add(fn)
    for cid in ids:
        owner = owners.get(cid)
        if owner is not None and owner in owner_fn:
            functions[cid].add(owner_fn[owner])
    met = src("sponsor_meetings", ids, sponsors, as_of)
    met_before = src("sponsor_meetings", ids, sponsors, as_of - timedelta(days=92))
    engaged = src("functions_engaged", ids, as_of)
    per: dict[int, dict[str, Any]] = {
        cid: {
            "sponsor": cid in sponsors,
            "sponsor_met": None if met is None else bool(met.get(cid)),
            "functions": len(functions[cid]),
            "functions_engaged": None if engaged is None else len(engaged.get(cid) or []),
        }
        for cid in ids
    }
    previous = (
        None
        if met_before is None
        else sum(1 for cid in ids if cid in sponsors and met_before.get(cid))
    )
    r = health.internal_support(per, previous)
    c = Check("internal_support", r)
    if ids:
        f = r.figures
        c.lines.append(
            _("%(s)s of %(n)s key accounts have an executive sponsor.")
            % {"s": f["with_sponsor"], "n": f["accounts"]}
        )
        if f["sponsor_met_last_quarter"] is not None:
            c.lines.append(
                _(
                    "Key accounts whose sponsor met the customer in the last quarter: %(s)s of %(n)s."
                )
                % {"s": f["sponsor_met_last_quarter"], "n": f["accounts"]}
            )
        else:
            c.missing.append(_("Sponsor meetings (interaction log)."))
        c.lines.append(
            _("%(s)s of %(n)s teams are staffed across at least %(m)s functions.")
            % {"s": f["staffed_across_functions"], "n": f["accounts"], "m": f["min_functions"]}
        )
        if f["functions_engaged"] is not None:
            c.lines.append(
                _(
                    "In %(s)s key accounts at least two of our functions were in contact with the customer this year."
                )
                % {"s": f["functions_engaged"]}
            )
        else:
            c.missing.append(_("Functions engaged (interaction log)."))
        # Translated once, not once per account: a large programme lists hundreds here.
        no_sponsor = _("no sponsor")
        not_met = _("sponsor has not met the customer this quarter")
        few_functions = _("functions on the team: %(n)s")
        few_in_contact = _("few functions in contact")
        url = id_urls("team:customer")
        acc = []
        for cid in r.accounts:
            if cid not in names:
                continue
            why = []
            if not per[cid]["sponsor"]:
                why.append(no_sponsor)
            elif per[cid]["sponsor_met"] is False:
                why.append(not_met)
            if per[cid]["functions"] < health.MIN_FUNCTIONS:
                why.append(few_functions % {"n": per[cid]["functions"]})
            if per[cid]["functions_engaged"] is not None and per[cid]["functions_engaged"] < 2:
                why.append(few_in_contact)
            acc.append({"id": cid, "name": names[cid], "url": url(cid), "why": "; ".join(why)})
        c.accounts = acc
    checks.append(c)

    # (4) Trust
    rqi = src("rqi_series", ids)
    types = src("relationship_types", ids)
    gaps = src("perception_gaps", ids)
    r = health.trust(ids, rqi, types, gaps)
    c = Check("trust", r)
    f = r.figures
    if rqi is None:
        c.missing.append(_("Relationship quality surveys (relationships)."))
    elif f.get("rqi") is not None:
        c.lines.append(
            _(
                "Mean relationship quality index (RQI, 1–7): %(v)s%(prev)s, over %(n)s accounts measured."
            )
            % {
                "v": format_number(f["rqi"], 1),
                "n": f["rqi_measured"],
                "prev": ""
                if f.get("rqi_previous") is None
                else _(" (previous measurement %(p)s)")
                % {"p": format_number(f["rqi_previous"], 1)},
            }
        )
    else:
        c.lines.append(_("No relationship quality survey answered yet."))
    if types is not None and not f.get("typed"):
        c.lines.append(_("No key account has its relationship type assessed yet."))
    elif types is not None and f.get("typed") is not None:
        c.lines.append(
            _("%(p)s of %(n)s typed key accounts are collaborative partnerships.")
            % {"p": f["collaborative_partnership"], "n": f["typed"]}
        )
    elif types is None:
        c.missing.append(_("Relationship types (relationships)."))
    if gaps is not None and f.get("perception_measured"):
        c.lines.append(
            _("Accounts with a perception gap (the two sides differ by more than a point): %(n)s.")
            % {"n": len(f.get("perception_gaps", []))}
        )
    acc = _acc(f.get("rqi_falling", []), names, _("RQI falling"), "relationships:customer_tab")
    acc += [
        a
        for a in _acc(
            f.get("perception_gaps", []), names, _("perception gap"), "relationships:customer_tab"
        )
        if a["id"] not in {x["id"] for x in acc}
    ]
    c.accounts = acc
    checks.append(c)
    return checks


def _currency() -> str:
    from kamp.core.models import SiteSettings

    return SiteSettings.load().base_currency


def benefit_series(ids, as_of: date) -> dict[int, dict[str, list | None]]:
    """Per account, each benefit's series (None where the data source is missing)."""
    constructs = sources.survey_constructs(ids)
    sales = sources.sales_by_year(ids, as_of)
    wallet = sources.share_of_wallet(ids, as_of)
    inits = sources.initiatives(ids)
    out: dict[int, dict[str, list | None]] = {}
    for cid in ids:
        s: dict[str, list | None] = {}
        cons = None if constructs is None else constructs.get(cid, [])
        for key, construct in (
            ("conflict", "conflict"),
            ("transparency", "information_sharing"),
            ("satisfaction", "satisfaction"),
            ("trust", "trust"),
            ("loyalty", "commitment"),
        ):
            s[key] = (
                None
                if cons is None
                else [(p["when"], p[construct]) for p in cons if p.get(construct) is not None]
            )
        if sales is None:
            s["sales_growth"] = None
        else:
            # Absolute sales, not growth rates: from a small base the first rate is huge and
            # every later one reads as a decline while sales keep rising.
            s["sales_growth"] = sorted(
                (as_of.year - back, v) for back, v in sales.get(cid, {}).items()
            )
        s["share_of_wallet"] = None if wallet is None else wallet.get(cid, [])
        s["innovation"] = None if inits is None else bf.innovation_series(inits.get(cid, []))
        out[cid] = s
    return out


# Before/after measures: key -> (label, higher is better, kind of figure).
BEFORE_AFTER = {
    "sales": (gettext_lazy("Net sales"), True, "money"),
    "gross_margin": (gettext_lazy("Gross margin"), True, "money"),
    "profit_after_kam": (gettext_lazy("Profit after KAM"), True, "money"),
    "share_of_wallet": (gettext_lazy("Share of wallet"), True, "ratio"),
    "rqi": (gettext_lazy("Relationship quality (RQI, 1–7)"), True, "score"),
}


def before_after(ids, since: dict, control_ids, as_of: date) -> dict[int, dict]:
    """Per key account with a known date of becoming key: the windows compared and, per measure
    of ``BEFORE_AFTER``, a :class:`benefits.Comparison` against ``control_ids`` (customers that
    were never key accounts). A constant number of queries."""
    from kamp.economics import pnl, services
    from kamp.economics.models import SalesMonth

    now = pnl.month_index(as_of.year, as_of.month)
    first_sale = SalesMonth.objects.order_by("month").values_list("month", flat=True).first()
    start = None if first_sale is None else pnl.month_index(first_sale.year, first_sale.month)
    windows = {}
    for cid in ids:
        if since.get(cid) is None:
            continue
        k = pnl.month_index(since[cid].year, since[cid].month)
        windows[cid] = (k, bf.window_months(k, now, start))
    measured = {cid: w for cid, w in windows.items() if w[1]}
    out: dict[int, dict] = {
        cid: {"months": n, "before_from": None, "after_to": None, "measures": {}}
        for cid, (k, n) in windows.items()
    }
    if not measured:
        return out
    control_ids = [c for c in control_ids if c not in windows]
    first = min(k - n for k, n in measured.values())
    last = max(k + n for k, n in measured.values())
    periods = [pnl.Period(m, 1, "month") for m in range(first, last)]
    values = services.compute(periods, list(measured) + control_ids, services.rate_table())
    monthly: dict[str, dict[int, dict[int, float]]] = {
        m: {} for m in ("sales", "gross_margin", "profit_after_kam", "spend")
    }
    for (cid, i), v in values.items():
        m = first + i
        monthly["sales"].setdefault(cid, {})[m] = float(v.net_revenue)
        monthly["gross_margin"].setdefault(cid, {})[m] = float(v.gross_margin)
        monthly["profit_after_kam"].setdefault(cid, {})[m] = float(v.profit_after_kam)
        if v.category_spend is not None:
            monthly["spend"].setdefault(cid, {})[m] = float(v.category_spend)
    rqi = sources.rqi_series(list(measured) + control_ids) or {}

    def window(cid, key, a, n):
        if key == "share_of_wallet":
            spend = bf.window_total(monthly["spend"].get(cid, {}), a, n)
            # Without an estimate of the customer's spend there is no share to compare.
            return (
                None if spend <= 0 else bf.window_total(monthly["sales"].get(cid, {}), a, n) / spend
            )
        if key == "rqi":
            pts = [v for d, v in rqi.get(cid, []) if a <= pnl.month_index(d.year, d.month) < a + n]
            return sum(pts) / len(pts) if pts else None
        return bf.window_total(monthly[key].get(cid, {}), a, n)

    with_money = {cid for cid in control_ids if any(cid in monthly[m] for m in monthly)}
    for cid, (k, n) in measured.items():
        row = out[cid]
        row["before_from"] = pnl.Period(k - n, 1, "month").start
        row["after_to"] = pnl.Period(k + n - 1, 1, "month").start
        for key, (_label, higher, _kind) in BEFORE_AFTER.items():
            pool = (
                with_money if key in ("sales", "gross_margin", "profit_after_kam") else control_ids
            )
            controls = []
            for c in pool:
                b, a = window(c, key, k - n, n), window(c, key, k, n)
                if b is not None and a is not None:
                    controls.append((b, a))
            row["measures"][key] = bf.difference_in_differences(
                window(cid, key, k - n, n), window(cid, key, k, n), controls, higher
            )
    return out


def benefits_report(qs, as_of: date | None = None) -> dict:
    """The benefits of the key accounts in ``qs``; the control group of the before/after
    comparison is taken from ``qs`` too, so nobody reads the money of customers they may not
    see, even averaged."""
    as_of = as_of or timezone.localdate()
    keys = key_accounts(qs)
    ids = [k[0] for k in keys]
    series = benefit_series(ids, as_of)
    since = sources.key_account_since(ids) or {}
    per_account = {cid: bf.account_benefits(series[cid], since.get(cid)) for cid in ids}
    controls = control_customers(qs)
    compared = before_after(ids, since, controls, as_of)
    return {
        "accounts": [
            {
                "id": cid,
                "name": name,
                "benefits": per_account[cid],
                "since": since.get(cid),
                "before_after": compared.get(cid),
            }
            for cid, name, _o in keys
        ],
        "controls": len(controls),
        "programme": bf.programme_benefits(per_account),
        "labels": BENEFIT_LABELS,
        "series": series,
    }
