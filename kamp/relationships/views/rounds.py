"""Survey rounds: open one for a customer's contacts and team, follow it, answer for our side,
remind, add people, extend, close."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kamp.core.http import AuthenticatedHttpRequest as HttpRequest
from kamp.customers.access import can_edit_customer, get_customer_for_user
from kamp.customers.page import customer_context

from .. import access, actions, quality, results
from ..forms import AddPeopleForm, AnswerForm, ExtendForm, RoundForm
from ..models import Side, SurveyTemplate
from .customer_tab import TAB


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
