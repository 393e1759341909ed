"""Every main page, for every role, in Spanish and English, on a phone and on a laptop.

For each page a role may open it fails on:
- a page wider than the screen (``document.documentElement.scrollWidth > innerWidth``) at
  390 × 844 (a phone) and at 1366 × 768 (a laptop): wide tables scroll inside their own box;
- a link on the page that answers 403 or 404 to that role (each kind of link checked once per
  role: ids replaced by a placeholder), or 500;
- on a Spanish page, a visible line equal to an English text of kamp's catalogues that has a
  Spanish translation (the English leaked through).

The demo's data (the realistic one: long names, many factors, 36 months of sales) is loaded once;
one browser context per role and language; the viewport is resized on the loaded page instead
of loading it again.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import polib
from django.conf import settings
from django.test import Client
from django.utils import timezone

from kamp.core.demo import load

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
ROLES = ["admin", "director", "ana", "felipe", "viewer"]  # felipe: a member on CS's team
MANAGERS = {"admin", "director"}
WRITERS = {"admin", "director", "ana", "felipe"}
ALL = set(ROLES)

# (name, path with {cs}, {group} (the demo's group account, Grupo Andes) and {me}, roles that
# may open it)
PAGES = [
    ("home", "/", ALL),
    ("customer list", "/customers/", ALL),
    ("summary", "/customers/{cs}/", ALL),
    ("people", "/customers/{cs}/people/", ALL),
    ("interactions", "/interactions/customer/{cs}/", ALL),
    ("log an interaction", "/interactions/customer/{cs}/new/", WRITERS),
    ("DMU map", "/interactions/customer/{cs}/dmu/", ALL),
    ("relationship", "/relationships/customer/{cs}/", ALL),
    ("plan", "/plans/customer/{cs}/", ALL),
    ("economics", "/economics/customer/{cs}/", MANAGERS | {"ana"}),
    ("selection tab", "/selection/customer/{cs}/", ALL),
    ("history", "/customers/{cs}/history/", ALL),
    ("group tab", "/customers/{group}/group/", ALL - {"felipe"}),  # felipe: not on its team
    ("account team", "/team/customer/{cs}/", ALL),
    ("selection matrix", "/selection/", ALL),
    ("selection grid", "/selection/grid/", ALL),
    ("relationships portfolio", "/relationships/", ALL),
    ("programme dashboard", "/programme/", MANAGERS),
    ("alerts inbox", "/programme/alerts/", MANAGERS),
    ("imports", "/imports/", MANAGERS | {"ana"}),
    ("KAMs", "/team/kams/", MANAGERS),
    ("my KAM profile", "/team/kams/{me}/", {"ana"}),
    ("settings", "/settings/", MANAGERS),
    ("plans portfolio", "/plans/", MANAGERS),
    ("my actions", "/plans/my-actions/", WRITERS),
    ("profitability", "/economics/portfolio/", MANAGERS | {"ana"}),
    ("interaction risks", "/interactions/risks/", MANAGERS | {"ana"}),
]

# Words written the same in both languages, or that are names: never counted as English left.
SAME_IN_BOTH = {"email", "e-mail", "kam", "kams", "total", "ok", "id", "cs", "rqi", "dmu", "qbr"}

# Links not to follow: leaving (a POST anyway), downloads that take long and are tested by their
# area, and the admin (Django's own pages).
SKIP_LINK = re.compile(
    r"^/(logout/|admin/|api/|static/|media/|jsi18n/)|\.(xlsx|pdf|pptx|toml|csv)$"
)


def spanish_sources() -> set[str]:
    """English msgids of kamp's catalogues that have a Spanish msgstr different from them."""
    sources: set[str] = set()
    root = Path(__file__).resolve().parents[2] / "kamp"
    for po_path in root.glob("**/locale/es/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(po_path)):
            if entry.obsolete or "fuzzy" in entry.flags or entry.msgid_plural:
                continue
            source, spanish = entry.msgid.strip(), entry.msgstr.strip()
            if not spanish or spanish.casefold() == source.casefold():
                continue
            if source.casefold() in SAME_IN_BOTH or len(source) < 3 or "%" in source:
                continue
            sources.add(source)
    return sources


def _link_kind(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def test_every_main_page_for_every_role_in_both_languages(browser, live_server):
    ctx = load(log=lambda *_: None, today=timezone.localdate())
    assert ctx is not None
    cs = ctx.customers["cs"]
    group = ctx.customers["andes_holding"]
    users = {key: ctx.users[key] for key in ROLES}
    english = spanish_sources()
    assert len(english) > 500  # the catalogues were read

    problems: list[str] = []
    visited = 0
    for role in ROLES:
        user = users[role]
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        checked_links: set[str] = set()
        for language in ("es", "en"):
            context = browser.new_context(locale="es-CL" if language == "es" else "en-GB")
            context.set_default_timeout(30_000)
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": session,
                        "url": live_server.url,
                    },
                    {
                        "name": settings.LANGUAGE_COOKIE_NAME,
                        "value": language,
                        "url": live_server.url,
                    },
                ]
            )
            page = context.new_page()
            for name, path, roles in PAGES:
                if role not in roles:
                    continue
                url = live_server.url + path.format(cs=cs.pk, group=group.pk, me=user.pk)
                where = f"{name} ({path}) as {role} in {language}"
                # Opened on a phone as a person would, then the same page on a laptop (a chart
                # drawn for a laptop does not shrink when the window does: that is no phone).
                page.set_viewport_size(PHONE)
                response = page.goto(url)
                visited += 1
                if response is None or response.status != 200:
                    problems.append(f"{where}: answered {response and response.status}")
                    continue
                for size in (PHONE, LAPTOP):
                    page.set_viewport_size(size)
                    width = page.evaluate("document.documentElement.scrollWidth")
                    if width > size["width"]:
                        problems.append(f"{where}: {width} px wide on a {size['width']} px screen")
                if language == "es":
                    lines = {ln.strip() for ln in page.inner_text("body").splitlines()}
                    left = sorted(lines & english)
                    if left:
                        problems.append(f"{where}: English on a Spanish page: {left}")
                hrefs = page.eval_on_selector_all(
                    "a[href]", "els => els.map(a => a.getAttribute('href'))"
                )
                for href in hrefs:
                    parts = urlsplit(href)
                    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                        continue  # another site, mailto:, tel:, an anchor on the page
                    if SKIP_LINK.search(parts.path) or _link_kind(parts.path) in checked_links:
                        continue
                    checked_links.add(_link_kind(parts.path))
                    target = parts.path + (f"?{parts.query}" if parts.query else "")
                    status = client.get(target).status_code
                    if status in (403, 404, 500):
                        problems.append(f"{where}: the link {target} answers {status}")
            context.close()
    assert visited > 80
    assert not problems, "\n".join(problems)


def test_the_english_left_on_a_spanish_page_is_read_from_the_catalogues():
    sources = spanish_sources()
    # Texts with a Spanish translation are looked for; words the same in both languages are not.
    assert {"Customers", "Summary", "People", "Menu"} <= sources
    assert not {"Email", "KAM", "Total"} & sources


def test_the_sign_in_and_password_pages_in_spanish(browser, live_server, ana):
    """The pages before and around signing in (not reached by a signed-in visit): the login
    page, with a wrong password too, the reset request, its e-mail sent page, the new password
    form from the e-mail's link, its done page, and the signed-in change of password."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    english = spanish_sources()
    uid = urlsafe_base64_encode(force_bytes(ana.pk))
    token = default_token_generator.make_token(ana)
    client = Client()
    client.force_login(ana)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    problems: list[str] = []

    def check(page, where: str) -> None:
        for size in (PHONE, LAPTOP):
            page.set_viewport_size(size)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > size["width"]:
                problems.append(f"{where}: {width} px wide on a {size['width']} px screen")
        page.set_viewport_size(PHONE)
        lines = {ln.strip() for ln in page.inner_text("body").splitlines()}
        if lines & english:
            problems.append(f"{where}: English on a Spanish page: {sorted(lines & english)}")
        if page.locator("html").get_attribute("lang") != "es":
            problems.append(f"{where}: not served in Spanish")

    for signed_in in (False, True):
        context = browser.new_context(locale="es-CL", viewport=PHONE)
        context.set_default_timeout(30_000)
        cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "es", "url": live_server.url}]
        if signed_in:
            cookies.append(
                {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}
            )
        context.add_cookies(cookies)
        page = context.new_page()
        if signed_in:
            paths = ["/password/", "/password/changed/"]
        else:
            paths = [
                "/login/",
                "/password/reset/",
                "/password/reset/sent/",
                f"/password/reset/{uid}/{token}/",
                "/password/reset/done/",
            ]
        for path in paths:
            response = page.goto(live_server.url + path)
            if response is None or response.status != 200:
                problems.append(f"{path}: answered {response and response.status}")
                continue
            check(page, path)
        if not signed_in:
            # A wrong password: the refusal is in Spanish too.
            page.goto(live_server.url + "/login/")
            page.fill("input[name=username]", ana.email)
            page.fill("input[name=password]", "not-the-password")
            page.click("form:not(.lang-switch) button[type=submit]")
            page.wait_for_load_state()
            check(page, "/login/ after a wrong password")
            refusal = page.locator("form .error").first
            if not refusal.count() or "no coinciden" not in refusal.inner_text():
                problems.append("/login/ after a wrong password: no Spanish refusal")
        context.close()
    assert not problems, "\n".join(problems)
