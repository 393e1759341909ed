"""Scenarios of simultaneous writers, run in a process of their own against a real database
file (SQLite) or database (PostgreSQL) with kamp's production settings — what
``tests/core/test_concurrency.py`` starts (pytest's own SQLite database lives in memory, where
locking works otherwise).

``python -m tests.core.concurrency_scenarios SCENARIO [ARG…]`` with ``KAMP_HOME`` (and
``KAMP_DATABASE_URL`` for PostgreSQL) set; prints one JSON object, the scenario's findings.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ["DJANGO_SETTINGS_MODULE"] = "kamp.settings"
os.environ.setdefault("KAMP_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from kamp.core.choices import Role  # noqa: E402
from kamp.core.models import ImportBatch, User  # noqa: E402
from kamp.customers.forms import ContactForm, CustomerForm  # noqa: E402
from kamp.customers.models import Contact, Customer  # noqa: E402

# No setup_test_environment(): its template instrumentation is global, and every thread's
# client would copy every other thread's rendered contexts. Forms are filled from the form
# classes instead of response.context.


def _in_threads(n: int, work: Callable[[int], Any]) -> list[dict[str, Any]]:
    """``work(i)`` in ``n`` threads released at the same moment; each result or the error it
    raised (a 500 raises in the test client)."""
    barrier = threading.Barrier(n)
    results: list[dict[str, Any]] = [{} for _ in range(n)]

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = {"ok": work(i)}
        except Exception as exc:
            results[i] = {"error": f"{exc.__class__.__name__}: {exc}"}
            traceback.print_exc(file=sys.stderr)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _admin() -> User:
    user, _ = User.objects.get_or_create(
        email="admin@supplier.test",
        defaults={"name": "Admin", "role": Role.ADMIN, "is_staff": True, "is_superuser": True},
    )
    return user


def _form_data(form) -> dict[str, Any]:
    """What a browser would post back for a form as the page shows it (unchanged)."""
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()
        if value is None:
            value = ""
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
            continue
        data[bound.html_name] = value
    return data


def _errors(results: list[dict[str, Any]]) -> list[str]:
    return [r["error"] for r in results if "error" in r]


# --- scenarios --------------------------------------------------------------------------------
def writers(threads: str = "8", each: str = "10") -> dict[str, Any]:
    """Threads saving customers at once, half through the API (PATCH), half through the edit
    form: every save answers, none is lost."""
    n, k = int(threads), int(each)
    admin = _admin()
    customers = [Customer.objects.create(name=f"Customer {i}") for i in range(n * k)]
    ids = [c.pk for c in customers]

    def work(i: int) -> list[int]:
        c = _client(admin)
        statuses = []
        for j in range(k):
            pk = ids[i * k + j]
            name = f"Saved by {i}.{j}"
            if i % 2:
                r = c.patch(
                    f"/api/v1/customers/{pk}",
                    data=json.dumps({"name": name}),
                    content_type="application/json",
                )
            else:
                url = reverse("customers:edit", args=[pk])
                assert c.get(url).status_code == 200
                form = CustomerForm(instance=Customer.objects.get(pk=pk), user=admin)
                data = _form_data(form)
                data["name"] = name
                r = c.post(url, data)
            statuses.append(r.status_code)
        return statuses

    results = _in_threads(n, work)
    names = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "name"))
    lost = [
        pk
        for i in range(n)
        for j in range(k)
        if names[(pk := ids[i * k + j])] != f"Saved by {i}.{j}"
    ]
    statuses = Counter(s for r in results for s in r.get("ok", []))
    return {"errors": _errors(results), "statuses": dict(statuses), "lost": lost}


def setup_worker_import(rows: str = "10000") -> dict[str, Any]:
    """A customer with contacts to save, and a contacts file uploaded and mapped on the Imports
    page: large enough that the worker checks it (queued, for ``kamp worker --batch``)."""
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = _admin()
    customer = Customer.objects.create(name="Constructora CS", tax_id="76.123.456-0")
    for i in range(4):
        Contact.objects.create(customer=customer, name=f"Contact {i}", email=f"c{i}@cs.cl")
    # The file's people go to another customer (a form offering 10,000 managers to report to
    # would measure the page, not the locking).
    other = Customer.objects.create(name="Minera Norte", tax_id=_rut(96_790_240))
    lines = ["Cliente;Nombre;Correo"] + [
        f"{other.tax_id};Persona {i};p{i}@mn.cl" for i in range(int(rows))
    ]
    settings.KAMP_IMPORT_INLINE_MAX_ROWS = 100  # this process only: hand it to the worker
    c = _client(admin)
    r = c.post(
        reverse("core:imports"),
        {"kind": "contacts", "file": SimpleUploadedFile("personas.csv", "\n".join(lines).encode())},
    )
    c.post(r["Location"], {"col_0": "customer", "col_1": "name", "col_2": "email", "decimal": ""})
    batch = ImportBatch.objects.get()
    return {"batch": batch.pk, "status": batch.status, "background": batch.options["background"]}


def start_import(batch_id: str) -> dict[str, Any]:
    """Press "Import" on a batch the worker checked: it is queued for the worker."""
    from django.conf import settings

    settings.KAMP_IMPORT_INLINE_MAX_ROWS = 100
    batch = ImportBatch.objects.get(pk=int(batch_id))
    before = batch.status
    _client(_admin()).post(reverse("core:import_run", args=[batch.pk]))
    batch.refresh_from_db()
    return {"before": before, "status": batch.status}


def contact_saves(rounds: str = "10", wait_for_import: str = "") -> dict[str, Any]:
    """Threads saving the customer's contacts through the form, over and over — once another
    process is writing an import, when ``wait_for_import`` is given."""
    import time

    admin = _admin()
    customer = Customer.objects.get(tax_id="76.123.456-0")
    contacts = list(customer.contacts.order_by("pk").values_list("pk", flat=True)[:4])
    overlapped = False
    if wait_for_import:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING).exists():
                overlapped = True
                break
            time.sleep(0.02)
    slowest = 0.0

    def work(i: int) -> list[int]:
        nonlocal slowest
        c = _client(admin)
        statuses = []
        for j in range(int(rounds)):
            url = reverse("customers:contact_edit", args=[customer.pk, contacts[i]])
            assert c.get(url).status_code == 200
            contact = Contact.objects.get(pk=contacts[i])
            data = _form_data(ContactForm(instance=contact, customer=customer))
            data["title"] = f"Title {i}.{j}"
            started = time.monotonic()
            statuses.append(c.post(url, data).status_code)
            slowest = max(slowest, time.monotonic() - started)
        return statuses

    results = _in_threads(len(contacts), work)
    titles = dict(Contact.objects.filter(pk__in=contacts).values_list("pk", "title"))
    lost = [pk for i, pk in enumerate(contacts) if titles[pk] != f"Title {i}.{int(rounds) - 1}"]
    statuses = Counter(s for r in results for s in r.get("ok", []))
    return {
        "errors": _errors(results),
        "statuses": dict(statuses),
        "lost": lost,
        "overlapped": overlapped,
        "slowest_save_s": round(slowest, 2),
    }


def batch_state(batch_id: str) -> dict[str, Any]:
    batch = ImportBatch.objects.get(pk=int(batch_id))
    return {
        "status": batch.status,
        "created": batch.created_count,
        "message": batch.message,
        "contacts": Contact.objects.count(),
    }


def double_run(rows: str = "300") -> dict[str, Any]:
    """A checked customers import, its "Import" button pressed twice at once."""
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = _admin()
    lines = ["RUT;Razón social"] + [f"{_rut(76_000_000 + i)};Cliente {i}" for i in range(int(rows))]
    c = _client(admin)
    r = c.post(
        reverse("core:imports"),
        {
            "kind": "customers",
            "file": SimpleUploadedFile("clientes.csv", "\n".join(lines).encode()),
        },
    )
    batch = ImportBatch.objects.get()
    c.post(r["Location"], {"col_0": "tax_id", "col_1": "name", "decimal": ""})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED, (batch.status, batch.message)
    assert int(rows) < settings.KAMP_IMPORT_INLINE_MAX_ROWS  # imported inside the request

    def work(i: int) -> dict[str, Any]:
        client = _client(admin)
        client.cookies["django_language"] = "en"
        r = client.post(reverse("core:import_run", args=[batch.pk]), follow=True)
        page = r.content.decode()
        return {
            "status": r.status_code,
            "imported": f"Imported: {rows} created" in page,
            "told": "This import has already been started." in page
            or "This import cannot be started now." in page,
        }

    results = _in_threads(2, work)
    batch.refresh_from_db()
    return {
        "errors": _errors(results),
        "results": [r.get("ok") for r in results],
        "customers": Customer.objects.count(),
        "batch": {"status": batch.status, "created": batch.created_count},
    }


def _rut(number: int) -> str:
    """A valid Chilean RUT for ``number`` (modulo 11 check digit)."""
    total, factor = 0, 2
    for digit in reversed(str(number)):
        total += int(digit) * factor
        factor = 2 if factor == 7 else factor + 1
    check = 11 - total % 11
    dv = {11: "0", 10: "K"}.get(check, str(check))
    return f"{number:,}".replace(",", ".") + f"-{dv}"


def setup_sales(rows: str = "2000") -> dict[str, Any]:
    """Customers and a sales file without document numbers (the kind a second import would
    count twice)."""
    home = Path(os.environ["KAMP_HOME"])
    customers = [
        Customer.objects.create(name=f"Cliente {i}", tax_id=_rut(77_000_000 + i)) for i in range(20)
    ]
    path = home / "ventas.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("RUT;Fecha;Monto neto\n")
        for i in range(int(rows)):
            f.write(f"{customers[i % 20].tax_id};15-{1 + i % 12:02d}-2025;{1000 + i}\n")
    return {"file": str(path)}


def setup_contacts_file(rows: str = "2000") -> dict[str, Any]:
    """A customer and a file of its contacts (matched by e-mail when imported again)."""
    home = Path(os.environ["KAMP_HOME"])
    customer = Customer.objects.create(name="Constructora CS", tax_id="76.123.456-0")
    path = home / "contactos.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("Cliente;Nombre;Correo\n")
        for i in range(int(rows)):
            f.write(f"{customer.tax_id};Persona {i};p{i}@cs.cl\n")
    return {"file": str(path)}


def setup_customers_file(rows: str = "2000") -> dict[str, Any]:
    home = Path(os.environ["KAMP_HOME"])
    path = home / "clientes.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("RUT;Razón social\n")
        for i in range(int(rows)):
            f.write(f"{_rut(76_000_000 + i)};Cliente {i}\n")
    return {"file": str(path)}


def customers_state() -> dict[str, Any]:
    return {
        "customers": Customer.objects.count(),
        "batches": list(
            ImportBatch.objects.filter(kind="customers")
            .order_by("pk")
            .values("status", "created_count", "updated_count", "message")
        ),
    }


def contacts_state() -> dict[str, Any]:
    return {
        "contacts": Contact.objects.count(),
        "emails": Contact.objects.values("email").distinct().count(),
        "batches": list(
            ImportBatch.objects.filter(kind="contacts")
            .order_by("pk")
            .values("status", "created_count", "updated_count", "message")
        ),
    }


def sales_state() -> dict[str, Any]:
    from kamp.economics.models import SalesLine

    return {
        "lines": SalesLine.objects.count(),
        "batches": list(
            ImportBatch.objects.filter(kind="sales")
            .order_by("pk")
            .values("status", "created_count", "message")
        ),
    }


def survey(times: str = "10") -> dict[str, Any]:
    """A customer contact's survey link, the form sent ``times`` times at once."""
    import datetime

    from django.utils import timezone

    from kamp.relationships import access, actions
    from kamp.relationships.models import Answer

    kam = User.objects.create(email="ana@supplier.test", name="Ana", role=Role.KAM)
    customer = Customer.objects.create(name="Constructora CS", owner=kam)
    contact = Contact.objects.create(customer=customer, name="Jorge Pérez", email="j@cs.cl")
    rnd = actions.do_start_round(
        kam,
        customer,
        closes_on=timezone.localdate() + datetime.timedelta(days=14),
        contacts=[(contact, "es")],
        send=False,
    )
    respondent = rnd.respondents.get()
    url = reverse("relationships:public_survey", args=[access.token_for(respondent)])
    data = {f"item_{i.pk}": "5" for i in rnd.template.items.all()}
    data["comment"] = "Muy bien"

    def work(i: int) -> dict[str, Any]:
        # In English, to read the page (the contact's language is Spanish).
        r = Client().post(f"{url}?lang=en", data)
        page = r.content.decode()
        return {
            "status": r.status_code,
            "thanks": "Your answers have reached" in page,
            "told": "already" in page,
        }

    results = _in_threads(int(times), work)
    respondent.refresh_from_db()
    return {
        "errors": _errors(results),
        "results": [r.get("ok") for r in results],
        "answers": Answer.objects.filter(respondent=respondent).count(),
        "items": rnd.template.items.count(),
        "responded": respondent.responded_at is not None,
    }


def vendor() -> dict[str, Any]:
    return {"vendor": connection.vendor}


def sqlite_locking() -> dict[str, Any]:
    """How kamp's own connection to its SQLite file is set up: the journal mode, the busy
    timeout, and whether a transaction holds the write lock from its BEGIN (IMMEDIATE) — seen
    from a second connection that tries to begin a write without waiting, while kamp's
    transaction has only read."""
    import sqlite3

    from django.db import transaction

    with connection.cursor() as cursor:
        journal = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        busy = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
    with transaction.atomic():
        Customer.objects.exists()  # a read, no write yet
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
            second_writer = "let in"
        except sqlite3.OperationalError as exc:
            second_writer = str(exc)
        finally:
            other.close()
    return {"journal_mode": journal, "busy_timeout_ms": busy, "second_writer": second_writer}


SCENARIOS = {
    f.__name__: f
    for f in (
        writers,
        setup_worker_import,
        start_import,
        contact_saves,
        batch_state,
        double_run,
        setup_sales,
        sales_state,
        setup_contacts_file,
        contacts_state,
        setup_customers_file,
        customers_state,
        survey,
        vendor,
        sqlite_locking,
    )
}

if __name__ == "__main__":
    name, *args = sys.argv[1:]
    print(json.dumps(SCENARIOS[name](*args), default=str))
