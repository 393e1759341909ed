"""The demo's main pages in Spanish show no figure in an English or machine form: no
"5.1" (a decimal point), no "104,350,979" (comma groups), no ISO date or month ("2025-12-01",
"2025-12") outside inputs and links — every figure passed through kamp.core.formatting."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from kamp.core.demo import load

pytestmark = pytest.mark.django_db

ENGLISH_OR_MACHINE = re.compile(
    r"(?<![\d.,\w/-])\d+\.\d{1,2}(?![\d.\w])"  # 5.1, 3.33
    r"|(?<![\d.,\w/-])\d{1,3}(?:,\d{3})+(?!\d)"  # 104,350,979
    r"|(?<![\d\w])\d{4}-\d{2}(?:-\d{2})?(?![\d\w])"  # 2025-12-01, 2025-12
)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_spanish_pages_show_figures_in_spanish():
    ctx = load(log=lambda *_: None, today=timezone.localdate())
    assert ctx is not None
    cs, director, ana = ctx.customers["cs"], ctx.users["director"], ctx.users["ana"]
    director.language = "es"
    director.save(update_fields=["language"])
    client = Client()
    client.force_login(director)
    client.cookies["django_language"] = "es"
    pages = [
        "/",
        "/customers/",
        f"/customers/{cs.pk}/",
        f"/customers/{cs.pk}/sales/",
        "/programme/",
        "/programme/benefits/",
        "/programme/readiness/",
        "/selection/",
        "/selection/grid/",
        f"/selection/customer/{cs.pk}/",
        "/relationships/",
        f"/relationships/customer/{cs.pk}/",
        f"/interactions/customer/{cs.pk}/",
        f"/economics/customer/{cs.pk}/",
        "/economics/portfolio/",
        "/economics/settings/",
        "/team/kams/",
        f"/team/kams/{ana.pk}/",
        f"/plans/customer/{cs.pk}/",
        "/plans/",
    ]
    found, seen = [], 0
    for path in pages:
        response = client.get(path)
        if response.status_code != 200:
            continue  # a page another area does not offer: the access tests judge that
        seen += 1
        text = visible_text(response.content.decode())
        found += [
            f"{path}: …{text[max(0, m.start() - 40) : m.end() + 15]}…"
            for m in ENGLISH_OR_MACHINE.finditer(text)
        ]
    assert seen >= 15, seen
    assert not found, "\n".join(found)
