"""Crash safety with real processes: ``kamp worker`` and ``kamp serve`` killed with SIGKILL in the
middle of their work leave nothing half-written, and the work is run again or reported failed.

A throw-away kamp installation of its own, on the database kind the suite runs on: a SQLite file,
or (with ``KAMP_TEST_DATABASE_URL``) a fresh PostgreSQL database beside the test database.
(``kamp import`` killed half-way: test_import_cli.py.)
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.core.processes import site_env

pytestmark = pytest.mark.xdist_group("crash")

ROOT = Path(__file__).resolve().parents[2]
KAMP = str(Path(sys.executable).with_name("kamp"))
TIMEOUT = 120
BEAT = 0.5  # the workers' heartbeat here: a dead one is seen after 4 beats


class Site:
    """One kamp installation in a temporary folder, driven as an operator does."""

    def __init__(self, home: Path, url: str | None):
        self.home, self.url = home, url
        self.env = site_env(
            home,
            url,
            KAMP_WORKER_HEARTBEAT_SECONDS=str(BEAT),
            KAMP_SECURE_COOKIES="0",
            # The webhook receiver runs on this machine, an address kamp refuses by default.
            KAMP_CONNECT_ALLOW_PRIVATE="1",
        )

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [KAMP, *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def probe(self, *args: str) -> dict:
        r = subprocess.run(
            [sys.executable, "-m", "tests.core.crash_probe", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert r.returncode == 0, r.stderr[-4000:]
        return json.loads(r.stdout.strip().splitlines()[-1])

    def task_status(self, task_id: str) -> str | None:
        """Read straight from the database, every few milliseconds (no process to start)."""
        table = "django_tasks_database_dbtaskresult"
        if self.url is None:
            with sqlite3.connect(self.home / "kamp.sqlite3", timeout=30) as db:
                row = db.execute(
                    f"SELECT status FROM {table} WHERE id = ?", [uuid.UUID(task_id).hex]
                ).fetchone()
        else:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as db:
                row = db.execute(f"SELECT status FROM {table} WHERE id = %s", [task_id]).fetchone()
        return row[0] if row else None


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    test_url = os.environ.get("KAMP_TEST_DATABASE_URL", "")
    home = tmp_path_factory.mktemp("kamp-crash")
    url = None
    if test_url.startswith("postgres"):
        import psycopg

        name = f"kamp_crash_{uuid.uuid4().hex[:10]}"
        admin_url = urlunsplit(urlsplit(test_url)._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = urlunsplit(urlsplit(test_url)._replace(path=f"/{name}"))
    s = Site(home, url)
    subprocess.run([KAMP, "migrate", "-v0"], env=s.env, cwd=ROOT, check=True, capture_output=True)
    s.made = s.probe("setup", "15000", "3")
    yield s
    if url:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wait(predicate, what: str, timeout: float = TIMEOUT, step: float = 0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_worker_killed_during_a_rescoring_leaves_nothing_and_the_next_one_reruns_it(site):
    task = site.probe("enqueue")["task"]
    worker = site.start("worker", "--interval", "0.05", "--no-startup-delay")
    try:
        _wait(lambda: site.task_status(task) != "READY", "the worker to take the rescoring")
        worker.send_signal(signal.SIGKILL)  # in the middle of scoring 15,000 customers
        worker.wait()
    finally:
        if worker.poll() is None:
            worker.kill()
    state = site.probe("state")
    (killed,) = [t for t in state["tasks"] if t["id"] == task]
    assert killed == {"id": task, "status": "RUNNING", "attempts": 1}, (
        "the rescoring finished before the worker could be killed"
    )
    assert state["runs"] == 0 and state["integrity"] == "ok"  # no half-stored run

    # Another worker sees that the first one stopped beating, and runs the rescoring again.
    worker = site.start("worker", "--interval", "0.05", "--no-startup-delay")
    try:
        _wait(lambda: site.task_status(task) == "SUCCESSFUL", "the rescoring to be run again", 60)
    finally:
        _stop(worker)
    state = site.probe("state")
    (rerun,) = [t for t in state["tasks"] if t["id"] == task]
    assert rerun["attempts"] == 2 and state["runs"] == 1 and state["integrity"] == "ok"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A respondent's browser, enough for the public survey: its cookie and the form's token."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, timeout: float = 30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        conn.request(method, path, body=body, headers=headers)
        return conn

    def get(self, path: str) -> str:
        response = self.request("GET", path).getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        assert response.status == 200, response.status
        return response.read().decode()

    def answers(self, page: str, fields: list[str]) -> str:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = {"csrfmiddlewaretoken": token, "comment": "Buena relación"}
        data.update({f: str(1 + i % 7) for i, f in enumerate(fields)})
        return urllib.parse.urlencode(data)


def test_a_server_killed_during_a_survey_answer_keeps_it_whole_or_not_at_all(site):
    """The answer is sent, and the server killed at once, a little later, later still: each
    respondent's answers are then all there (with their trail entry) or none are, and a
    respondent whose answers were lost sends them again."""
    port = _free_port()

    # kamp serve prepares (translations, static files: a minute on a busy machine), then starts
    # gunicorn; prepared once, the server is then started as it starts it.
    r = subprocess.run(
        [KAMP, "serve", "--dry-run", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=site.env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-4000:]
    gunicorn = r.stdout.strip().splitlines()[-1].split()
    assert gunicorn[1:3] == ["-m", "gunicorn"], gunicorn

    def serve():
        server = subprocess.Popen(
            gunicorn,
            cwd=ROOT,
            env=site.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # gunicorn's master and worker, killed together
        )

        def up():
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return True
            except OSError:
                assert server.poll() is None, server.stderr.read()[-4000:]
                return False

        _wait(up, "kamp serve to listen", step=0.2)
        return server

    fields = site.made["fields"]
    server = serve()
    try:
        for n, (token, delay) in enumerate(zip(site.made["tokens"], (0.0, 0.05, 0.2), strict=True)):
            path = f"/relationships/s/{token}/"
            browser = Browser(port)
            body = browser.answers(browser.get(path), fields)
            sent = browser.request("POST", path, body)  # the answer is on its way
            time.sleep(delay)
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
            sent.close()
            state = site.probe("state")
            assert state["integrity"] == "ok"
            mine = state["respondents"][n]
            saved = mine["answered"]
            assert mine == (
                {"answered": True, "answers": len(fields), "trail": 1}
                if saved
                else {"answered": False, "answers": 0, "trail": 0}
            ), mine

            server = serve()
            if not saved:  # the respondent sees no thanks page, and sends the answers again
                browser = Browser(port)
                body = browser.answers(browser.get(path), fields)
                response = browser.request("POST", path, body).getresponse()
                assert response.status == 200, response.read()[-2000:]
            mine = site.probe("state")["respondents"][n]
            assert mine == {"answered": True, "answers": len(fields), "trail": 1}
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


@pytest.mark.parametrize("retried_by", ["worker", "cron"])
def test_a_worker_killed_during_a_webhook_delivery_logs_nothing_and_it_is_delivered(
    site, retried_by
):
    """The worker is killed while the receiver holds the request open: the delivery keeps no
    half-written attempt (no log row, no error, still waiting). The next worker (the lost task
    queued again) delivers it — or ``kamp webhooks retry`` does once its pause has passed, and the
    task re-run later sends nothing more — with the same X-Kamp-Delivery the receiver
    de-duplicates on."""
    from tests.connect.receiver import Receiver

    secret = "whsec_crash"
    with Receiver(secret) as receiver:
        receiver.script = ["hang"]  # the first request gets no answer until the test ends
        receiver.hang_seconds = TIMEOUT
        made = site.probe("hook", receiver.url, secret)
        worker = site.start("worker", "--interval", "0.05", "--no-startup-delay")
        try:
            _wait(lambda: receiver.received, "the worker to send the delivery")
            worker.send_signal(signal.SIGKILL)  # the request is sent, its answer awaited
            worker.wait()
        finally:
            if worker.poll() is None:
                worker.kill()
        state = site.probe("state")
        (killed,) = [t for t in state["tasks"] if t["id"] == made["task"]]
        assert killed == {"id": made["task"], "status": "RUNNING", "attempts": 1}
        assert state["integrity"] == "ok"
        (delivery,) = state["deliveries"]
        assert delivery == {
            "id": made["delivery"],
            "event_id": made["event_id"],
            "status": "pending",
            "attempts": 1,  # the claim: a second worker does not send it at the same time
            "last_status_code": None,
            "last_error": "",
            "delivered": False,
            "log": [],  # the killed try is not logged at all
        }

        if retried_by == "cron":
            assert site.probe("pause-over") == {"due": 1}
            r = subprocess.run(
                [KAMP, "webhooks", "retry"],
                cwd=ROOT,
                env=site.env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
            assert r.returncode == 0, r.stderr[-4000:]
            assert "1 delivery(ies) tried." in r.stdout
            assert len(receiver.received) == 2
        # Another worker sees that the first one stopped beating, and runs the task again: it
        # delivers (worker), or finds the delivery done and sends nothing (cron).
        worker = site.start("worker", "--interval", "0.05", "--no-startup-delay")
        try:
            _wait(
                lambda: site.task_status(made["task"]) == "SUCCESSFUL",
                "the delivery to be run again",
                60,
            )
        finally:
            _stop(worker)
        state = site.probe("state")
        (rerun,) = [t for t in state["tasks"] if t["id"] == made["task"]]
        assert rerun["attempts"] == 2 and state["integrity"] == "ok"
        (delivery,) = state["deliveries"]
        assert delivery["status"] == "delivered" and delivery["delivered"]
        assert delivery["attempts"] == 2 and delivery["last_status_code"] == 204
        assert delivery["log"] == [{"status_code": 204, "error": ""}]
        assert receiver.bad_signatures == 0
        first, second = receiver.received  # and no third
        assert first["mode"] == "hang" and second["mode"] == "ok"
        # The same delivery twice: the receiver knows the second by its id, and drops it.
        assert (
            first["headers"]["X-Kamp-Delivery"]
            == second["headers"]["X-Kamp-Delivery"]
            == made["event_id"]
        )
        assert first["json"] == second["json"] and first["json"]["id"] == made["event_id"]


@pytest.mark.django_db
def test_a_task_on_which_workers_keep_dying_is_failed_with_the_reason():
    """After MAX_ATTEMPTS dead workers the task is not run again: it is failed, saying why."""
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from kamp.core.management.commands import worker
    from kamp.core.models import WorkerHeartbeat

    long_ago = timezone.now() - timedelta(minutes=10)
    WorkerHeartbeat.objects.create(worker_id="dead", beat_at=long_ago)
    WorkerHeartbeat.objects.create(worker_id="alive", beat_at=timezone.now())

    def running(workers, started=long_ago):
        return DBTaskResult.objects.create(
            status=TaskResultStatus.RUNNING,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="kamp.selection.tasks.prepare_run",
            worker_ids=workers,
            backend_name="default",
            run_after=long_ago,
            started_at=started,
        )

    lost_once = running(["dead"])
    lost_thrice = running(["dead", "dead", "dead"])
    busy = running(["dead", "alive"])  # its current worker beats
    just_started = running(["newcomer"], started=timezone.now())  # may not have beaten yet

    assert worker.recover_lost_tasks(15) == (1, 1)
    states = {t.pk: t for t in DBTaskResult.objects.all()}
    assert states[lost_once.pk].status == TaskResultStatus.READY
    assert states[lost_thrice.pk].status == TaskResultStatus.FAILED
    assert "stopped (killed or crashed) 3 times" in states[lost_thrice.pk].traceback
    assert states[busy.pk].status == TaskResultStatus.RUNNING
    assert states[just_started.pk].status == TaskResultStatus.RUNNING
    assert worker.recover_lost_tasks(15) == (0, 0)  # nothing twice
