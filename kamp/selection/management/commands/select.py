"""``kamp select --json [--model NAME]``: the scoring and the recommendation, for scripts."""

import json

from django.core.management.base import BaseCommand, CommandError

from kamp.selection import engine
from kamp.selection.api import results_payload
from kamp.selection.models import SelectionModel


class Command(BaseCommand):
    help = "Score every customer and print the recommended key accounts (JSON with --json)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print JSON (the only format).")
        parser.add_argument("--model", help="A model's name (default: the active model).")

    def handle(self, *args, **opts):
        try:
            model = engine.get_model(opts.get("model"))
        except SelectionModel.DoesNotExist:
            raise CommandError(f"No selection model called {opts['model']!r}.")
        run = engine.run(model, use_cache=False, with_robustness=False)
        payload = results_payload(run)
        self.stdout.write(
            json.dumps(payload, ensure_ascii=False, indent=1 if not opts["json"] else None)
        )
