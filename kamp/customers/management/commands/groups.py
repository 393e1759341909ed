"""``kamp groups [--customer C ...] [--as-of DATE] [--json]``: the group accounts and their
roll-up (docs/groups.md)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from kamp.core.cli import add_as_of_argument, add_customer_argument, add_json_argument
from kamp.customers.identity import TSV_HEADER, resolve_customers, tsv_fields
from kamp.customers.models import Customer


class Command(BaseCommand):
    help = (
        "Print the group accounts with their companies and the group's money figures over the "
        "last 12 complete months (the sum of its companies while they belonged to it): "
        "tab-separated, or JSON. --customer names a group account or one of its companies."
    )

    def add_arguments(self, parser):
        add_customer_argument(parser)
        add_as_of_argument(parser)
        add_json_argument(parser)

    def handle(self, *args, **opts):
        from kamp.customers import membership
        from kamp.economics.group import group_json

        as_of = opts["as_of"] or timezone.localdate()
        if opts["customer"]:
            ids = []
            for c in resolve_customers(opts["customer"]):
                gid = membership.current_group_id(c)
                if gid is not None and gid not in ids:
                    ids.append(gid)
            found = Customer.objects.filter(pk__in=ids)
        else:
            found = Customer.objects.filter(is_group_account=True)
        out = [group_json(g, as_of, money=True) for g in found.order_by("name", "pk")]
        if opts["json"]:
            self.stdout.write(json.dumps(out, indent=2, ensure_ascii=False))
            return
        self.stdout.write(
            "\t".join([*TSV_HEADER, "companies", "currency", "net_revenue", "profit_after_kam"])
        )
        for row in out:
            figs = row["figures"]
            self.stdout.write(
                "\t".join(
                    [
                        *tsv_fields(row["group"]),
                        str(len(row["companies"])),
                        figs["revenue"]["currency"],
                        figs["revenue"]["value"],
                        figs["profit_after_kam"]["value"],
                    ]
                )
            )
