"""What every page of the account plan shares: the tab key, the header refresh and the way back
to the plan."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from ..models import AccountPlan

TAB = "plan"


def htmx_changed(response: HttpResponse) -> HttpResponse:
    # The plan header (completeness, last updated) listens for this and refreshes itself.
    response["HX-Trigger"] = "planChanged"
    return response


def back_to_plan(plan: AccountPlan, anchor: str = "") -> HttpResponse:
    url = reverse("plans:customer_tab", args=[plan.customer_id]) + f"?period={plan.period}"
    return redirect(url + (f"#sec-{anchor}" if anchor else ""))
