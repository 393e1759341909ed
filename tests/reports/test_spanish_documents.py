"""What kamp sends out of the screen — the plan's PDF one-pager, the Excel exports, the e-mails —
speaks the reader's language: in Spanish no line is an English text of kamp's catalogues that
has a Spanish translation (the same rule as tests/browser/test_every_screen.py's pages).

The PDF is read as WeasyPrint laid it out (its line boxes), the workbooks with openpyxl (every
sheet's name and every text cell), the e-mails from Django's outbox (subject and body)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from kamp.core.demo import load
from kamp.plans.models import AccountPlan
from kamp.reports import pdf, plan_data
from tests.browser.test_every_screen import spanish_sources

pytestmark = pytest.mark.django_db


def english_left(lines, sources: set[str]) -> list[str]:
    """The lines equal to an English source text, and the longer English sentences (four words
    or more) found inside a line."""
    long_ones = [s for s in sources if len(s.split()) >= 4 and not re.search(r"[%{}]", s)]
    found = []
    for line in {str(x).strip() for x in lines if x is not None and str(x).strip()}:
        if line in sources or any(s in line for s in long_ones):
            found.append(line)
    return sorted(found)


def _line_texts(box):
    """Each laid-out line's text (a line box's text boxes joined)."""
    if type(box).__name__ == "LineBox":
        yield "".join(_texts(box))
        return
    for child in getattr(box, "children", []):
        yield from _line_texts(child)


def _texts(box):
    text = getattr(box, "text", None)
    if text:
        yield text
    for child in getattr(box, "children", []):
        yield from _texts(child)


@pytest.fixture
def demo():
    ctx = load(log=lambda *_: None, today=timezone.localdate())
    assert ctx is not None
    return ctx


def _spanish(user):
    user.language = "es"
    user.save(update_fields=["language"])
    return user


def test_the_plan_pdf_in_spanish(demo):
    ana = _spanish(demo.users["ana"])
    plan = AccountPlan.objects.filter(customer=demo.customers["cs"]).first()
    with translation.override("es"):
        report = plan_data.gather(ana, plan)
        lines = [t for page in pdf.plan_document(report).pages for t in _line_texts(page._page_box)]
    assert len(lines) > 30  # the one-pager was read
    assert english_left(lines, spanish_sources()) == []
    # The same one-pager in English is caught: the check reads what it should.
    with translation.override("en"):
        report = plan_data.gather(ana, plan)
        lines = [t for page in pdf.plan_document(report).pages for t in _line_texts(page._page_box)]
    assert len(english_left(lines, spanish_sources())) > 5


def test_the_excel_exports_in_spanish(demo, client_for):
    director = _spanish(demo.users["director"])
    client = client_for(director)
    client.cookies["django_language"] = "es"
    cs = demo.customers["cs"]
    sources = spanish_sources()
    for url in (
        reverse("economics:customer_export", args=[cs.pk]),
        reverse("economics:portfolio_export"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        book = load_workbook(io.BytesIO(response.content))
        texts = [ws.title for ws in book.worksheets]
        texts += [
            cell.value
            for ws in book.worksheets
            for row in ws.iter_rows()
            for cell in row
            if isinstance(cell.value, str)
        ]
        assert len(texts) > 10, url
        assert english_left(texts, sources) == [], url
    # In English the same workbook is caught: the check reads what it should.
    client.cookies["django_language"] = "en"
    director.language = "en"
    director.save(update_fields=["language"])
    response = client.get(reverse("economics:customer_export", args=[cs.pk]))
    book = load_workbook(io.BytesIO(response.content))
    cells = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert len(english_left(cells, sources)) > 3


def test_the_emails_in_the_recipients_language(
    demo, client_for, django_capture_on_commit_callbacks
):
    from kamp.programme.digest import send_digest
    from kamp.relationships.actions import do_start_round

    sources = spanish_sources()
    ana = _spanish(demo.users["ana"])
    director = demo.users["director"]
    # The weekly digest, in Ana's language whoever runs the command.
    with translation.override("en"):
        send_digest(ana, timezone.localdate(), skip_empty=False)
    # A survey round: our team's invitation and a customer contact's, in Spanish.
    contact = demo.customers["cs"].contacts.exclude(email="").first()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        do_start_round(
            director,
            demo.customers["cs"],
            closes_on=timezone.localdate() + timedelta(days=14),
            team_users=[ana],
            contacts=[(contact, "es")],
        )
    # A password reset asked from an English page reaches Ana in her language.
    client = client_for(None)
    client.cookies["django_language"] = "en"
    client.post(reverse("password_reset"), {"email": ana.email})
    sent = {m.to[0]: m for m in mail.outbox}
    assert ana.email in sent and contact.email in sent, list(sent)
    reset = [m for m in mail.outbox if "/password/reset/" in m.body]
    assert reset, [m.subject for m in mail.outbox]
    for message in mail.outbox:
        lines = [message.subject, *message.body.splitlines()]
        for alternative, _kind in getattr(message, "alternatives", []):
            lines += re.sub(r"<[^>]+>", "\n", alternative).splitlines()
        assert english_left(lines, sources) == [], message.subject
    assert "contraseña" in (reset[0].subject + reset[0].body).lower()
