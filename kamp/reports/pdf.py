"""The account plan as a one-page PDF (WeasyPrint): an HTML template with print CSS, the
system's fonts, and no network fetches."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from .plan_data import PlanReport

STATIC_DIR = Path(settings.BASE_DIR) / "static"
# Only files shipped with kamp (and inline data): a plan's text could hold an address, and a
# PDF must never reach out to the network.
LOCAL_PROTOCOLS = {"file", "data"}


def url_fetcher():
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=LOCAL_PROTOCOLS, timeout=2)


def plan_html(report: PlanReport) -> str:
    currency = (
        report.customer.currency or (report.economics.currency if report.economics else "") or ""
    )
    from django.utils.translation import gettext as _

    from . import qbr_data

    q = qbr_data.gather(report, report.edition)
    if report.customer_edition:
        confidentiality = _("Prepared for %(customer)s by %(company)s") % {
            "customer": report.customer.name,
            "company": q.identity.company,
        }
    else:
        confidentiality = q.identity.confidentiality or _("Confidential — internal use only")
    return render_to_string(
        "reports/plan_onepager.html",
        {"r": report, "q": q, "currency": currency, "confidentiality": confidentiality},
    )


def plan_document(report: PlanReport):
    """The laid-out WeasyPrint document (its ``pages`` tell how long the one-pager came out)."""
    from weasyprint import HTML

    return HTML(
        string=plan_html(report), base_url=str(STATIC_DIR), url_fetcher=url_fetcher()
    ).render()


def plan_pdf(report: PlanReport) -> bytes:
    return plan_document(report).write_pdf()
