"""The worker reads the dropbox every KAMP_MAIL_SYNC_MINUTES: each check queues the next one
(once, whatever asks), through kamp's task system; a fault stops a check cleanly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kamp.mailcapture import sync, tasks
from kamp.mailcapture.models import Mailbox

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _pending():
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=tasks.sync_mailbox_task.module_path
    )


def test_the_next_check_is_queued_once_after_the_interval(settings):
    settings.TASKS = DB_TASKS
    settings.KAMP_MAIL_SYNC_MINUTES = 15
    assert tasks.schedule_next() is False  # no mailbox: nothing to read
    Mailbox.objects.create(host="imap.example.test", username="u", password_encrypted="x")
    assert tasks.schedule_next() is True
    assert tasks.schedule_next() is False  # one waits already
    [job] = _pending()
    wait = job.run_after - timezone.now()
    assert timedelta(minutes=14) < wait <= timedelta(minutes=15)
    # "Check now" does not wait for it.
    tasks.check_now()
    assert _pending().count() == 2
    assert _pending().exclude(pk=job.pk).get().task.run_after is None  # at once


def test_a_turned_off_mailbox_is_not_scheduled(settings):
    settings.TASKS = DB_TASKS
    Mailbox.objects.create(
        host="imap.example.test", username="u", password_encrypted="x", enabled=False
    )
    assert tasks.schedule_next() is False
    assert sync.sync().skipped == "disabled"


def test_an_unexpected_fault_keeps_what_was_saved_and_frees_the_next_check(
    dovecot, imap_user, mailbox, account, ana, jose, monkeypatch
):
    from tests.mailcapture import messages as m

    ana_ = ("Ana KAM", "ana@supplier.test")
    dovecot.append(imap_user, *(m.plain(ana_, jose.email, f"M {k}") for k in range(3)))
    monkeypatch.setattr(sync, "CHUNK", 2)
    real_store = sync.store
    calls = []

    def failing_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_store(*args, **kwargs)

    monkeypatch.setattr(sync, "store", failing_second)
    result = sync.sync()
    assert "unexpected error (RuntimeError)" in result.error
    box = Mailbox.load()
    assert (box.last_uid, box.syncing_since, box.consecutive_failures) == (2, None, 1)
    monkeypatch.setattr(sync, "store", real_store)
    again = sync.sync()
    assert (again.read, again.logged, again.error) == (1, 1, "")
    assert Mailbox.load().last_uid == 3
