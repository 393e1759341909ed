"""``kamp select [--json] [--model NAME] [--customer C ...]``: the scoring and the
recommendation, for scripts."""

import json

from django.core.management.base import BaseCommand, CommandError

from kamp.core.cli import add_customer_argument, add_json_argument, add_model_argument
from kamp.customers.identity import TSV_HEADER, resolve_customers, tsv_fields
from kamp.selection import engine
from kamp.selection.api import results_payload
from kamp.selection.models import SelectionModel

COLUMNS = ["status", "attractiveness", "position", "co_investment", "quadrant", "rank"]


def _cell(value) -> str:
    return "" if value is None else str(value)


class Command(BaseCommand):
    help = (
        "Score every customer with the active selection model (or --model) and print the "
        "results with the recommended key accounts: tab-separated, or JSON with --json."
    )

    def add_arguments(self, parser):
        add_json_argument(parser)
        add_customer_argument(parser)
        add_model_argument(parser)

    def handle(self, *args, **opts):
        only = {c.pk for c in resolve_customers(opts["customer"])} or None
        try:
            model = engine.get_model(opts.get("model"))
        except SelectionModel.DoesNotExist:
            raise CommandError(f"No selection model called {opts['model']!r}.", returncode=2)
        run = engine.run(model, use_cache=False, with_robustness=False)
        payload = results_payload(run, only)
        if opts["json"]:
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write("\t".join([*TSV_HEADER, *COLUMNS, "recommended", "reason"]))
        for r in payload["results"]:
            self.stdout.write(
                "\t".join(
                    [
                        *tsv_fields(r["customer"]),
                        *(_cell(r[c]) for c in COLUMNS),
                        "yes" if r["recommended"] else "",
                        str(r["reason"]).replace("\t", " ").replace("\n", " "),
                    ]
                )
            )
