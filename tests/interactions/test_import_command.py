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
