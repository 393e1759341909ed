"""``kamp programme [--json] [--as-of DATE]``: the four challenge checks of the KAM programme
with their figures."""

import json

from django.core.management.base import BaseCommand
from django.utils import timezone, translation

from kamp.core.cli import add_as_of_argument, add_json_argument
from kamp.programme.api import health_payload
from kamp.programme.service import programme_checks


class Command(BaseCommand):
    help = "Print the programme health: the four challenge checks with their figures."

    def add_arguments(self, parser):
        add_json_argument(parser)
        add_as_of_argument(parser)
        parser.add_argument("--language", default="en", help="es or en (default en).")

    def handle(self, *args, **opts):
        as_of = opts["as_of"] or timezone.localdate()
        with translation.override(opts["language"]):
            if opts["json"]:
                # the same payload as GET /api/v1/programme/health
                payload = health_payload(as_of)
                self.stdout.write(json.dumps(payload, indent=2, default=str, ensure_ascii=False))
                return
            checks = programme_checks(as_of)
            for c in checks:
                self.stdout.write(f"{c.title}: {c.status_label}")
                for line in c.lines:
                    self.stdout.write(f"  - {line}")
                for m in c.missing:
                    self.stdout.write(f"  ? {m}")
                for a in c.accounts:
                    self.stdout.write(f"  * {a['name']}: {a['why']}")
