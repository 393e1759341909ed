"""``kamp pipeline [--customer C ...] [--as-of DATE] [--json]``: bids and opportunities — the
weighted pipeline, win rate and reasons by quarter, per account and for the programme, and the
renewals coming up (docs/pipeline.md)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from kamp.core.cli import add_as_of_argument, add_customer_argument, add_json_argument
from kamp.customers.identity import TSV_HEADER, customer_ref, resolve_customers, tsv_fields

from ... import service
from ...api import bid_out, contract_out
from ...models import Bid, Contract


def _summary(bids) -> dict:
    out = service.summary(bids, money=True, currency_of=lambda b: b.customer.currency or "")
    out["quarters"] = [q.__dict__ for q in out["quarters"]]
    out["pipeline"] = {
        cur: {k: str(v) for k, v in figs.items()} for cur, figs in (out["pipeline"] or {}).items()
    }
    return out


def _plain(row: dict) -> dict:
    return {
        k: (
            str(v)
            if v is not None and not isinstance(v, (str, int, float, bool, list, dict))
            else v
        )
        for k, v in row.items()
    }


class Command(BaseCommand):
    help = (
        "Print the bids and opportunities: the weighted pipeline, win rate and reasons by "
        "quarter for the programme and each account with bids, and the contracts due for "
        "renewal: tab-separated, or JSON. A bid counts as closed only if it closed by --as-of."
    )

    def add_arguments(self, parser):
        add_customer_argument(parser)
        add_as_of_argument(parser)
        add_json_argument(parser)

    def handle(self, *args, **opts):
        as_of = opts["as_of"] or timezone.localdate()
        bids = Bid.objects.select_related("customer").order_by(
            "customer__name", "customer_id", "pk"
        )
        contracts = Contract.objects.select_related("customer").order_by("ends_on", "pk")
        if opts["customer"]:
            ids = [c.pk for c in resolve_customers(opts["customer"])]
            bids = bids.filter(customer_id__in=ids)
            contracts = contracts.filter(customer_id__in=ids)
        # As of a day: what had not closed yet by then was still open.
        # The day a bid was entered is the company's day (its time zone), as --as-of is: the
        # UTC day runs ahead in the evening of the Americas.
        rows = [b for b in bids if timezone.localdate(b.created_at) <= as_of]
        for b in rows:
            if b.closed_on and b.closed_on > as_of:
                b.stage, b.closed_on = "negotiation", None
        by_customer: dict[int, list[Bid]] = {}
        for b in rows:
            by_customer.setdefault(b.customer_id, []).append(b)
        out = {
            "as_of": as_of.isoformat(),
            "programme": _summary(rows),
            "customers": [
                {
                    "customer": customer_ref(items[0].customer),
                    "summary": _summary(items),
                    "bids": [_plain(bid_out(b, True)) for b in items],
                }
                for items in by_customer.values()
            ],
            "renewals": [
                _plain(contract_out(c, True, as_of)) for c in service.renewals(contracts, as_of)
            ],
        }
        if opts["json"]:
            self.stdout.write(json.dumps(out, indent=2, ensure_ascii=False))
            return
        self.stdout.write(
            "\t".join([*TSV_HEADER, "open_bids", "won", "lost", "win_rate", "currency", "weighted"])
        )
        for row in out["customers"]:
            s = row["summary"]
            pipeline = s["pipeline"] or {"": {"weighted": ""}}
            for cur, figs in pipeline.items():
                self.stdout.write(
                    "\t".join(
                        [
                            *tsv_fields(row["customer"]),
                            str(s["open_count"]),
                            str(s["won"]),
                            str(s["lost"]),
                            "" if s["win_rate"] is None else f"{s['win_rate']:.1f}",
                            cur,
                            str(figs["weighted"]),
                        ]
                    )
                )
