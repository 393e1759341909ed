"""No dead ends: on the demo, a member and a viewer open their home, the customer pages it leads
to and every tab of them; every same-origin link on those pages is followed with their session,
and none may answer 403 or 404 (a link is shown only if the reader's role may follow it)."""

from __future__ import annotations

from urllib.parse import urldefrag, urlsplit

from django.utils import timezone

from kamp.core.demo import load

# Files, not pages: following them proves nothing about dead ends and costs the most.
DOWNLOADS = (".pdf", ".xlsx", ".pptx", ".csv", ".ics", "/export", "download", "format=")


def _links(page, origin: str) -> set[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    found = set()
    for href in hrefs:
        url, _fragment = urldefrag(href)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        if "logout" in parts.path or any(d in url.lower() for d in DOWNLOADS):
            continue
        found.add(url)
    return found


def _walk(page, origin: str, customer_ids: list[int]) -> dict[str, set[str]]:
    """The pages to read (home, each customer and its tabs) → the links found on each."""
    pages = [f"{origin}/"]
    for pk in customer_ids:
        page.goto(f"{origin}/customers/{pk}/")
        tabs = page.eval_on_selector_all("nav.tabs a[href]", "els => els.map(e => e.href)")
        assert tabs, "the customer page shows its tabs"
        pages.extend(tabs)
    links: dict[str, set[str]] = {}
    for url in dict.fromkeys(pages):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        for link in _links(page, origin):
            links.setdefault(link, set()).add(url)
    return links


def _dead(page, links: dict[str, set[str]]) -> list[str]:
    dead = []
    for link, found_on in sorted(links.items()):
        status = page.request.get(link, max_redirects=0).status
        if status in (403, 404):
            dead.append(f"{status} {link} (on {', '.join(sorted(found_on))})")
    return dead


def test_member_and_viewer_meet_no_dead_link(page, live_server, login):
    ctx = load(log=lambda *_: None, today=timezone.localdate())
    origin = live_server.url
    cs = ctx.customers["cs"]
    # Felipe (finance) is on CS's and Energía's teams; the viewer reads the key accounts,
    # among them a subsidiary of a group (its parent is not a key account).
    cases = [
        ("felipe", [cs.pk, ctx.customers["energia"].pk]),
        ("viewer", [cs.pk, ctx.customers["andes_retail"].pk, ctx.customers["clinica"].pk]),
    ]
    for person, customer_ids in cases:
        page.context.clear_cookies()
        login(ctx.users[person])
        links = _walk(page, origin, customer_ids)
        assert len(links) > 10, f"{person}: the walk found the pages' links"
        dead = _dead(page, links)
        assert not dead, f"{person} meets dead links:\n" + "\n".join(dead)
