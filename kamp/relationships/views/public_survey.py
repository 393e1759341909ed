"""The public survey page: a customer contact answers through a private link, without logging in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest as AnonymousHttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from kamp.core.models import SiteSettings

from .. import access, actions, quality
from ..forms import AnswerForm
from ..models import Side


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
