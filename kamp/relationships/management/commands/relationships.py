"""`kamp relationships [--json] [--customer C ...]`: the latest relationship type of every
customer assessed. `kamp relationships remind [--round ID] [--user EMAIL]`: e-mail whoever has
not answered an open survey round."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from kamp.core.cli import add_customer_argument, add_json_argument, add_user_argument, resolve_user
from kamp.customers.identity import TSV_HEADER, customer_refs, resolve_customers, tsv_fields
from kamp.relationships import actions, results
from kamp.relationships.models import SurveyRound

COLUMNS = ["date", "ro", "ds", "db", "relative_power", "type"]


class Command(BaseCommand):
    help = (
        "List the latest relationship type of each customer assessed (tab-separated, or "
        "--json), or send survey reminders (remind)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", default="list", choices=["list", "remind"])
        add_json_argument(parser)
        add_customer_argument(parser)
        parser.add_argument("--round", type=int, help="remind: only this round.")
        add_user_argument(parser)

    def handle(self, *args, action="list", **opts):
        if action == "remind":
            return self._remind(opts.get("round"), resolve_user(opts.get("user")))
        from kamp.customers.models import Customer

        qs = Customer.objects.filter(relationship_assessments__isnull=False)
        if opts["customer"]:
            qs = qs.filter(pk__in=[c.pk for c in resolve_customers(opts["customer"])])
        ids = list(qs.values_list("id", flat=True).distinct())
        latest = results.latest_assessments(ids)
        refs = customer_refs(latest)
        rows = []
        for cid in sorted(latest, key=lambda i: (refs[i]["name"].lower(), i)):
            a = latest[cid]
            rows.append(
                {
                    "customer": refs[cid],
                    "date": a.date.isoformat(),
                    "ro": float(a.ro),
                    "ds": float(a.ds),
                    "db": float(a.db),
                    "relative_power": float(a.relative_power),
                    "type": a.type,
                }
            )
        if opts["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        self.stdout.write("\t".join([*TSV_HEADER, *COLUMNS]))
        for r in rows:
            self.stdout.write(
                "\t".join(
                    [
                        *tsv_fields(r["customer"]),
                        r["date"],
                        f"{r['ro']:.2f}",
                        f"{r['ds']:.2f}",
                        f"{r['db']:.2f}",
                        f"{r['relative_power']:+.2f}",
                        r["type"],
                    ]
                )
            )

    def _remind(self, round_id, user):
        rounds = SurveyRound.objects.select_related("customer").filter(closed_at__isnull=True)
        if round_id:
            rounds = rounds.filter(pk=round_id)
            if not rounds.exists():
                raise CommandError(f"No open survey round {round_id}.", returncode=2)
        total = 0
        for rnd in rounds:
            if rnd.is_open:
                n = actions.do_remind(user, rnd)
                total += n
                if n:
                    self.stdout.write(f"{rnd.customer.name} ({rnd.opened_on}): {n} reminded")
        self.stdout.write(f"{total} reminders sent.")
