"""`kamp import interactions FILE.ics` (the README's import command) takes calendar files too."""

from io import StringIO

from django.core.management import call_command

from kamp.interactions.models import Interaction

from .test_imports import calendar  # noqa: F401  (fixture)


def test_kamp_import_takes_a_calendar_file(tmp_path, admin, ana, account, calendar):  # noqa: F811
    path = tmp_path / "cal.ics"
    path.write_bytes(calendar)
    out = StringIO()
    call_command(
        "import", "interactions", str(path), "--dry-run", "--user", admin.email, stdout=out
    )
    assert "Prices with Jorge" in out.getvalue()
    assert not Interaction.objects.exists()
    call_command("import", "interactions", str(path), "--user", admin.email, stdout=StringIO())
    assert Interaction.objects.count() == 3
    call_command("import", "interactions", str(path), "--user", admin.email, stdout=StringIO())
    assert Interaction.objects.count() == 3  # the same UID is never logged twice


def test_the_older_spelling_imports_as_the_user_given(tmp_path, admin, ana, account, calendar):  # noqa: F811
    """`kamp interactions import FILE --as EMAIL` (before the flags were unified) still works:
    the same import, logged by that person."""
    path = tmp_path / "cal.ics"
    path.write_bytes(calendar)
    out = StringIO()
    call_command("interactions", "import", str(path), "--as", ana.email, stdout=out)
    # as Ana, not as the default admin: the event of an account she may not edit is refused
    assert Interaction.objects.count() == 2 and "DENIED" in out.getvalue()
    assert set(Interaction.objects.values_list("logged_by", flat=True)) == {ana.pk}


def test_kamp_import_takes_the_calendar_options_too(tmp_path, admin, ana, account, calendar):  # noqa: F811
    """`kamp import interactions FILE.ics` is the one command for the job: it takes --since and
    --remove-cancelled as `kamp interactions import` (its alias) does."""
    import datetime

    import pytest
    from django.core.management.base import CommandError

    from .test_imports import TODAY, event, ics

    path = tmp_path / "cal.ics"
    path.write_bytes(calendar)
    call_command("import", "interactions", str(path), "--user", ana.email, stdout=StringIO())
    logged = Interaction.objects.get(topic="Prices with Jorge")

    # The same meeting, since cancelled: listed, kept unless asked, removed with the flag.
    cancelled = tmp_path / "cancelled.ics"
    cancelled.write_bytes(
        ics(
            event(
                "e1@test", "Prices with Jorge", [ana.email, "jorge.perez@cs.cl"], status="CANCELLED"
            )
        )
    )
    out = StringIO()
    call_command("import", "interactions", str(cancelled), "--user", ana.email, stdout=out)
    assert "CANCELLED" in out.getvalue() and "--remove-cancelled removes it" in out.getvalue()
    assert Interaction.objects.filter(pk=logged.pk).exists()
    out = StringIO()
    call_command(
        "import",
        "interactions",
        str(cancelled),
        "--remove-cancelled",
        "--user",
        ana.email,
        stdout=out,
    )
    assert "1 removed" in out.getvalue()
    assert not Interaction.objects.filter(pk=logged.pk).exists()

    # A weekly series expanded from the day given, not from a year ago.
    start = TODAY - datetime.timedelta(days=70)
    weekly = event("w1@test", "Weekly with Jorge", [ana.email, "jorge.perez@cs.cl"], day=start)
    weekly = weekly.replace("END:VEVENT", "RRULE:FREQ=WEEKLY\r\nEND:VEVENT")
    series = tmp_path / "weekly.ics"
    series.write_bytes(ics(weekly))
    since = TODAY - datetime.timedelta(days=21)
    out = StringIO()
    call_command(
        "import",
        "interactions",
        str(series),
        "--since",
        since.isoformat(),
        "--dry-run",
        "--user",
        ana.email,
        stdout=out,
    )
    assert f"occurrences from {since.isoformat()}" in out.getvalue()
    everything = StringIO()
    call_command(
        "import", "interactions", str(series), "--dry-run", "--user", ana.email, stdout=everything
    )
    logged_count = [line for line in out.getvalue().splitlines() if line.startswith("LOG")]
    all_count = [line for line in everything.getvalue().splitlines() if line.startswith("LOG")]
    assert 0 < len(logged_count) < len(all_count)

    # Not a calendar: the options are refused, nothing read.
    csv = tmp_path / "rows.csv"
    csv.write_text("customer,date,topic\n")
    with pytest.raises(CommandError, match="--since and --remove-cancelled are for calendar"):
        call_command("import", "interactions", str(csv), "--remove-cancelled", stdout=StringIO())
    with pytest.raises(CommandError, match="--since and --remove-cancelled are for calendar"):
        call_command("import", "sales", str(csv), "--since", "2026-01-01", stdout=StringIO())
    with pytest.raises(CommandError, match="--since takes a date"):
        call_command("import", "interactions", str(series), "--since", "soon", stdout=StringIO())


def test_the_command_counts_in_real_plurals(tmp_path, admin, ana, account, cs_people):
    from tests.interactions.test_calendar_real_world import data

    path = tmp_path / "outlook2003.ics"
    path.write_bytes(data("outlook2003_cp1252.ics"))  # one meeting, held in 2026
    out = StringIO()
    call_command("interactions", "import", str(path), "--dry-run", stdout=out)
    assert "Dry run: 1 event would be logged, 0 removed." in out.getvalue()
    out = StringIO()
    call_command("interactions", "import", str(path), "--user", ana.email, stdout=out)
    assert "1 interaction logged, 0 removed" in out.getvalue()
