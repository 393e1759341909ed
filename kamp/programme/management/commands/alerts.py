"""``kamp alerts refresh [--customer C] [--json]``: recompute the stored alerts (every key account
and candidate, or the given customers) now, in this process. Run it daily from cron: alerts
that move with the date (overdue actions, no contact for 90 days) are then current when the
first person opens kamp. ``kamp alerts pending``: how many accounts wait for the worker."""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from kamp.core.cli import add_customer_argument, add_json_argument


class Command(BaseCommand):
    help = "Recompute the stored alerts (daily from cron), or show how many wait for the worker."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser("refresh", help="recompute the stored alerts now")
        add_customer_argument(refresh)
        add_json_argument(refresh)
        pending = sub.add_parser("pending", help="how many accounts wait for the worker")
        add_json_argument(pending)

    def handle(self, *args, **opts):
        from kamp.customers.identity import customer_ref, resolve_customers
        from kamp.programme import alert_store
        from kamp.programme.models import AlertDirty, AlertRefresh

        if opts["action"] == "pending":
            state = AlertRefresh.objects.order_by("pk").first()
            payload = {
                "accounts_waiting": AlertDirty.objects.values("customer_id").distinct().count(),
                "computed_for": state.as_of.isoformat() if state else None,
                "finished_at": state.finished_at.isoformat() if state else None,
            }
            if opts["json"]:
                self.stdout.write(json.dumps(payload))
            else:
                for k, v in payload.items():
                    self.stdout.write(f"{k}: {v}")
            return
        ids = refs = None  # every key account and candidate
        if opts["customer"]:
            customers = resolve_customers(opts["customer"])
            ids, refs = [c.pk for c in customers], [customer_ref(c) for c in customers]
        start = time.perf_counter()
        stored = alert_store.refresh_alerts(ids, timezone.localdate())
        seconds = round(time.perf_counter() - start, 3)
        if opts["json"]:
            payload = {"stored": stored, "customers": refs, "seconds": seconds}
            self.stdout.write(json.dumps(payload))
        else:
            self.stdout.write(f"{stored} alerts stored in {seconds} s")
