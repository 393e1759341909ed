"""The server's access log (gunicorn, as ``kamp serve`` runs it) never holds the secret of a
calendar feed or a customer's private link."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from kamp.accesslog import RedactingLogger


def test_the_access_log_leaves_secrets_out():
    secret = "kamp_cal_" + "Ab3-_x" * 8
    cfg = Config()
    cfg.set("accesslog", "-")
    logger = RedactingLogger(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/connect/feed/{secret}.ics?x={secret}",
        "PATH_INFO": f"/connect/feed/{secret}.ics",
        "QUERY_STRING": f"x={secret}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
    req = SimpleNamespace(headers=[])
    atoms = logger.atoms(resp, req, environ, datetime.timedelta(seconds=0, microseconds=5))
    assert secret not in str(atoms)
    assert atoms["r"] == "GET /connect/feed/…?x=… HTTP/1.1"
    assert atoms["s"] == "200"
    # Ordinary addresses are written as they are.
    environ.update(RAW_URI="/customers/1042/", PATH_INFO="/customers/1042/", QUERY_STRING="")
    assert logger.atoms(resp, req, environ, datetime.timedelta())["r"] == (
        "GET /customers/1042/ HTTP/1.1"
    )


@pytest.mark.django_db
def test_kamp_serve_uses_it(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("serve", "--dry-run", stdout=out)
    assert "--logger-class kamp.accesslog.RedactingLogger" in out.getvalue()
