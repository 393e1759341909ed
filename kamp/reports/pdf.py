"""The account plan as a one-page PDF (WeasyPrint): an HTML template with print CSS, the
system's fonts, and no network fetches."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from .plan_data import PlanReport

STATIC_DIR = Path(settings.BASE_DIR) / "static"


def _local_only(url: str, *args, **kwargs):
    """WeasyPrint's URL fetcher, restricted to files shipped with kamp: a PDF never reaches out
    to the network (a plan's text could hold an address)."""
    from weasyprint.urls import default_url_fetcher

    if not url.startswith("file://"):
        raise ValueError(f"kamp's PDF does not fetch {url!r}")
    return default_url_fetcher(url, *args, **kwargs)


def plan_pdf(report: PlanReport, request=None) -> bytes:
    from weasyprint import HTML

    currency = (
        report.customer.currency or (report.economics.currency if report.economics else "") or ""
    )
    html = render_to_string(
        "reports/plan_onepager.html", {"r": report, "currency": currency}, request=None
    )
    return HTML(string=html, base_url=str(STATIC_DIR), url_fetcher=_local_only).write_pdf()
