from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest as AnonymousHttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kamp.core.http import AuthenticatedHttpRequest as HttpRequest
from kamp.core.models import SiteSettings
from kamp.customers.access import can_edit_customer, customers_visible_to, get_customer_for_user
from kamp.customers.models import CustomerStatus
from kamp.customers.views import customer_context

from . import access, actions, quality, results, typology
from .forms import (
    AddPeopleForm,
    AnswerForm,
    AssessmentForm,
    ExtendForm,
    FoundationsForm,
    RoundForm,
    StageForm,
)
from .models import FOUNDATION_ITEMS, Construct, RelationshipType, Side, Stage, SurveyTemplate

TAB = "relationship"


# --- explaining the numbers -----------------------------------------------------------------


def _num(value, digits=1) -> str:
    from django.utils.formats import number_format

    return number_format(round(float(value), digits), digits)


def explain_reason(code: str, p: dict) -> str:
    """One sentence for each reason code of the stage rule (stages.py)."""
    if code == "no_sales":
        return _("No sales in the last 12 months.")
    if code == "no_sales_data":
        return _("No sales recorded for this customer yet (import sales to refine the stage).")
    if code == "irregular_orders":
        return (
            _(
                "Orders are irregular: %(months)s of the last 12 months had orders (regular from %(needed)s)."
            )
            % p
        )
    if code == "pairs_unknown":
        return (
            _(
                "The number of functional contact pairs is not known (log interactions or give it in the assessment); %(needed)s are needed beyond cooperative."
            )
            % p
        )
    if code == "few_pairs":
        return _("Only %(pairs)s functional contact pairs (fewer than %(needed)s).") % p
    if code == "integrated":
        return (
            _(
                "%(pairs)s functional contact pairs, systems linked and switching costs high on both sides."
            )
            % p
        )
    if code == "interdependent":
        missing = []
        if not p.get("systems_linked"):
            missing.append(_("systems are not linked"))
        if not p.get("switching_high"):
            missing.append(_("switching costs are not high on both sides"))
        return _("%(pairs)s functional contact pairs; not integrated because %(why)s.") % {
            "pairs": p.get("pairs"),
            "why": _(" and ").join(str(m) for m in missing) or "—",
        }
    if code == "rqi_drop":
        return _("The relationship quality index fell from %(before)s to %(now)s in a year.") % {
            "before": _num(p["before"]),
            "now": _num(p["now"]),
        }
    if code == "wallet_drop":
        return _("Share of wallet fell from %(before)s %% to %(now)s %% in a year.") % {
            "before": _num(100 * p["before"], 0),
            "now": _num(100 * p["now"], 0),
        }
    return code


def explain_type(a) -> str:
    rp = float(a.relative_power)
    mean = (float(a.ds) + float(a.db)) / 2
    orient = (
        _("relational (RO %(ro)s ≥ 4.5)")
        if float(a.ro) >= typology.RO_HIGH
        else _("transactional (RO %(ro)s < 4.5)")
    ) % {"ro": _num(a.ro)}
    if rp < -typology.BALANCE:
        power = _("the customer holds the power (RP = D_b − D_s = %(rp)s)") % {"rp": _num(rp)}
    elif rp > typology.BALANCE:
        power = _("we hold the power (RP = D_b − D_s = %(rp)s)") % {"rp": _num(rp)}
    elif mean >= typology.MUTUAL:
        power = _("power is balanced and dependence mutual (mean %(mean)s ≥ 4)") % {
            "mean": _num(mean)
        }
    else:
        power = _("power is balanced but dependence low (mean %(mean)s < 4)") % {"mean": _num(mean)}
    return _("Orientation is %(orient)s and %(power)s.") % {"orient": orient, "power": power}


def _type_names(language: str) -> dict:
    other = "en" if language.startswith("es") else "es"
    lang = "es" if language.startswith("es") else "en"
    return {k: [v[lang], v[other]] for k, v in typology.NAMES.items()}


def typology_chart_data(assessments, language: str, label: str = "") -> dict:
    return {
        "names": _type_names(language),
        "axis": {
            "x": _("Relational orientation (1 transactional – 7 relational)"),
            "y": _("Relative power D_b − D_s (above 0: we hold more)"),
        },
        "note": _(
            "Middle band: mutual when the mean dependence is 4 or more, otherwise independent (hollow markers)."
        ),
        "series": [
            {
                "name": label,
                "points": [
                    {
                        "date": a.date.isoformat(),
                        "ro": float(a.ro),
                        "rp": float(a.relative_power),
                        "ds": float(a.ds),
                        "db": float(a.db),
                        "type": a.type,
                        "type_label": a.get_type_display(),
                        "independent": a.type == typology.INDEPENDENT,
                    }
                    for a in assessments
                ],
            }
        ],
    }


# --- the customer's relationship tab ---------------------------------------------------------


def _foundation_hints(customer) -> dict:
    """Data beside the checklist: DMU coverage, team size, sponsor."""
    from kamp.customers.models import DMURole
    from kamp.team.models import TeamRole

    roles_needed = [
        DMURole.USER,
        DMURole.INFLUENCER,
        DMURole.BUYER,
        DMURole.DECIDER,
        DMURole.GATEKEEPER,
    ]
    present: set[str] = set()
    for roles in customer.contacts.filter(active=True).values_list("dmu_roles", flat=True):
        present.update(roles or [])
    covered = sum(1 for r in roles_needed if r in present)
    team = list(customer.team_members.values_list("role", flat=True))
    return {
        "dmu_mapped": _("DMU map: %(n)s of %(total)s core roles have a contact.")
        % {"n": covered, "total": len(roles_needed)},
        "team_staffed": _("Team: %(n)s people besides the KAM.") % {"n": len(team)},
        "sponsor": (
            _("A sponsor is on the account team.")
            if TeamRole.SPONSOR in team
            else _("No sponsor on the account team yet.")
        ),
    }


def customer_tab(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    assessments = list(customer.relationship_assessments.order_by("date", "id"))
    latest = assessments[-1] if assessments else None
    trend = results.customer_trend(customer)
    rounds = list(
        customer.survey_rounds.order_by("-opened_on", "-id").prefetch_related("respondents")
    )
    foundations = customer.relationship_foundations.order_by("-date", "-id").first()
    suggestion = results.suggest_stage(customer)
    stage_history = list(
        customer.relationship_stages.select_related("created_by").order_by("-date", "-id")[:20]
    )
    current_stage = stage_history[0] if stage_history else None
    language = translation.get_language() or "en"
    my_pending = [
        r
        for r in rounds
        if r.is_open
        and any(
            x.side == Side.TEAM and x.user_id == request.user.pk and x.responded_at is None
            for x in r.respondents.all()
        )
    ]
    labels = dict(Construct.choices)
    trend_chart = {
        "dates": [t["date"].isoformat() for t in trend],
        "team": [t["team"].get("rqi") for t in trend],
        "customer": [t["customer"].get("rqi") for t in trend],
        "names": {"team": _("Our team"), "customer": _("Customer"), "y": _("RQI (1–7)")},
    }
    trend_rows = [
        {
            "round": t["round"],
            "team_n": t["team_n"],
            "customer_n": t["customer_n"],
            "cells": [
                (t["team"].get(k), t["customer"].get(k))
                for k in [*quality.QUALITY_CONSTRUCTS, "rqi"]
            ],
        }
        for t in trend
    ]
    found_rows = []
    if foundations:
        for group_key, group_label in _foundation_groups():
            keys = [k for g, k, _l in FOUNDATION_ITEMS if g == group_key]
            done = sum(1 for k in keys if foundations.checks.get(k))
            found_rows.append({"label": group_label, "done": done, "total": len(keys)})
    context = customer_context(
        request,
        customer,
        TAB,
        latest=latest,
        type_explained=explain_type(latest) if latest else "",
        assessments=list(reversed(assessments))[:10],
        typology=typology_chart_data(assessments, language, customer.name) if assessments else None,
        rounds=rounds,
        my_pending=my_pending,
        latest_round=next((t for t in reversed(trend) if t["team_n"] or t["customer_n"]), None),
        trend_chart=trend_chart
        if any(v is not None for v in [*trend_chart["team"], *trend_chart["customer"]])
        else None,
        trend_rows=trend_rows,
        trend_heads=[labels.get(k, _("RQI")) for k in [*quality.QUALITY_CONSTRUCTS, "rqi"]],
        foundations=foundations,
        found_rows=found_rows,
        suggestion=suggestion,
        suggestion_label=Stage(suggestion.stage).label,
        suggestion_reasons=[explain_reason(c, p) for c, p in suggestion.reasons],
        current_stage=current_stage,
        stage_history=stage_history,
        gap_threshold=results.gap_threshold(),
    )
    return render(request, "relationships/tab.html", context)


def _foundation_groups():
    from .models import FOUNDATION_GROUPS

    return FOUNDATION_GROUPS


def _hints(customer) -> dict:
    """Data-backed suggestions for the dependence items, where sales data exist."""
    today = timezone.localdate()
    hints = {}
    share = results.sales_share(customer, today)
    if share is not None:
        hints["ds_sales_share"] = _(
            "Data: %(pct)s %% of our net sales in the last 12 months → suggests %(score)s."
        ) % {"pct": _num(100 * share, 1), "score": typology.share_hint(share)}
    wallet, _before = results.share_of_wallet(customer, today)
    if wallet is not None:
        hints["db_category_share"] = _(
            "Data: our share of its category spend is %(pct)s %% → suggests %(score)s."
        ) % {"pct": _num(100 * wallet, 0), "score": typology.wallet_hint(wallet)}
    return hints


def assess(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    latest = customer.relationship_assessments.order_by("-date", "-id").first()
    initial = {}
    if latest:
        initial = {
            n: getattr(latest, n)
            for n in ["systems_linked", "functional_pairs", *latest.DS_ITEMS, *latest.DB_ITEMS]
        }
        initial["ro"] = latest.ro if latest.ro_source != "rqi" else None
        initial = {
            k: ("" if v is None else (str(v) if k.startswith(("ds_", "db_")) else v))
            for k, v in initial.items()
        }
    form = AssessmentForm(request.POST or None, initial=initial, hints=_hints(customer))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            a = actions.do_assess(request.user, customer, **data)
        except ValidationError as exc:
            for field, errs in getattr(exc, "message_dict", {None: exc.messages}).items():
                for e in errs:
                    form.add_error(field if field in form.fields else None, e)
        else:
            messages.success(
                request, _("Assessment saved: %(type)s.") % {"type": a.get_type_display()}
            )
            return redirect("relationships:customer_tab", pk=customer.pk)
    return render(
        request, "relationships/assess.html", customer_context(request, customer, TAB, form=form)
    )


def foundations(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    latest = customer.relationship_foundations.order_by("-date", "-id").first()
    initial = dict(latest.checks) if latest else {}
    form = FoundationsForm(request.POST or None, initial=initial, hints=_foundation_hints(customer))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        note = data.pop("note", "")
        f = actions.do_save_foundations(request.user, customer, checks=data, note=note)
        messages.success(request, _("Foundations saved: %(score)s of 100.") % {"score": f.score})
        return redirect("relationships:customer_tab", pk=customer.pk)
    return render(
        request,
        "relationships/foundations.html",
        customer_context(request, customer, TAB, form=form),
    )


def stage(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    suggestion = results.suggest_stage(customer)
    form = StageForm(request.POST or None, initial={"stage": suggestion.stage})
    if request.method == "POST" and form.is_valid():
        try:
            record = actions.do_set_stage(request.user, customer, **form.cleaned_data)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                for e in errs:
                    form.add_error(field if field in form.fields else None, e)
        else:
            messages.success(
                request, _("Stage set: %(stage)s.") % {"stage": record.get_stage_display()}
            )
            return redirect("relationships:customer_tab", pk=customer.pk)
    return render(
        request,
        "relationships/stage.html",
        customer_context(
            request,
            customer,
            TAB,
            form=form,
            suggestion=suggestion,
            suggestion_label=Stage(suggestion.stage).label,
            suggestion_reasons=[explain_reason(c, p) for c, p in suggestion.reasons],
        ),
    )


# --- survey rounds --------------------------------------------------------------------------


def _team_people(customer):
    people = []
    if customer.owner and customer.owner.is_active:
        people.append(customer.owner)
    for m in customer.team_members.select_related("user").order_by("user__name"):
        if m.user.is_active and m.user not in people:
            people.append(m.user)
    return people


def round_new(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    contacts = list(customer.contacts.filter(active=True).exclude(email="").order_by("name"))
    actions.default_template()
    templates = list(SurveyTemplate.objects.filter(active=True).order_by("name"))
    form = RoundForm(
        request.POST or None,
        customer=customer,
        team_users=_team_people(customer),
        contacts=contacts,
        templates=templates,
    )
    if request.method == "POST" and form.is_valid():
        try:
            rnd = actions.do_start_round(
                request.user,
                customer,
                closes_on=form.cleaned_data["closes_on"],
                team_users=form.chosen_team(),
                contacts=form.chosen_contacts(),
                send=form.cleaned_data["send"],
                template=form.chosen_template(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Survey round opened."))
            return redirect("relationships:round", pk=rnd.pk)
    no_email = customer.contacts.filter(active=True, email="").count()
    return render(
        request,
        "relationships/round_new.html",
        customer_context(
            request,
            customer,
            TAB,
            form=form,
            no_email=no_email,
            identifying_below=quality.IDENTIFYING_BELOW,
        ),
    )


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = access.get_round_for_user(request.user, pk)
    customer = rnd.customer
    can_edit = can_edit_customer(request.user, customer)
    result = results.round_result(rnd)
    respondents = list(rnd.respondents.select_related("contact").order_by("side", "name"))
    links = {}
    if can_edit:
        base = request.build_absolute_uri("/")
        links = {r.pk: actions.survey_url(r, base) for r in respondents if r.side == Side.CUSTOMER}
    rows = [{"r": r, "link": links.get(r.pk)} for r in respondents]
    chart = {
        "labels": [row["label"] for row in result.rows],
        "team": [row["ours"] for row in result.rows],
        "customer": [row["theirs"] for row in result.rows],
        "names": {"team": _("Our team"), "customer": _("Customer"), "y": _("Score (1–7)")},
    }
    comments = [r for r in respondents if r.comment]
    mine = access.team_respondent_for_user(request.user, rnd)
    return render(
        request,
        "relationships/round.html",
        customer_context(
            request,
            customer,
            TAB,
            round=rnd,
            result=result,
            rows=rows,
            chart=chart,
            comments=comments,
            mine=mine,
            gap_threshold=results.gap_threshold(),
            pending=sum(1 for r in respondents if r.responded_at is None),
            extend_form=ExtendForm(initial={"closes_on": rnd.closes_on + timedelta(days=7)}),
            can_run=can_edit,
            identifying_below=quality.IDENTIFYING_BELOW,
        ),
    )


def round_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Our team's answer sheet, in the app, for the people asked."""
    rnd = access.get_round_for_user(request.user, pk)
    respondent = access.team_respondent_for_user(request.user, rnd)
    if respondent is None:
        raise PermissionDenied
    if respondent.responded_at:
        messages.info(request, _("You have already answered this survey."))
        return redirect("relationships:round", pk=rnd.pk)
    if not rnd.is_open:
        messages.warning(request, _("This survey round is closed."))
        return redirect("relationships:round", pk=rnd.pk)
    language = translation.get_language() or "en"
    form = AnswerForm(
        request.POST or None,
        items=rnd.template.items.all(),
        language=language,
        partner=rnd.customer.name,
    )
    if request.method == "POST":
        if form.forged(request.POST):
            form.is_valid()
            form.add_error(
                None, _("The form contained fields it does not have; nothing was saved.")
            )
        elif form.is_valid():
            try:
                actions.do_answer(
                    request.user,
                    respondent,
                    values=form.values(),
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Thank you: your answers are saved."))
                return redirect("relationships:round", pk=rnd.pk)
    return render(
        request,
        "relationships/answer.html",
        customer_context(
            request,
            rnd.customer,
            TAB,
            round=rnd,
            form=form,
            team_count=rnd.respondents.filter(side=Side.TEAM).count(),
            identifying_below=quality.IDENTIFYING_BELOW,
        ),
        status=400 if form.errors else 200,
    )


@require_POST
def round_remind(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = access.get_round_for_user(request.user, pk, write=True)
    n = actions.do_remind(request.user, rnd)
    if n:
        messages.success(request, _("Reminders sent to %(n)s people.") % {"n": n})
    else:
        messages.info(request, _("Nobody to remind: everyone answered, or the round is closed."))
    return redirect("relationships:round", pk=rnd.pk)


def round_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask more people in an open round."""
    rnd = access.get_round_for_user(request.user, pk, write=True)
    customer = rnd.customer
    asked_users = set(rnd.respondents.exclude(user=None).values_list("user_id", flat=True))
    asked_contacts = set(rnd.respondents.exclude(contact=None).values_list("contact_id", flat=True))
    team = [u for u in _team_people(customer) if u.pk not in asked_users]
    contacts = [
        c
        for c in customer.contacts.filter(active=True).exclude(email="").order_by("name")
        if c.pk not in asked_contacts
    ]
    form = AddPeopleForm(
        request.POST or None, customer=customer, team_users=team, contacts=contacts
    )
    if request.method == "POST" and form.is_valid():
        try:
            n = actions.do_add_respondents(
                request.user,
                rnd,
                team_users=form.chosen_team(),
                contacts=form.chosen_contacts(),
                send=form.cleaned_data["send"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(n)s more people asked.") % {"n": n})
            return redirect("relationships:round", pk=rnd.pk)
    return render(
        request,
        "relationships/round_add.html",
        customer_context(
            request,
            customer,
            TAB,
            form=form,
            round=rnd,
            identifying_below=quality.IDENTIFYING_BELOW,
        ),
    )


@require_POST
def round_extend(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = access.get_round_for_user(request.user, pk, write=True)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            actions.do_extend_round(request.user, rnd, form.cleaned_data["closes_on"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Answers accepted until %(date)s.")
                % {"date": date_format(rnd.closes_on, "SHORT_DATE_FORMAT")},
            )
    else:
        messages.error(request, _("Choose a valid date."))
    return redirect("relationships:round", pk=rnd.pk)


@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = access.get_round_for_user(request.user, pk, write=True)
    actions.do_close_round(request.user, rnd)
    messages.success(request, _("Survey round closed: the links no longer work."))
    return redirect("relationships:round", pk=rnd.pk)


# --- the public survey page -----------------------------------------------------------------


@login_not_required
def public_survey(request: AnonymousHttpRequest, token: str) -> HttpResponse:
    """The customer contact's private survey: this survey only, in the contact's language."""
    state, respondent = access.respondent_for_token(token)
    language = respondent.language if respondent else (translation.get_language() or "es")
    requested = request.GET.get("lang")
    if requested in ("es", "en"):
        language = requested
    company = SiteSettings.load().company_name
    with translation.override(language):
        if state != access.LinkState.OK or respondent is None:
            template = {
                access.LinkState.USED: "relationships/public_used.html",
                access.LinkState.EXPIRED: "relationships/public_expired.html",
            }.get(state, "relationships/public_unknown.html")
            status = (
                200
                if state == access.LinkState.USED
                else (410 if state == access.LinkState.EXPIRED else 404)
            )
            return render(
                request, template, {"company": company, "language": language}, status=status
            )
        rnd = respondent.round
        form = AnswerForm(
            request.POST or None, items=rnd.template.items.all(), language=language, partner=company
        )
        if request.method == "POST":
            if form.forged(request.POST):
                form.is_valid()
                form.add_error(
                    None, _("The form contained fields it does not have; nothing was saved.")
                )
            elif form.is_valid():
                try:
                    actions.do_answer(
                        None, respondent, values=form.values(), comment=form.cleaned_data["comment"]
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    return render(
                        request,
                        "relationships/public_thanks.html",
                        {"company": company, "language": language},
                    )
        invited = rnd.respondents.filter(side=Side.CUSTOMER).count()
        response = render(
            request,
            "relationships/public_survey.html",
            {
                "form": form,
                "company": company,
                "respondent": respondent,
                "round": rnd,
                "language": language,
                "identifying": quality.identifying(invited) or invited == 1,
                "invited": invited,
                "other_language": "en" if language == "es" else "es",
            },
            status=400 if form.errors else 200,
        )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- the director's portfolio ---------------------------------------------------------------


def portfolio_rows(user):
    """Every key account the user may see, with type, RQI, gap and stage: a fixed number of
    queries however many accounts there are."""
    customers = list(
        customers_visible_to(user)
        .filter(status=CustomerStatus.KEY_ACCOUNT)
        .select_related("owner")
        .order_by("name")
    )
    ids = [c.pk for c in customers]
    latest = results.latest_assessments(ids)
    rounds = results.latest_scored_rounds(ids)
    stages_ = results.latest_stages(ids)
    rows = []
    for c in customers:
        a = latest.get(c.pk)
        rs = rounds.get(c.pk, [])
        r = rs[0] if rs else None
        before = results.year_ago_round(rs)
        st = stages_.get(c.pk)
        rows.append(
            {
                "customer": c,
                "assessment": a,
                "round": r,
                "stage": st,
                "rqi": r.rqi if r else None,
                "rqi_before": before.rqi if before else None,
                "gap": r.max_gap if r else None,
                "gap_flagged": bool(r and r.gap_flagged),
            }
        )
    return rows


def portfolio(request: HttpRequest) -> HttpResponse:
    rows = portfolio_rows(request.user)
    language = translation.get_language() or "en"
    by_type: dict[str, list[dict]] = {}
    for row in rows:
        key = row["assessment"].type if row["assessment"] else ""
        by_type.setdefault(key, []).append(row)
    groups: list[tuple[str, list[dict]]] = [
        (str(RelationshipType(k).label), by_type[k]) for k in typology.TYPES if k in by_type
    ]
    if "" in by_type:
        groups.append((_("Not assessed yet"), by_type[""]))
    chart = {
        "label_names": True,
        "names": _type_names(language),
        "axis": {
            "x": _("Relational orientation (1 transactional – 7 relational)"),
            "y": _("Relative power D_b − D_s (above 0: we hold more)"),
        },
        "note": _(
            "Middle band: mutual when the mean dependence is 4 or more, otherwise independent (hollow markers)."
        ),
        "series": [
            {
                "name": row["customer"].name,
                "points": [
                    {
                        "date": row["assessment"].date.isoformat(),
                        "ro": float(row["assessment"].ro),
                        "rp": float(row["assessment"].relative_power),
                        "ds": float(row["assessment"].ds),
                        "db": float(row["assessment"].db),
                        "type": row["assessment"].type,
                        "type_label": row["assessment"].get_type_display(),
                        "independent": row["assessment"].type == typology.INDEPENDENT,
                    }
                ],
            }
            for row in rows
            if row["assessment"]
        ],
    }
    return render(
        request,
        "relationships/portfolio.html",
        {
            "rows": rows,
            "groups": groups,
            "chart": chart if chart["series"] else None,
            "gap_threshold": results.gap_threshold(),
            "assessed": sum(1 for r in rows if r["assessment"]),
        },
    )
