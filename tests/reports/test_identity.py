"""The exports' identity: the company's logo, colours and font set once in Settings (checked
images: PNG or JPEG read from the file itself, a size cap), the customer's logo per account,
and both shown by the QBR deck and the PDF one-pager."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from kamp.core.models import AuditEvent
from kamp.reports import deck, pdf, plan_data
from kamp.reports.models import CompanyIdentity, CustomerLogo

pytestmark = pytest.mark.django_db


def image(kind: str = "PNG", size=(240, 80), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, kind)
    return out.getvalue()


def upload(data: bytes, name: str = "logo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def pictures(slide) -> list:
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def test_the_director_sets_logo_colours_and_font_and_the_deck_wears_them(
    client_for, director, ana, plan
):
    r = client_for(director).post(
        reverse("reports:identity"),
        {
            "logo": upload(image()),
            "primary_color": "#7a1f2b",
            "accent_color": "#F2A900",
            "font": "Georgia",
            "version": 0,  # the identity was never saved
            "confidentiality": "SAF — confidential",
        },
    )
    assert r.status_code == 302
    ident = CompanyIdentity.objects.get()
    assert ident.primary_color == "#7A1F2B" and ident.logo_type == "image/png"
    assert AuditEvent.objects.filter(object_type="reports.companyidentity").exists()

    prs = Presentation(io.BytesIO(deck.plan_deck(plan_data.gather(ana, plan))))
    title = prs.slides[0]
    assert len(pictures(title)) == 1  # ours; the customer has none: its name instead
    assert "Constructora CS" in [s.text_frame.text for s in title.shapes if s.has_text_frame]
    runs = [
        p.font
        for s in title.shapes
        if s.has_text_frame
        for p in s.text_frame.paragraphs
        if p.text == "Quarterly business review"
    ]
    assert runs[0].name == "Georgia" and str(runs[0].color.rgb) == "7A1F2B"
    texts = [s.text_frame.text for sl in prs.slides for s in sl.shapes if s.has_text_frame]
    assert "SAF — confidential" in texts
    html = pdf.plan_html(plan_data.gather(ana, plan))
    assert "data:image/png;base64," in html and "#7A1F2B" in html


@pytest.mark.parametrize(
    "data, name, error",
    [
        (b"GIF89a" + b"\0" * 100, "logo.png", "not a PNG or JPEG"),
        (image("GIF"), "logo.gif", "not a PNG or JPEG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg", "not a PNG or JPEG"),
        (image(size=(5000, 100)), "wide.png", "pixels a side"),
        (b"\x89PNG" + b"\0" * (1024 * 1024 + 1), "big.png", "up to 1"),
    ],
)
def test_a_logo_must_be_a_small_png_or_jpeg(client_for, director, data, name, error):
    r = client_for(director).post(
        reverse("reports:identity"),
        {
            "logo": upload(data, name),
            "primary_color": "#112233",
            "accent_color": "#445566",
            "font": "Arial",
            "version": 0,  # the identity was never saved
        },
    )
    assert r.status_code == 200 and error in r.content.decode()
    assert not CompanyIdentity.objects.exists()


def test_a_jpeg_logo_is_accepted_and_a_colour_must_be_hex(client_for, director):
    c = client_for(director)
    r = c.post(
        reverse("reports:identity"),
        {
            "logo": upload(image("JPEG"), "l.jpg", "image/jpeg"),
            "primary_color": "blue",
            "accent_color": "#445566",
            "font": "Arial",
            "version": 0,  # the identity was never saved
        },
    )
    assert r.status_code == 200 and "#RRGGBB" in r.content.decode()
    r = c.post(
        reverse("reports:identity"),
        {
            "logo": upload(image("JPEG"), "l.jpg", "image/jpeg"),
            "primary_color": "#112233",
            "accent_color": "#445566",
            "font": "Arial",
            "version": 0,  # the identity was never saved
        },
    )
    assert r.status_code == 302
    assert CompanyIdentity.objects.get().logo_type == "image/jpeg"


def test_without_settings_the_exports_use_the_neutral_default(ana, plan):
    prs = Presentation(io.BytesIO(deck.plan_deck(plan_data.gather(ana, plan))))
    assert pictures(prs.slides[0]) == []
    texts = [s.text_frame.text for s in prs.slides[0].shapes if s.has_text_frame]
    assert "kamp" in texts  # the company's name as its wordmark
    assert "Confidential — internal use only" in texts


def test_the_kam_sets_the_customers_logo_and_both_logos_open_the_deck(client_for, ana, plan):
    url = reverse("reports:customer_logo", args=[plan.customer_id])
    assert client_for(ana).get(url).status_code == 200
    r = client_for(ana).post(url, {"logo": upload(image(color=(0, 90, 160)))})
    assert r.status_code == 302 and CustomerLogo.objects.filter(customer=plan.customer).exists()
    for edition in ("internal", "customer"):
        report = plan_data.gather(ana, plan, edition=edition)
        prs = Presentation(io.BytesIO(deck.plan_deck(report)))
        assert len(pictures(prs.slides[0])) == 1  # the customer's (ours is not set)
        assert "data:image/png;base64," in pdf.plan_html(report)
    client_for(ana).post(url, {"remove": "on"})
    assert not CustomerLogo.objects.exists()
    summaries = list(
        AuditEvent.objects.filter(customer_id=plan.customer_id).values_list("summary", flat=True)
    )
    assert "Customer logo set" in summaries and "Customer logo removed" in summaries


def test_a_viewer_may_not_set_the_customers_logo(client_for, viewer, plan):
    url = reverse("reports:customer_logo", args=[plan.customer_id])
    r = client_for(viewer).post(url, {"logo": upload(image())})
    assert r.status_code == 403 and not CustomerLogo.objects.exists()


def test_the_export_menu_names_both_editions(client_for, ana, plan):
    r = client_for(ana).get(reverse("plans:customer_tab", args=[plan.customer_id]))
    html = r.content.decode()
    assert "?edition=internal" in html and "?edition=customer" in html
    assert "Customer edition" in html


def test_second_identity_save_is_told_and_then_chooses(client_for, director, admin):
    """Two managers on the identity for exports at once: the second is shown both versions and
    chooses; nothing is silently overwritten — the very first save included."""
    url = reverse("reports:identity")
    base = {"primary_color": "#112233", "accent_color": "#445566", "font": "Arial"}
    for person in (director, admin):
        assert 'name="version" value="0"' in client_for(person).get(url).content.decode()
    first = client_for(director).post(url, {**base, "confidentiality": "SAF only", "version": 0})
    assert first.status_code == 302
    r = client_for(admin).post(url, {**base, "font": "Georgia", "version": 0})
    text = r.content.decode()
    assert r.status_code == 409
    assert "Someone else changed this since you opened it" in text
    assert re.search(r'class="theirs">SAF only<', text) and re.search(r'class="yours">—<', text)
    assert re.search(r'class="theirs">Arial<', text) and re.search(r'class="yours">Georgia<', text)
    saved = CompanyIdentity.load()
    assert (saved.font, saved.confidentiality) == ("Arial", "SAF only")
    assert CompanyIdentity.objects.count() == 1

    assert re.search(rf'name="version" value="{saved.version}"', text)
    again = {**base, "font": "Georgia", "version": saved.version}
    assert client_for(admin).post(url, again).status_code == 302
    saved = CompanyIdentity.load()
    assert (saved.font, saved.confidentiality) == ("Georgia", "")


def test_an_identity_form_without_its_version_is_refused(client_for, director):
    url = reverse("reports:identity")
    r = client_for(director).post(
        url, {"primary_color": "#112233", "accent_color": "#445566", "font": "Georgia"}
    )
    assert "This form is out of date" in r.content.decode()
    assert not CompanyIdentity.objects.exists()
