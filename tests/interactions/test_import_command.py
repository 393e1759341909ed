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
