"""Programme-wide investments: recorded once and shared out among the key accounts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kamp.core.http import AuthenticatedHttpRequest

from .. import actions
from ..forms import ProgrammeInvestmentForm
from ..models import Investment
from .common import require_programme


def programme_investments(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_programme(request)
    form = ProgrammeInvestmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.do_record_investment(
                request.user,
                customer=None,
                kind=d["kind"],
                amount=d["amount"],
                currency=d.get("currency", ""),
                date=d["date"],
                note=d.get("note", ""),
                allocation=d["allocation"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Investment recorded and allocated to the key accounts."))
            return redirect("economics:programme_investments")
    investments = (
        Investment.objects.filter(customer__isnull=True)
        .prefetch_related("allocations__customer")
        .order_by("-date", "-id")[:100]
    )
    return render(
        request,
        "economics/programme_investments.html",
        {"form": form, "investments": investments},
        status=422 if form.errors else 200,
    )


@require_POST
def programme_investment_action(
    request: AuthenticatedHttpRequest, investment_pk: int
) -> HttpResponse:
    require_programme(request)
    investment = get_object_or_404(Investment, pk=investment_pk, customer__isnull=True)
    if request.POST.get("do") == "delete":
        actions.do_delete_investment(request.user, investment)
        messages.success(request, _("Investment deleted."))
    else:
        try:
            actions.do_reallocate(request.user, investment)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Investment reallocated."))
    return redirect("economics:programme_investments")
