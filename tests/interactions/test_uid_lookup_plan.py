"""Re-importing a calendar asks, per event, whether it is already logged. That lookup must read
the events' unique-key index, not the whole interaction log: on SQLite an ``IN`` alone does not
imply the partial index's condition (``external_uid <> ''``), so each query repeats it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kamp.interactions.models import Interaction

from .test_imports import calendar  # noqa: F401  (fixture)

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's planner alone needs the condition repeated"
)


def test_a_calendar_reimport_reads_the_uid_index(tmp_path, admin, ana, account, calendar):  # noqa: F811
    path = tmp_path / "cal.ics"
    path.write_bytes(calendar)
    call_command("import", "interactions", str(path), "--user", admin.email, stdout=StringIO())
    assert Interaction.objects.count() == 3

    with CaptureQueriesContext(connection) as seen:
        call_command("import", "interactions", str(path), "--user", admin.email, stdout=StringIO())
    assert Interaction.objects.count() == 3  # nothing logged twice

    lookups = [
        q["sql"]
        for q in seen.captured_queries
        if q["sql"].startswith("SELECT")
        and '"interactions_interaction"."external_uid" IN' in q["sql"]
    ]
    assert lookups, "the re-import looked up no event key"
    with connection.cursor() as cursor:
        for sql in lookups:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "interaction_external_uid_unique" in plan, (sql, plan)
