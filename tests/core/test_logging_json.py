"""KAMP_LOG_FORMAT=json: one JSON object per log line, with the id of the request that wrote it,
the same id the response returns in X-Request-ID (a proxy's own id kept when it is sane)."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys

import pytest

from kamp.core.requestlog import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log():
    """What django.request logs during the test, formatted as KAMP_LOG_FORMAT=json does."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_request_logs_json_with_the_id_echoed_in_the_header(client, admin, json_log):
    client.force_login(admin)
    response = client.get("/customers/999999999/", headers={"X-Request-ID": "lb-7f3a-42"})
    assert response.status_code == 404
    assert response["X-Request-ID"] == "lb-7f3a-42"
    (entry,) = lines(json_log)
    assert entry["request_id"] == "lb-7f3a-42"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "django.request"
    assert "/customers/999999999/" in entry["message"]
    assert entry["time"].endswith("+00:00")


def test_a_request_without_an_id_gets_a_new_one(client, admin, json_log):
    client.force_login(admin)
    first = client.get("/customers/999999999/")
    second = client.get("/customers/999999999/")
    ids = [entry["request_id"] for entry in lines(json_log)]
    assert ids == [first["X-Request-ID"], second["X-Request-ID"]]
    assert len(set(ids)) == 2 and all(len(i) == 32 for i in ids)


@pytest.mark.parametrize("given", ["two words", 'x"}, {"level": "INFO', "x" * 129, "ñandú", "a\tb"])
def test_an_insane_id_is_replaced(client, given):
    response = client.get("/healthz", headers={"X-Request-ID": given})
    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32


def test_every_response_carries_an_id(client):
    # Pages that send to the login, too.
    assert client.get("/")["X-Request-ID"]


def test_an_error_stays_one_json_line():
    record = logging.LogRecord("kamp", logging.ERROR, __file__, 1, "boom %s", ("now",), None)
    try:
        raise ValueError("broken\nover two lines")
    except ValueError:
        record.exc_info = sys.exc_info()
    text = JsonFormatter().format(record)
    assert "\n" not in text
    entry = json.loads(text)
    assert entry["message"] == "boom now"
    assert entry["request_id"] == ""
    assert "ValueError" in entry["exc_info"]


def test_the_setting_switches_the_format(tmp_path):
    """The real settings: KAMP_LOG_FORMAT=json turns the console's lines into JSON."""
    env = {
        **os.environ,
        "KAMP_LOG_FORMAT": "json",
        "KAMP_HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "kamp.settings",
    }
    code = "import django, logging; django.setup(); logging.getLogger('kamp.x').warning('hello')"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry["message"] == "hello"
    assert entry["logger"] == "kamp.x"
    assert entry["request_id"] == ""
    env["KAMP_LOG_FORMAT"] = "text"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stderr.strip() == "hello"
