import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from kamp.core.imports import ImportOptions, revert_batch, run_import
from kamp.core.models import ImportBatch, User
from kamp.customers.models import Contact
from kamp.interactions import imports
from kamp.interactions.models import Interaction

from .factories import log

TODAY = datetime.date.today()


def ics(*events: str) -> bytes:
    body = "".join(events)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + body + "END:VCALENDAR\r\n"
    ).encode()


def event(uid, summary, attendees, day=None, status=""):
    day = day or TODAY - datetime.timedelta(days=3)
    lines = [
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T100000Z\r\n",
        f"DTSTART:{day:%Y%m%d}T140000Z\r\nDTEND:{day:%Y%m%d}T150000Z\r\nSUMMARY:{summary}\r\n",
    ]
    if status:
        lines.append(f"STATUS:{status}\r\n")
    lines += [f"ATTENDEE;CN=x:mailto:{a}\r\n" for a in attendees]
    lines.append("END:VEVENT\r\n")
    return "".join(lines)


@pytest.fixture
def calendar(ana, cs_people, other_account):
    from tests.factories import ContactFactory

    ContactFactory(customer=other_account, email="boss@minera.cl", name="Minera Boss")
    return ics(
        event("e1@test", "Prices with Jorge", [ana.email, "Jorge.Perez@cs.cl"]),
        event(
            "e2@test",
            "Finance sync",
            [cs_people["felipe"].email, "maria.gonzalez@cs.cl", "x@elsewhere.com"],
        ),
        event("e3@test", "Dentist", [ana.email]),
        event("e4@test", "Minera call", [ana.email, "boss@minera.cl"]),
        event("e5@test", "Cancelled", [ana.email, "jorge.perez@cs.cl"], status="CANCELLED"),
    )


def test_plan_calendar(ana, account, calendar):
    plan = imports.plan_calendar(calendar, ana)
    assert [e["topic"] for e in plan.matched] == ["Prices with Jorge", "Finance sync"]
    assert plan.matched[0]["customer_id"] == account.pk
    assert [e["topic"] for e in plan.not_allowed] == ["Minera call"]  # Bruno's account
    assert {e["topic"] for e in plan.unmatched} == {"Dentist", "Cancelled"}


def test_calendar_review_flow_and_no_double_import(client_for, ana, account, calendar, cs_people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for(ana)
    r = c.post(
        reverse("interactions:calendar_upload") + f"?customer={account.pk}",
        {"file": SimpleUploadedFile("cal.ics", calendar, "text/calendar")},
    )
    assert r.status_code == 302
    review = r["Location"]
    html = c.get(review).content.decode()
    assert "Prices with Jorge" in html and "Dentist" in html and "Not matched" in html
    assert not Interaction.objects.exists()  # nothing saved before the review
    r = c.post(review, {"event": ["0"]})  # keep only the first
    assert r.status_code == 302
    i = Interaction.objects.get()
    assert i.topic == "Prices with Jorge" and i.external_uid == "e1@test"
    assert list(i.their_contacts.all()) == [cs_people["jorge"]]
    # Same file again: e1 is already there.
    plan = imports.plan_calendar(calendar, ana)
    assert [e["topic"] for e in plan.already] == ["Prices with Jorge"]
    assert [e["topic"] for e in plan.matched] == ["Finance sync"]
    # And saving the old plan again does not duplicate it.
    imports.save_calendar(
        ana,
        [
            {
                "uid": "e1@test",
                "date": TODAY.isoformat(),
                "topic": "x",
                "customer_id": account.pk,
                "our_ids": [ana.pk],
                "their_ids": [cs_people["jorge"].pk],
            }
        ],
        "again.ics",
    )
    assert Interaction.objects.count() == 1


def test_review_page_belongs_to_its_uploader(client_for, ana, bruno, calendar):
    batch = ImportBatch.objects.create(
        kind="interactions_calendar",
        filename="c.ics",
        created_by=ana,
        options={"plan": imports.plan_calendar(calendar, ana).as_dict()},
    )
    assert (
        client_for(bruno).get(reverse("interactions:calendar_review", args=[batch.pk])).status_code
        == 404
    )


def test_upload_needs_an_editable_account(client_for, viewer):
    assert client_for(viewer).get(reverse("interactions:calendar_upload")).status_code == 403


def test_a_broken_file_is_reported(client_for, ana, account):
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client_for(ana).post(
        reverse("interactions:calendar_upload"),
        {"file": SimpleUploadedFile("x.ics", b"not a calendar", "text/calendar")},
    )
    assert r.status_code == 200 and "not a calendar" in r.content.decode()


def test_cli_calendar_dry_run_then_import(tmp_path, admin, ana, account, calendar):
    path = tmp_path / "cal.ics"
    path.write_bytes(calendar)
    out = StringIO()
    call_command("interactions", "import", str(path), "--dry-run", stdout=out)
    text = out.getvalue()
    assert "LOG" in text and "Prices with Jorge" in text and "UNMATCHED" in text
    assert not Interaction.objects.exists()
    call_command("interactions", "import", str(path), stdout=StringIO())
    assert Interaction.objects.count() == 3  # the admin may edit Minera too
    call_command("interactions", "import", str(path), stdout=StringIO())
    assert Interaction.objects.count() == 3


# --- CSV through the import engine ------------------------------------------------------------

CSV = """date,customer,kind,our_people,their_contacts,topic
2026-10-01,76.123.456-0,meeting,ana@supplier.test,Jorge Pérez,Prices
01-10-2026,Constructora CS,llamada,Felipe Finance|Ana KAM,maria.gonzalez@cs.cl|Andrés Silva,Budget
"""


def test_csv_import(tmp_path, ana, account, cs_people):
    path = tmp_path / "log.csv"
    path.write_text(CSV)
    batch = run_import("interactions", path, user=ana)
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert Interaction.objects.count() == 2
    budget = Interaction.objects.get(topic="Budget")
    assert budget.kind == "call" and budget.date == datetime.date(2026, 10, 1)
    assert set(budget.our_people.all()) == {cs_people["felipe"], ana}
    assert set(budget.their_contacts.all()) == {cs_people["maria"], cs_people["andres"]}
    revert_batch(batch, ana)
    assert not Interaction.objects.exists()


def test_csv_notes_keep_their_line_breaks(tmp_path, ana, account, cs_people):
    """A CRM's activity export quotes multi-line notes: each line arrives as written."""
    path = tmp_path / "log.csv"
    path.write_bytes(
        b"date,customer,kind,our_people,their_contacts,topic,notes\r\n"
        b"2026-10-01,Constructora CS,meeting,ana@supplier.test,Jorge P\xc3\xa9rez,Prices,"
        b'"Agreed:\r\n- price list by March\r\n- visit the site"\r\n'
    )
    batch = run_import("interactions", path, user=ana)
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert Interaction.objects.get().notes == "Agreed:\n- price list by March\n- visit the site"


def test_csv_unknown_people_are_reported_and_nothing_is_written(tmp_path, ana, account, cs_people):
    path = tmp_path / "log.csv"
    path.write_text(CSV + "2026-10-02,Constructora CS,meeting,Nobody Known,Ghost Contact,Lunch\n")
    batch = run_import("interactions", path, user=ana)
    assert batch.status == ImportBatch.Status.FAILED
    messages = " ".join(e["message"] for e in batch.errors)
    assert "Nobody Known" in messages
    assert not Interaction.objects.exists()


def test_csv_refuses_customers_the_user_may_not_edit(tmp_path, bruno, account, cs_people):
    path = tmp_path / "log.csv"
    path.write_text(CSV)
    batch = run_import("interactions", path, user=bruno)
    assert batch.status == ImportBatch.Status.FAILED and not Interaction.objects.exists()


def test_csv_create_people(tmp_path, admin, account, cs_people):
    path = tmp_path / "log.csv"
    path.write_text(
        "date,customer,kind,our_people,our_functions,their_contacts,topic\n"
        "2026-10-02,Constructora CS,meeting,Nueva Persona|Ana KAM,logistics|sales,Ghost Contact,Lunch\n"
    )
    with pytest.raises(CommandError):
        call_command("interactions", "import", str(path), stdout=StringIO(), stderr=StringIO())
    assert not Interaction.objects.exists()
    call_command("interactions", "import", str(path), "--create-people", stdout=StringIO())
    i = Interaction.objects.get()
    new = User.objects.get(name="Nueva Persona")
    assert new.function == "logistics" and not new.is_active
    assert Contact.objects.get(name="Ghost Contact").customer == account
    assert set(i.our_people.all()) == {new, account.owner}


def test_csv_create_people_needs_functions(tmp_path, admin, account, cs_people):
    path = tmp_path / "log.csv"
    path.write_text(
        "date,customer,kind,our_people,their_contacts,topic\n"
        "2026-10-02,Constructora CS,meeting,Nueva Persona,Jorge Pérez,Lunch\n"
    )
    batch = run_import(
        imports.InteractionImport(create_people=True), path, user=admin, options=ImportOptions()
    )
    assert batch.status == ImportBatch.Status.FAILED
    assert "our_functions" in " ".join(e["message"] for e in batch.errors)
    assert not User.objects.filter(name="Nueva Persona").exists()


def test_interactions_of_a_deleted_batch_kind_leave_manual_ones(tmp_path, ana, account, cs_people):
    log(account, [ana], [cs_people["jorge"]], topic="Manual")
    path = tmp_path / "log.csv"
    path.write_text(CSV)
    batch = run_import("interactions", path, user=ana)
    revert_batch(batch, ana)
    assert list(Interaction.objects.values_list("topic", flat=True)) == ["Manual"]
