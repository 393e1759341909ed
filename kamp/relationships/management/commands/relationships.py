"""`kamp relationships [--json]`: the latest relationship type of every customer assessed.
`kamp relationships remind [--round ID]`: e-mail whoever has not answered an open survey round."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from kamp.relationships import actions, results
from kamp.relationships.models import SurveyRound


class Command(BaseCommand):
    help = "List relationship types (--json), or send survey reminders (remind)."

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", default="list", choices=["list", "remind"])
        parser.add_argument(
            "--json", action="store_true", help="Print JSON, one object per customer."
        )
        parser.add_argument("--round", type=int, help="remind: only this round.")

    def handle(self, *args, action="list", **opts):
        if action == "remind":
            return self._remind(opts.get("round"))
        from kamp.customers.models import Customer

        ids = list(
            Customer.objects.filter(relationship_assessments__isnull=False)
            .values_list("id", flat=True)
            .distinct()
        )
        latest = results.latest_assessments(ids)
        names = dict(Customer.objects.filter(pk__in=ids).values_list("id", "name"))
        rows = []
        for cid in sorted(latest, key=lambda i: (names[i].lower(), i)):
            a = latest[cid]
            rows.append(
                {
                    "customer": names[cid],
                    "ro": float(a.ro),
                    "ds": float(a.ds),
                    "db": float(a.db),
                    "relative_power": float(a.relative_power),
                    "type": a.type,
                    "date": a.date.isoformat(),
                }
            )
        if opts["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            self.stdout.write(
                f"{r['customer']}\t{r['date']}\tRO {r['ro']:.2f}\tD_s {r['ds']:.2f}"
                f"\tD_b {r['db']:.2f}\tRP {r['relative_power']:+.2f}\t{r['type']}"
            )

    def _remind(self, round_id):
        rounds = SurveyRound.objects.select_related("customer").filter(closed_at__isnull=True)
        if round_id:
            rounds = rounds.filter(pk=round_id)
            if not rounds.exists():
                raise CommandError(f"No open survey round {round_id}.")
        total = 0
        for rnd in rounds:
            if rnd.is_open:
                n = actions.do_remind(None, rnd)
                total += n
                if n:
                    self.stdout.write(f"{rnd.customer.name} ({rnd.opened_on}): {n} reminded")
        self.stdout.write(f"{total} reminders sent.")
