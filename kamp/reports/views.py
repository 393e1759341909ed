"""Downloads of the account plan: the PDF one-pager and the PowerPoint QBR deck. Whoever may
read the account may download them; money appears only for those who may see economics."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from kamp.core import audit
from kamp.plans.access import get_plan_for_user

from . import deck, pdf, plan_data

PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def _filename(plan, kind: str, ext: str) -> str:
    # The customer's name, readable and safe in every file system.
    return f"{slugify(plan.customer.name) or 'account'}-{kind}-{plan.period}.{ext}"


def _download(request, plan, body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    audit.record(
        request.user, "other", plan, customer_id=plan.customer_id, summary=f"Exported {filename}"
    )
    return response


def plan_pdf(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_pk)
    report = plan_data.gather(request.user, plan)
    return _download(
        request, plan, pdf.plan_pdf(report), "application/pdf", _filename(plan, "plan", "pdf")
    )


def plan_pptx(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_pk)
    report = plan_data.gather(request.user, plan)
    return _download(
        request, plan, deck.plan_deck(report), PPTX_TYPE, _filename(plan, "qbr", "pptx")
    )
