import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pptx import Presentation

from kamp.reports import pdf, plan_data


def deck_text(content: bytes) -> list[str]:
    prs = Presentation(io.BytesIO(content))
    slides = []
    for slide in prs.slides:
        parts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                for row in shape.table.rows:
                    parts.extend(cell.text for cell in row.cells)
        slides.append("\n".join(parts))
    return slides


def pdf_pages(user, plan) -> int:
    from kamp.reports import pdf

    return len(pdf.plan_document(plan_data.gather(user, plan)).pages)


@pytest.mark.parametrize(
    "person, status",
    [
        ("admin", 200),
        ("director", 200),
        ("ana", 200),
        ("bruno", 200),
        ("member", 200),
        ("viewer", 200),
    ],
)
def test_who_downloads_the_pdf(request, client_for, plan, person, status):
    user = request.getfixturevalue(person)
    r = client_for(user).get(reverse("reports:plan_pdf", args=[plan.pk]))
    assert r.status_code == status
    assert r["Content-Type"] == "application/pdf"
    assert 'filename="constructora-cs-plan-2026.pdf"' in r["Content-Disposition"]
    assert r.content.startswith(b"%PDF")
    assert len(r.content) > 5000
    assert pdf_pages(user, plan) == 1


def test_outsider_and_anonymous_get_nothing(client_for, anonymous, plan, other_account):
    from kamp.core.choices import Role
    from tests.factories import UserFactory

    outsider = UserFactory(role=Role.MEMBER)
    for name in ("reports:plan_pdf", "reports:plan_pptx"):
        assert client_for(outsider).get(reverse(name, args=[plan.pk])).status_code == 404
        r = anonymous.get(reverse(name, args=[plan.pk]))
        assert r.status_code == 302 and "/login/" in r["Location"]


def slide(slides: list[str], title: str) -> str:
    """The text of the slide whose first line (its title) is ``title``."""
    found = [t for t in slides if title in [x for x in t.split("\n") if x.strip()][:4]]
    assert found, f"no slide titled {title!r}"
    return found[0]


QBR_TITLES = [
    "Quarterly business review",
    "Agenda",
    "The quarter in numbers",
    "Account P&L",
    "Objectives and progress",
    "The relationship",
    "The people",
    "Co-creation initiatives",
    "Risks and asks",
    "Next quarter: agenda and owners",
    "Thank you",
]


def test_the_deck_has_the_qbr_slides(client_for, ana, plan):
    r = client_for(ana).get(reverse("reports:plan_pptx", args=[plan.pk]))
    assert r.status_code == 200
    assert 'filename="constructora-cs-qbr-2026.pptx"' in r["Content-Disposition"]
    slides = deck_text(r.content)
    positions = [slides.index(slide(slides, t)) for t in QBR_TITLES]
    assert positions == sorted(positions), "the slides in the QBR's order"
    assert "Constructora CS" in slides[0]
    numbers = slide(slides, "The quarter in numbers")
    assert "Net revenue · last 12 complete months" in numbers
    assert "Profit after KAM · last 12 complete months" in numbers
    objectives = slide(slides, "Objectives and progress")
    assert "Share of advisory spend" in objectives and "Present the concession model" in objectives
    assert "ESG reporting pilot" in slide(slides, "Co-creation initiatives")
    assert "CFO may leave" in slide(slides, "Risks and asks")
    # Every slide after the title has its number and the confidentiality line.
    assert f"3 / {len(slides)}" in slides[2] and "Confidential" in slides[2]


def test_the_deck_for_a_team_member_has_no_money(client_for, member, plan):
    r = client_for(member).get(reverse("reports:plan_pptx", args=[plan.pk]))
    slides = deck_text(r.content)
    text = "\n".join(slides)
    assert "Account P&L" not in text and "Net revenue" not in text and "900" not in text
    prs = Presentation(io.BytesIO(r.content))
    series = [
        s.name
        for sl in prs.slides
        for shape in sl.shapes
        if shape.has_chart
        for s in shape.chart.plots[0].series
    ]
    assert "Net revenue" not in series and "Profit after KAM" not in series


def test_the_customer_edition_is_named_and_holds_only_what_is_shared(client_for, ana, plan):
    r = client_for(ana).get(reverse("reports:plan_pptx", args=[plan.pk]) + "?edition=customer")
    assert 'filename="constructora-cs-qbr-2026-customer.pptx"' in r["Content-Disposition"]
    text = "\n".join(deck_text(r.content))
    assert "Present the concession model" in text  # shared with the customer
    assert "Internal pricing review" not in text  # not shared
    assert "CFO may leave" not in text and "Revenue from CS" not in text
    assert "Net revenue" not in text and "Profit after KAM" not in text
    assert "Prepared for Constructora CS" in text
    html = client_for(ana).get(reverse("reports:plan_pdf", args=[plan.pk]) + "?edition=customer")
    assert 'filename="constructora-cs-plan-2026-customer.pdf"' in html["Content-Disposition"]
    body = pdf.plan_html(plan_data.gather(ana, plan, edition="customer"))
    assert "Present the concession model" in body and "CFO may leave" not in body
    assert "Internal pricing review" not in body and "987" not in body


def test_an_unknown_edition_is_not_found(client_for, ana, plan):
    for name in ("reports:plan_pptx", "reports:plan_pdf"):
        url = reverse(name, args=[plan.pk]) + "?edition=secret"
        assert client_for(ana).get(url).status_code == 404


def test_pdf_for_a_team_member_has_no_money(member, ana, plan):
    from kamp.reports import pdf

    html = pdf.plan_html(plan_data.gather(member, plan))
    assert "987" not in html and "Revenue from CS" in html and "Net revenue" not in html
    assert "900" not in html.split("Revenue from CS")[1].split("</tr>")[0]
    html = pdf.plan_html(plan_data.gather(ana, plan))
    assert "987" in html and "Net revenue" in html


def test_the_pnl_slide_has_a_native_chart_with_economics(client_for, ana, plan, monkeypatch):
    fake = plan_data.Economics(
        available=True,
        currency="CLP",
        period="2026",
        previous_period="2025",
        current={k: Decimal(100 * (i + 1)) for i, k in enumerate(plan_data.PNL_LINES)},
        previous={k: Decimal(50 * (i + 1)) for i, k in enumerate(plan_data.PNL_LINES)},
        share_of_wallet=Decimal("0.27"),
    )
    monkeypatch.setattr(plan_data, "economics_for", lambda p: fake)
    r = client_for(ana).get(reverse("reports:plan_pptx", args=[plan.pk]))
    prs = Presentation(io.BytesIO(r.content))
    slides = deck_text(r.content)
    index = slides.index(slide(slides, "Account P&L"))
    charts = [s.chart for s in prs.slides[index].shapes if s.has_chart]
    assert len(charts) == 1
    chart = charts[0]
    series = list(chart.plots[0].series)
    assert [s.name for s in series] == ["2025", "2026"]
    # Lines top to bottom: profit after KAM, the last line, is the bar chart's first category.
    assert list(chart.plots[0].categories)[0] == "Profit after KAM"
    assert list(series[1].values)[0] == 700.0
    assert chart.value_axis.axis_title.text_frame.text == "CLP"
    assert "Profit after KAM" in slides[index]


def test_without_the_economics_area_the_pnl_slide_explains(client_for, ana, plan, monkeypatch):
    monkeypatch.setattr(
        plan_data, "economics_for", lambda p: plan_data.Economics(available=False, note="missing")
    )
    r = client_for(ana).get(reverse("reports:plan_pptx", args=[plan.pk]))
    slides = deck_text(r.content)
    assert "not available" in slide(slides, "Account P&L")


def test_economics_for_uses_the_economics_services(plan):
    result = plan_data.economics_for(plan)
    assert result.available, result.note
    assert result.current["net_revenue"] == 0
    assert result.currency


def test_exports_speak_spanish(client_for, ana, plan):
    c = client_for(ana)
    c.cookies["django_language"] = "es"
    r = c.get(reverse("reports:plan_pptx", args=[plan.pk]))
    slides = deck_text(r.content)
    assert "Revisión trimestral de negocios" in slides[0]
    numbers = slide(slides, "El trimestre en cifras")
    assert "Venta neta · últimos 12 meses completos" in numbers, numbers


def test_export_is_audited(client_for, ana, plan):
    from kamp.core.models import AuditEvent

    client_for(ana).get(reverse("reports:plan_pdf", args=[plan.pk]))
    assert AuditEvent.objects.filter(
        customer_id=plan.customer_id, summary__contains="constructora-cs-plan-2026.pdf"
    ).exists()


def test_empty_plan_exports(client_for, ana, account):
    from tests.plans.factories import PlanFactory

    p = PlanFactory(customer=account, period="2027", business_and_goals="", strategy="")
    c = client_for(ana)
    assert c.get(reverse("reports:plan_pdf", args=[p.pk])).content.startswith(b"%PDF")
    slides = deck_text(c.get(reverse("reports:plan_pptx", args=[p.pk])).content)
    assert "No objectives yet." in slide(slides, "Objectives and progress")
    assert "No co-creation initiatives yet" in slide(slides, "Co-creation initiatives")


def test_pdf_never_fetches_from_the_network():
    from kamp.reports import pdf

    with pytest.raises(ValueError):
        pdf.url_fetcher().fetch("http://example.com/x.png")
