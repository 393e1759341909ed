"""The trail is read in the reader's language, whoever wrote it and in whichever language: the
History tab names the object ("objetivo: …" / "objective: …") and says the summary in the
language of the person reading, not of the person who made the change."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from kamp.core import audit
from kamp.core.models import AuditEvent
from kamp.economics.actions import do_set_category_spend
from kamp.plans.actions import do_add_item, do_create_joint_link, do_create_plan
from kamp.programme.actions import do_take_readiness


def _write_trail(ana, account, director):
    plan = do_create_plan(ana, account, "2026")
    do_add_item(ana, plan, "objectives", title="Grow the Andes line")
    do_create_joint_link(ana, plan, label="Q3")
    do_set_category_spend(ana, account, "2025", Decimal("1234567"), currency="CLP")
    do_take_readiness(director, {})


def _history(client, account, language) -> str:
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    return client.get(reverse("customers:history", args=[account.pk])).content.decode()


@pytest.mark.django_db
def test_an_english_writer_is_read_in_spanish(ana, director, account, client_for):
    with translation.override("en"):
        _write_trail(ana, account, director)
    page = _history(client_for(director), account, "es")
    assert "objetivo: Grow the Andes line" in page
    assert "objective:" not in page
    assert "Enlace al plan conjunto Q3" in page and "Joint plan link" not in page
    assert "Compartido con el cliente hasta" in page
    assert "Gasto en la categoría 2025" in page and "Category spend 2025" not in page
    assert "Gasto en la categoría 2025: 1.234.567 CLP" in page  # the amount in the reader's format
    # What was stored as written stays readable (search, Django admin).
    objective = AuditEvent.objects.get(object_type="plans.objective")
    assert objective.object_repr == "objective: Grow the Andes line"


@pytest.mark.django_db
def test_a_spanish_writer_is_read_in_english(ana, director, account, client_for):
    with translation.override("es"):
        _write_trail(ana, account, director)
    page = _history(client_for(director), account, "en")
    assert "objective: Grow the Andes line" in page and "objetivo:" not in page
    assert "Joint plan link Q3" in page and "Enlace al plan conjunto" not in page
    assert "Category spend 2025" in page and "Gasto en la categoría" not in page
    assert "Category spend 2025: 1,234,567 CLP" in page
    readiness = AuditEvent.objects.get(object_type="programme.readinessassessment")
    with translation.override("en"):
        (shown,) = audit.describe([readiness], director)
    assert shown.summary.startswith("Readiness self-assessment:")


@pytest.mark.django_db
def test_an_older_entry_keeps_its_written_text(ana, account):
    """Entries written before the object was stored in each language show it as written."""
    event = AuditEvent.objects.create(
        actor=ana,
        action="create",
        object_type="plans.objective",
        object_id="1",
        object_repr="Objetivo: Crecer",
        customer_id=account.pk,
    )
    with translation.override("en"):
        (shown,) = audit.describe([event], ana)
    assert shown.object_repr == "Objetivo: Crecer"


@pytest.mark.django_db
def test_a_language_free_name_is_stored_once(ana, account):
    """A customer's name reads the same in every language: nothing more is stored."""
    event = audit.record(ana, "update", account, customer_id=account.pk)
    assert event.object_repr == "Constructora CS" and event.object_labels == {}


@pytest.mark.django_db
def test_a_stage_set_in_english_reads_in_spanish(ana, account):
    """The summary's stages are labels: shown in the reader's language too."""
    from kamp.relationships.actions import do_set_stage

    with translation.override("en"):
        do_set_stage(ana, account, stage="integrated", reason="Shared roadmap signed")
    event = AuditEvent.objects.get(object_type="relationships.stagerecord")
    assert event.summary.startswith("Stage set to Integrated (synergistic)")
    with translation.override("es"):
        (shown,) = audit.describe([event], ana)
    assert shown.summary.startswith("Etapa fijada en ")
    assert "Integrated" not in shown.summary and "Integrad" in shown.summary
