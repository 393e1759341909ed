"""``kamp pnl --period PERIOD [--customer C ...] [--json]``: the account P&L for finance scripts."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from kamp.core.cli import add_customer_argument, add_json_argument, add_period_argument
from kamp.customers.identity import TSV_HEADER, customer_refs, resolve_customers, tsv_fields
from kamp.customers.models import Customer
from kamp.economics import figures, pnl, services

COLUMNS = [
    "net_revenue",
    "gross_margin",
    "cost_to_serve",
    "contribution",
    "kam_investments",
    "profit_after_kam",
]


class Command(BaseCommand):
    help = (
        "Print the account P&L per customer for a period, in the base currency: tab-separated, "
        "or one JSON array with money as decimal strings. Without --customer: every customer "
        "with money in the period."
    )

    def add_arguments(self, parser):
        add_period_argument(parser, required=True)
        add_customer_argument(parser)
        add_json_argument(parser)

    def handle(self, *args, **opts):
        try:
            period = pnl.Period.parse(opts["period"])
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2)
        if opts["customer"]:
            customers = resolve_customers(opts["customer"])
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
        refs = customer_refs(r[0] for r in rows)
        out = [
            {
                "customer": refs[cid],
                "customer_id": cid,
                **{k: v for k, v in value.as_dict(customer=cid).items() if k != "customer"},
            }
            for cid, value in rows
        ]
        if opts["json"]:
            # Beside the period's P&L, the account's headline figures as the pages and the API
            # give them (docs/figures.md): a script reads the same number a director sees.
            found = figures.figures_for([cid for cid, _value in rows], date.today())
            for row in out:
                row["figures"] = figures.figures_json(found[row["customer_id"]])
            self.stdout.write(json.dumps(out, indent=2, ensure_ascii=False))
            return
        self.stdout.write(
            "\t".join([*TSV_HEADER, "period", "currency", *COLUMNS, "share_of_wallet"])
        )
        for row in out:
            self.stdout.write(
                "\t".join(
                    [
                        *tsv_fields(row["customer"]),
                        row["period"],
                        row["currency"],
                        *(row[c] for c in COLUMNS),
                        row["share_of_wallet"] or "",
                    ]
                )
            )
