"""The import engine: readers, header matching, two passes, one transaction, revert."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kamp.core.imports import ImportOptions, revert_batch, run_import
from kamp.core.models import AuditEvent, ImportBatch
from kamp.customers.models import Contact, Customer
from kamp.economics.models import SalesLine

from .import_helpers import write_csv


def test_customers_csv_semicolon_latin1(tmp_path, admin, ana):
    path = write_csv(tmp_path / "clientes.csv", [
        ["RUT", "Razón social", "Industria", "Región", "Estado", "KAM"],
        ["76.123.456-0", "Constructora Ñandú", "Construcción", "Metropolitana", "Cuenta clave",
         ana.email],
        ["77123456-9", "Minera Cóndor", "Minería", "Antofagasta", "Candidato", ""],
    ], encoding="cp1252", delimiter=";")
    batch = run_import("customers", path, user=admin)
    assert batch.status == ImportBatch.Status.DONE, (batch.message, batch.errors)
    assert batch.created_count == 2
    c = Customer.objects.get(tax_id="76.123.456-0")
    assert c.name == "Constructora Ñandú" and c.owner == ana and c.status == "key_account"
    assert c.import_batch == batch
    assert AuditEvent.objects.filter(action="import", object_id=str(batch.pk)).count() == 1
