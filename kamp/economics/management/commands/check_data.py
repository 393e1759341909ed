"""``kamp check_data [--customer C ...] [--json] [--fix --user EMAIL] [--relabel CODE]``: sales
lines whose currency disagrees with their customer, and their correction (docs/economics.md)."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from kamp.core.cli import (
    add_customer_argument,
    add_json_argument,
    add_user_argument,
    resolve_user,
)
from kamp.customers.identity import TSV_HEADER, customer_refs, resolve_customers, tsv_fields
from kamp.customers.models import Customer
from kamp.economics import actions
from kamp.economics.currency_check import sales_currency_mismatches

COLUMNS = ["currency", "expected", "lines", "net_amount", "first", "last", "action"]


class Command(BaseCommand):
    help = (
        "List the sales lines whose currency is not their customer's (or the base currency for "
        "a customer without one): tab-separated, or JSON. With --fix --user EMAIL, lines "
        "without a currency are labelled with that currency — the one their amounts were "
        "always read in, so no figure changes; amounts are never converted. Lines the file "
        "labelled otherwise are only listed, unless --relabel names their label as a default."
    )

    def add_arguments(self, parser):
        add_customer_argument(parser)
        add_json_argument(parser)
        add_user_argument(parser)
        parser.add_argument(
            "--fix",
            action="store_true",
            help="Relabel the lines that can be relabelled safely (needs --user, a director "
            "or an admin; recorded in each customer's history).",
        )
        parser.add_argument(
            "--relabel",
            action="append",
            default=[],
            metavar="CODE",
            help="With --fix: also relabel lines labelled CODE (e.g. USD), when you know that "
            "label was a default and not the currency of the sale. Repeatable.",
        )

    def handle(self, *args, **opts):
        relabel = {c.strip().upper() for c in opts["relabel"] if c.strip()}
        user = None
        if opts["fix"]:
            user = resolve_user(opts["user"])
            if user is None:
                raise CommandError(
                    "--fix needs --user EMAIL (recorded in the history).", returncode=2
                )
            if not user.manages_programme:
                raise CommandError("Only a director or an admin corrects sales data.", returncode=2)
        elif relabel:
            raise CommandError("--relabel only goes with --fix.", returncode=2)
        ids = None
        if opts["customer"]:
            ids = [c.pk for c in resolve_customers(opts["customer"])]
        found = sales_currency_mismatches(ids)
        refs = customer_refs(m.customer_id for m in found)
        customers = Customer.objects.in_bulk([m.customer_id for m in found])
        out = []
        for m in found:
            fixable = m.defaulted or m.currency in relabel
            fixed = 0
            if fixable and user is not None:
                try:
                    fixed = actions.do_relabel_sales_currency(
                        user, customers[m.customer_id], m.currency
                    )
                except PermissionDenied as exc:
                    raise CommandError(str(exc), returncode=2) from None
            if fixed:
                action = "relabelled"
            elif fixable:
                action = "relabel"  # what --fix would do
            else:
                action = "check"  # a label the file gave: check the source, never guessed
            out.append(
                {
                    "customer": refs[m.customer_id],
                    "customer_id": m.customer_id,
                    "currency": m.currency,
                    "expected": m.expected,
                    "lines": m.lines,
                    "net_amount": str(m.net_amount),
                    "first": m.first.isoformat(),
                    "last": m.last.isoformat(),
                    "action": action,
                }
            )
        if opts["json"]:
            self.stdout.write(json.dumps(out, indent=2, ensure_ascii=False))
            return
        self.stdout.write("\t".join([*TSV_HEADER, *COLUMNS]))
        for row in out:
            self.stdout.write(
                "\t".join([*tsv_fields(row["customer"]), *(str(row[c]) for c in COLUMNS)])
            )
