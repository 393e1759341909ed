"""``kamp lookback [--customer C ...] [--as-of DATE] [--json]``: the 12- and 24-month look-backs
of each key-account decision beside its matched non-key customers."""

import json

from django.core.management.base import BaseCommand

from kamp.core.cli import add_as_of_argument, add_customer_argument, add_json_argument
from kamp.customers.identity import customer_ref, resolve_customers
from kamp.customers.models import Customer
from kamp.selection import lookbacks
from kamp.selection.models import Decision


class Command(BaseCommand):
    help = (
        "The 12- and 24-month look-backs of each key-account decision: profit after KAM, share "
        "of wallet, RQI and diamond index then and now, beside matched non-key customers; a "
        "decision whose account did worse is flagged. JSON with --json."
    )

    def add_arguments(self, parser):
        add_customer_argument(parser)
        add_as_of_argument(parser)
        add_json_argument(parser)

    def handle(self, *args, **opts):
        customers = resolve_customers(opts["customer"])
        if not customers:
            ids = Decision.objects.filter(kind=Decision.Kind.MAKE).values_list(
                "customer_id", flat=True
            )
            customers = list(Customer.objects.filter(id__in=ids).order_by("name", "id"))
        rows = []
        for c in customers:
            for lb in lookbacks.for_customer(c, opts["as_of"]):
                rows.append({"customer": customer_ref(c), **lookbacks.as_json(lb, money=True)})
        if opts["json"]:
            self.stdout.write(json.dumps({"decisions": rows}, ensure_ascii=False))
            return
        for r in rows:
            flag = "\tflagged for review" if r["flagged"] else ""
            self.stdout.write(f"{r['customer']['name']}\t{r['decision']['decided_on']}{flag}")
            for h in r["lookbacks"]:
                state = h["verdict"] or "" if h["due"] else f"due on {h['due_on']}"
                self.stdout.write(f"  {h['months']} months\t{state}\t{h['controls']} matches")
