"""``kamp reciprocity [--customer C ...] [--as-of DATE] [--json] [--refresh]``: each customer's
reciprocity ledger — its evidence item by item and the score the selection model uses."""

import json

from django.core.management.base import BaseCommand

from kamp.core.cli import add_as_of_argument, add_customer_argument, add_json_argument
from kamp.customers.identity import customer_ref, resolve_customers
from kamp.customers.models import Customer
from kamp.selection import ledger
from kamp.selection.models import ReciprocityEvidence, ReciprocityLedger
from kamp.selection.reciprocity_actions import refresh


class Command(BaseCommand):
    help = (
        "Each customer's reciprocity ledger (willingness to co-invest computed from dated, "
        "weighted evidence): the score and every item; JSON with --json. --refresh stores the "
        "scores the selection model reads."
    )

    def add_arguments(self, parser):
        add_customer_argument(parser)
        add_as_of_argument(parser)
        add_json_argument(parser)
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Store each score as the one the selection model reads (recorded in the history).",
        )

    def handle(self, *args, **opts):
        customers = resolve_customers(opts["customer"])
        if not customers:
            ids = set(ReciprocityLedger.objects.values_list("customer_id", flat=True)) | set(
                ReciprocityEvidence.objects.values_list("customer_id", flat=True)
            )
            customers = list(Customer.objects.filter(id__in=ids).order_by("name", "id"))
        rows = []
        for c in customers:
            if opts["refresh"]:
                refresh(None, c, opts["as_of"])
            result = ledger.compute(c.pk, opts["as_of"])
            rows.append(
                {"customer": customer_ref(c), **ledger.as_json(result, ledger.stored(c.pk))}
            )
        if opts["json"]:
            self.stdout.write(json.dumps({"customers": rows}, ensure_ascii=False))
            return
        for r in rows:
            override = "" if r["override"] is None else f" (override {r['override']:g})"
            self.stdout.write(f"{r['customer']['name']}\t{r['score']:.2f}{override}")
            for item in r["items"]:
                self.stdout.write(
                    f"  {item['date']}\t{item['kind']}\t{item['points']:.2f}\t{item['label']}"
                )
