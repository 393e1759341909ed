"""What the QBR deck shows beyond the plan (``plan_data``): the quarter under review, the
relationship (type and its path, RQI from both sides and the perception gap, stage), the people
(DMU coverage, sponsor pairs, bow-tie or diamond and its trend), next quarter's agenda and the
asks — gathered once per export, for one edition."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from . import editions
from .identity import Identity, identity_for
from .plan_data import PlanReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def of(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.q * 3 - 2, 1)

    @property
    def end(self) -> datetime.date:
        nxt = self.next()
        return nxt.start - datetime.timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.q == 4 else Quarter(self.year, self.q + 1)

    @property
    def label(self) -> str:
        return _("Q%(q)s %(year)s") % {"q": self.q, "year": self.year}


@dataclass
class ObjectiveRow:
    title: str
    current: Decimal | None
    target: Decimal | None
    measure: str
    due: datetime.date | None
    status: str  # achieved | on_track | behind | late | no_target | hidden
    progress: float | None  # current / target, 0..1+


@dataclass
class Qbr:
    report: PlanReport
    edition: str
    identity: Identity
    today: datetime.date
    quarter: Quarter
    objectives: list[ObjectiveRow] = field(default_factory=list)
    actions_done: int = 0  # in the quarter so far
    joint_done: int = 0
    joint_open: int = 0
    interactions: int = 0  # logged in the quarter so far
    agenda: list = field(default_factory=list)  # PlanAction, due by the end of next quarter
    # relationship
    survey_date: datetime.date | None = None
    team_n: int = 0
    customer_n: int = 0
    gap_rows: list[dict] = field(default_factory=list)
    rqi_ours: float | None = None
    rqi_theirs: float | None = None
    type_label: str = ""
    type_path: list[tuple[datetime.date, str]] = field(default_factory=list)
    stage_label: str = ""
    # people
    form: str = ""
    form_label: str = ""
    diamond_percent: int | None = None
    form_trend: list[tuple[str, int, str]] = field(default_factory=list)  # quarter, %, form
    pairs: list[tuple[str, str]] = field(default_factory=list)
    roles: list[tuple[str, list[str]]] = field(default_factory=list)  # role, contact names
    roles_covered: int = 0
    sponsors: list[tuple[str, str]] = field(default_factory=list)  # sponsor, counterpart
    asks: list[str] = field(default_factory=list)

    @property
    def customer_edition(self) -> bool:
        return editions.is_customer(self.edition)

    @property
    def next_quarter(self) -> Quarter:
        return self.quarter.next()

    @property
    def period_text(self) -> str:
        """The quarter under review, to date: "Q4 2026 (1 Oct 2026 – 4 Dec 2026)"."""
        from django.utils import formats

        end = min(self.quarter.end, self.today)
        start = formats.date_format(self.quarter.start, "SHORT_DATE_FORMAT")
        end_text = formats.date_format(end, "SHORT_DATE_FORMAT")
        return f"{self.quarter.label} ({start} – {end_text})"

    @property
    def flagged_gaps(self) -> list[dict]:
        return [r for r in self.gap_rows if r["flagged"] and not r["is_rqi"]]


def _objective_rows(report: PlanReport, today, customer_edition: bool) -> list[ObjectiveRow]:
    rows = []
    for o in report.objectives:
        if getattr(o, "hidden_money", False) or (customer_edition and o.is_financial):
            if customer_edition:
                continue
            rows.append(ObjectiveRow(o.title, None, None, "", o.due, "hidden", None))
            continue
        current, target = o.current, o.target
        progress = None
        if current is not None and target:
            progress = float(current) / float(target)
        if target is None or current is None:
            status = "no_target"
        elif current >= target:
            status = "achieved"
        elif o.due is not None and o.due < today:
            status = "late"
        elif progress is not None and progress < 0.5:
            status = "behind"
        else:
            status = "on_track"
        rows.append(ObjectiveRow(o.title, current, target, o.measure, o.due, status, progress))
    return rows


def _relationship(q: Qbr, customer) -> None:
    try:
        from kamp.relationships import results
        from kamp.relationships.models import Assessment, RelationshipType, Stage
    except ImportError:
        return
    rounds = results.latest_scored_rounds([customer.pk]).get(customer.pk, [])
    if rounds:
        res = results.round_result(rounds[0])
        q.survey_date = rounds[0].opened_on
        q.team_n, q.customer_n = res.team.answered, res.customer.answered
        q.gap_rows = res.rows
        rqi = next((r for r in res.rows if r["is_rqi"]), None)
        if rqi:
            q.rqi_ours, q.rqi_theirs = rqi["ours"], rqi["theirs"]
    if q.customer_edition:
        return
    labels = dict(RelationshipType.choices)
    path: list[tuple[datetime.date, str]] = []
    for a in Assessment.objects.filter(customer=customer).order_by("date", "id"):
        label = str(labels.get(a.type, a.type))
        if not path or path[-1][1] != label:
            path.append((a.date, label))
    q.type_path = path
    q.type_label = path[-1][1] if path else ""
    stage = results.latest_stages([customer.pk]).get(customer.pk)
    key = stage.stage if stage is not None else results.suggest_stage(customer).stage
    q.stage_label = str(Stage(key).label)


def _people(q: Qbr, customer) -> None:
    try:
        from kamp.customers.models import DMURole, Seniority
        from kamp.interactions import analysis
        from kamp.interactions import forms as rules
        from kamp.team.models import TeamRole
    except ImportError:
        return
    acc = analysis.account(customer, as_of=q.today, all_ties=False)
    a = acc.analysis
    q.form = a.form
    q.form_label = analysis.form_label(a.form)
    q.diamond_percent = rules.diamond_percent(a.diamond_index)
    q.form_trend = [
        (p.label, rules.diamond_percent(p.diamond_index), p.form) for p in acc.history[-6:]
    ]
    q.interactions = customer.interactions.filter(
        date__gte=q.quarter.start, date__lte=q.today
    ).count()
    if q.customer_edition:
        return
    from kamp.customers.models import Contact

    functions = dict(Contact._meta.get_field("function").choices or [])
    q.pairs = [(str(functions.get(o, o)), str(functions.get(t, t))) for o, t in a.functional_pairs]
    contacts = list(customer.contacts.filter(active=True).order_by("name"))
    roles = []
    for role, label in DMURole.choices:
        names = [c.name for c in contacts if role in (c.dmu_roles or [])]
        if role in rules.CORE_ROLES or names:
            roles.append((str(label), names))
    q.roles = roles
    q.roles_covered = sum(1 for _r, names in roles if names)
    by_id = {c.pk: c for c in contacts}
    senior = {Seniority.EXECUTIVE: 0, Seniority.SENIOR: 1}
    for m in customer.team_members.select_related("user").filter(role=TeamRole.SPONSOR):
        ties = [t for t in acc.ties if t.person_id == m.user_id and t.contact_id in by_id]
        ties.sort(key=lambda t: (senior.get(by_id[t.contact_id].seniority, 2), -t.count, -t.total))
        if ties:
            other = by_id[ties[0].contact_id]
            counterpart = other.name + (f" ({other.title})" if other.title else "")
        else:
            counterpart = "—"
        q.sponsors.append((str(m.user), counterpart))
    missing = [label for label, names in roles if not names]
    if missing:
        q.asks.append(
            _("Introductions to the %(roles)s roles of the buying centre")
            % {"roles": ", ".join(missing).lower()}
        )
    if a.form != rules.TYPE_B:
        q.asks.append(_("A second functional pair beside purchasing (diamond form)"))


def gather(report: PlanReport, edition: str, today: datetime.date | None = None) -> Qbr:
    today = today or timezone.localdate()
    customer = report.customer
    q = Qbr(
        report=report,
        edition=edition,
        identity=identity_for(customer),
        today=today,
        quarter=Quarter.of(today),
    )
    customer_edition = q.customer_edition
    q.objectives = _objective_rows(report, today, customer_edition)
    plan = report.plan
    start = datetime.datetime.combine(q.quarter.start, datetime.time.min)
    done = plan.actions.filter(
        status="done", completed_at__gte=timezone.make_aware(start)
    ).values_list("shared_with_customer", flat=True)
    q.actions_done = sum(1 for s in done if s or not customer_edition)
    q.joint_done = sum(1 for s in done if s)
    q.joint_open = plan.actions.filter(
        status__in=("open", "in_progress"), shared_with_customer=True
    ).count()
    agenda = plan.actions.filter(status__in=("open", "in_progress")).select_related("owner")
    if customer_edition:
        agenda = agenda.filter(shared_with_customer=True)
    horizon = q.next_quarter.end
    q.agenda = [a for a in agenda.order_by("due", "id") if a.due is None or a.due <= horizon][:8]
    try:
        _relationship(q, customer)
    except Exception:  # the deck is still made without it
        log.exception("Relationship for the QBR failed")
    try:
        _people(q, customer)
    except Exception:
        log.exception("People for the QBR failed")
    from django.utils import formats

    for a in q.agenda:
        if a.shared_with_customer and a.due is not None and a.is_overdue(today):
            q.asks.append(
                _("To close together: %(action)s (due %(date)s)")
                % {"action": a.title, "date": formats.date_format(a.due, "SHORT_DATE_FORMAT")}
            )
    for r in q.flagged_gaps:
        q.asks.append(
            _("A conversation on %(construct)s: we see it at %(ours)s, you at %(theirs)s")
            % {
                "construct": str(r["label"]).lower(),
                "ours": _score(r["ours"]),
                "theirs": _score(r["theirs"]),
            }
        )
    return q


def _score(value) -> str:
    from django.utils.formats import number_format

    return "—" if value is None else number_format(round(float(value), 1), 1)
