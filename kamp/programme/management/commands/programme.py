"""``kamp programme [--json]``: the four challenge checks of the KAM programme with their figures."""

import json

from django.core.management.base import BaseCommand
from django.utils import timezone, translation

from kamp.programme.service import programme_checks


class Command(BaseCommand):
    help = "Print the programme health: the four challenge checks with their figures."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Machine-readable output.")
        parser.add_argument("--as-of", help="Date (YYYY-MM-DD); default today.")
        parser.add_argument("--language", default="en")

    def handle(self, *args, **opts):
        from datetime import date

        as_of = date.fromisoformat(opts["as_of"]) if opts["as_of"] else timezone.localdate()
        with translation.override(opts["language"]):
            checks = programme_checks(as_of)
            if opts["json"]:
                self.stdout.write(
                    json.dumps(
                        {"as_of": as_of.isoformat(), "checks": [c.as_json() for c in checks]},
                        indent=2,
                        default=str,
                        ensure_ascii=False,
                    )
                )
                return
            for c in checks:
                self.stdout.write(f"{c.title}: {c.status_label}")
                for line in c.lines:
                    self.stdout.write(f"  - {line}")
                for m in c.missing:
                    self.stdout.write(f"  ? {m}")
                for a in c.accounts:
                    self.stdout.write(f"  * {a['name']}: {a['why']}")
