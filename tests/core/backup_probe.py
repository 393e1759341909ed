"""What ``tests/core/test_backup.py`` reads from, and writes into, a real kamp installation, in a
process of its own with kamp's production settings (``KAMP_HOME``, ``KAMP_DATABASE_URL``).

``python -m tests.core.backup_probe COMMAND [ARG…]`` prints one JSON object:

- ``digest``: every table of the current models, its row count and a hash of its rows (read
  through the ORM, ordered by id, values in one canonical text whatever the database kind);
- ``consistency``: what must hold in any snapshot (each sales import whole or absent, each
  round of edits whole);
- ``writer SECONDS``: sales imports one after the other and rounds of edits to every customer
  (one transaction each), in two threads, for at most SECONDS or until a file ``stop-writer``
  appears in ``KAMP_HOME``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import sys
import threading
import time
import traceback
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ["DJANGO_SETTINGS_MODULE"] = "kamp.settings"

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

EDIT_MARK = " · round "


def _canon(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, (dt.date, dt.time, Decimal)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, float):
        return repr(value)
    return value


def digest() -> dict[str, Any]:
    found = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.label_lower == "core.workerheartbeat":
            continue
        names = [f.attname for f in meta.local_concrete_fields]
        sha = hashlib.sha256()
        count = 0
        for row in model._base_manager.order_by(meta.pk.attname).values_list(*names).iterator():
            line = json.dumps([_canon(v) for v in row], sort_keys=True, default=str)
            sha.update(line.encode() + b"\n")
            count += 1
        found[meta.label_lower] = [count, sha.hexdigest()]
    return found


def consistency() -> dict[str, Any]:
    from django.db.models import Count

    from kamp.core.models import ImportBatch
    from kamp.customers.models import Customer
    from kamp.economics.models import SalesLine

    lines = dict(SalesLine.objects.values_list("import_batch").annotate(n=Count("id")).order_by())
    batches = list(ImportBatch.objects.filter(kind="sales").values("id", "status", "created_count"))
    broken = [
        b
        for b in batches
        if lines.get(b["id"], 0) != (b["created_count"] if b["status"] == "done" else 0)
    ]
    names = Customer.objects.values_list("name", flat=True)
    rounds = {n.rpartition(EDIT_MARK)[2] if EDIT_MARK in n else "" for n in names}
    return {
        "batches": len(batches),
        "done": sum(b["status"] == "done" for b in batches),
        "broken": broken,
        "lines": SalesLine.objects.count(),
        "rounds": sorted(rounds),
    }


def writer(seconds: str = "20") -> dict[str, Any]:
    from kamp.customers.models import Customer

    home = Path(os.environ["KAMP_HOME"])
    until = time.monotonic() + float(seconds)
    stop = home / "stop-writer"

    def going() -> bool:
        return time.monotonic() < until and not stop.exists()

    customers = list(Customer.objects.order_by("pk"))
    names = {c.pk: c.name for c in customers}
    errors: list[str] = []
    done = {"imports": 0, "edits": 0}

    def imports() -> None:
        i = 0
        while going():
            i += 1
            path = home / f"ventas-{i}.csv"
            with open(path, "w", encoding="utf-8") as f:
                f.write("RUT;Fecha;Documento;Monto neto\n")
                for n in range(5000):
                    tax_id = customers[n % len(customers)].tax_id
                    f.write(f"{tax_id};15-{1 + n % 12:02d}-2025;W{i}-{n};{1000 + n}\n")
            try:
                call_command("import", "sales", str(path), "--no-progress", stdout=io.StringIO())
                done["imports"] += 1
                time.sleep(0.3)  # the database grows slower than the backups read it
            except Exception:
                errors.append(traceback.format_exc())
                return

    def edits() -> None:
        r = 0
        while going():
            r += 1
            try:
                with transaction.atomic():  # every customer renamed, or none
                    for c in customers:
                        c.name = f"{names[c.pk]}{EDIT_MARK}{r}"
                    Customer.objects.bulk_update(customers, ["name"])
                done["edits"] += 1
            except Exception:
                errors.append(traceback.format_exc())
                return
            time.sleep(0.05)
        connection.close()

    threads = [threading.Thread(target=imports), threading.Thread(target=edits)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {**done, "errors": errors}


COMMANDS = {f.__name__: f for f in (digest, consistency, writer)}

if __name__ == "__main__":
    name, *args = sys.argv[1:]
    print(json.dumps(COMMANDS[name](*args), default=str))
