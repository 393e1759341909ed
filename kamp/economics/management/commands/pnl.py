"""``kamp pnl [--customer ID] --period PERIOD [--json]``: the account P&L for finance scripts."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from kamp.customers.models import Customer
from kamp.economics import pnl, services


class Command(BaseCommand):
    help = (
        "Print the account P&L per customer for a period (2025, 2025-Q3 or 2025-07), in the base "
        "currency. --json prints one JSON array with money as decimal strings."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--customer",
            action="append",
            default=[],
            help="Customer id, tax id or external id (repeatable). Default: all "
            "customers with money in the period.",
        )
        parser.add_argument("--period", required=True, help="2025, 2025-Q3 or 2025-07")
        parser.add_argument("--json", action="store_true", help="JSON output")

    def _find(self, ref: str) -> Customer:
        qs = Customer.objects.all()
        found = None
        if ref.isdigit():
            found = qs.filter(pk=int(ref)).first()
        found = found or qs.filter(tax_id=ref).first() or qs.filter(external_id=ref).first()
        if found is None:
            raise CommandError(f"No customer {ref!r} (give its id, tax id or external id).")
        return found

    def handle(self, *args, **opts):
        try:
            period = pnl.Period.parse(opts["period"])
        except ValueError as exc:
            raise CommandError(str(exc))
        if opts["customer"]:
            customers = [self._find(ref) for ref in opts["customer"]]
            ids = [c.pk for c in customers]
            values = services.portfolio_pnl(period, ids, with_previous=False)
            rows = [
                (c.pk, values.get(c.pk) or pnl.build_pnl(c.pk, period, services.rate_table()))
                for c in customers
            ]
        else:
            values = services.portfolio_pnl(period, None, with_previous=False)
            order = Customer.objects.filter(pk__in=list(values)).order_by("name", "pk")
            rows = [(pk, values[pk]) for pk in order.values_list("pk", flat=True)]
        # A finance script joins on its own codes: the tax id and the external (ERP) id go
        # with kamp's id.
        info = {
            pk: (name, tax_id, external_id)
            for pk, name, tax_id, external_id in Customer.objects.filter(
                pk__in=[r[0] for r in rows]
            ).values_list("pk", "name", "tax_id", "external_id")
        }
        out = []
        for cid, value in rows:
            name, tax_id, external_id = info.get(cid, ("", "", ""))
            out.append(
                {
                    "customer": cid,
                    "name": name,
                    "tax_id": tax_id,
                    "external_id": external_id,
                    **{k: v for k, v in value.as_dict(customer=cid).items() if k != "customer"},
                }
            )
        if opts["json"]:
            self.stdout.write(json.dumps(out, indent=2, ensure_ascii=False))
            return
        cols = [
            "net_revenue",
            "gross_margin",
            "cost_to_serve",
            "contribution",
            "kam_investments",
            "profit_after_kam",
        ]
        self.stdout.write(
            "\t".join(
                ["customer", "tax_id", "name", "period", "currency", *cols, "share_of_wallet"]
            )
        )
        for row in out:
            self.stdout.write(
                "\t".join(
                    [
                        str(row["customer"]),
                        row["tax_id"],
                        row["name"],
                        row["period"],
                        row["currency"],
                        *(row[c] for c in cols),
                        row["share_of_wallet"] or "",
                    ]
                )
            )
