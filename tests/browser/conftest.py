"""Browser tests: Playwright (from PyPI) driving Debian's Chromium against a live kamp server.

Without /usr/bin/chromium these tests are skipped with one clear line, unless
KAMP_REQUIRE_BROWSER=1 (set by .ci/run), which turns the missing browser into a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

# A save round trip on a loaded 2-core CI machine (PostgreSQL, the other xdist worker busy, the
# live server's first request importing every app) can take longer than Playwright's 5 s
# default for assertions; a slow page is not a broken one.
expect.set_options(timeout=15_000)

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("KAMP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(os.environ.get("KAMP_SCREENSHOTS", "var/screenshots"))


def pytest_collection_modifyitems(config, items):
    browser_items = [i for i in items if "tests/browser/" in str(i.fspath).replace(os.sep, "/")]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if HAVE_CHROMIUM or not browser_items:
        return
    if os.environ.get("KAMP_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"KAMP_REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM}")
    reason = f"no Chromium at {CHROMIUM}: browser tests not run (apt-get install chromium)"
    print(f"\n*** {reason} ***")
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


class _InFlight:
    """The live server's WSGI app, counting the requests it is serving.

    On SQLite the test database lives in memory, and Django hands the server's request threads
    the test's own connection. Two requests at once (a page and an HTMX call) would then share
    one connection and its transaction state, and a request still running when a test ends (a
    failed assertion leaves the browser mid-click) would meet the test's teardown flushing the
    database on that same connection: the connection is left inside a broken transaction and
    every later test of that worker fails. So requests are served one at a time when the
    connection is shared, and a test's teardown waits until none is in flight.
    """

    def __init__(self, app, serialise: bool):
        self.app = app
        self.serialise = serialise
        self.lock = threading.Lock()  # one request at a time on a shared connection
        self.count = 0
        self.count_lock = threading.Lock()
        self.idle = threading.Event()
        self.idle.set()

    def _enter(self):
        with self.count_lock:
            self.count += 1
            self.idle.clear()

    def _leave(self):
        with self.count_lock:
            self.count -= 1
            if self.count == 0:
                self.idle.set()

    def __call__(self, environ, start_response):
        self._enter()
        try:
            with self.lock if self.serialise else contextlib.nullcontext():
                # The whole response is read and closed (Django's request_finished) inside: a
                # streamed response may read the database as it is sent.
                result = self.app(environ, start_response)
                try:
                    return list(result)
                finally:
                    if hasattr(result, "close"):
                        result.close()
        finally:
            self._leave()

    def wait_idle(self, timeout: float = 30.0) -> None:
        self.idle.wait(timeout)


@pytest.fixture(scope="session")
def _in_flight(live_server):
    from django.db import connection

    httpd = live_server.thread.httpd
    tracked = _InFlight(httpd.get_app(), serialise=connection.vendor == "sqlite")
    httpd.set_app(tracked)
    return tracked


@pytest.fixture
def page(browser, live_server, _in_flight):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    # Generous: two xdist workers, the database and Chromium share two cores in CI.
    context.set_default_timeout(30_000)
    pg = context.new_page()
    pg.base_url = live_server.url  # type: ignore[attr-defined]
    yield pg
    context.close()
    # No request may still be running when the test's database is flushed (see _InFlight).
    _in_flight.wait_idle()


@pytest.fixture
def settled(page):
    """Wait until htmx has finished with the page: no request, swap or settle under way.

    htmx wires the content it swaps in only when the swap settles (20 ms later): a row is visible
    before its ``hx-trigger="change"`` listens. A person never acts inside those 20 ms; a test
    does, so it waits here before touching content an HTMX call just put on the page.
    """

    def wait():
        page.wait_for_function(
            "() => !document.querySelector("
            "'.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
        )

    return wait


@pytest.fixture
def login(page, live_server, client_for):
    """Log ``user`` in without typing: reuse a Django test-client session in the browser."""

    def do(user, language: str | None = None):
        from django.conf import settings

        client = client_for(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        cookies = [
            {"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}
        ]
        if language:
            cookies.append(
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}
            )
        page.context.add_cookies(cookies)
        return page

    return do


@pytest.fixture
def shot(page):
    """Save a screenshot to var/screenshots/NAME.png (for people to look at the pages)."""

    def take(name: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = str(SCREENSHOTS / f"{name}.png")
        try:
            page.screenshot(path=path, full_page=True)
        except PlaywrightError:
            # Chromium now and then cannot capture a whole page while its compositor is busy
            # ("Unable to capture screenshot"): the picture is for people, not an assertion,
            # so try again once, then keep what the window shows.
            page.wait_for_timeout(500)
            try:
                page.screenshot(path=path, full_page=True)
            except PlaywrightError:
                page.screenshot(path=path)

    return take
