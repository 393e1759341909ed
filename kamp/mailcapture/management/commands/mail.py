"""``kamp mail sync [--json]``: read the dropbox mailbox now (the worker does it every
KAMP_MAIL_SYNC_MINUTES); exits with 1 when the mailbox cannot be read."""

import json

from django.core.management.base import BaseCommand, CommandError

from kamp.core.cli import add_json_argument
from kamp.mailcapture import sync


class Command(BaseCommand):
    help = "Mail capture: read the dropbox mailbox now and log its new mail."

    def add_arguments(self, parser):
        parser.add_argument("job", choices=["sync"])
        add_json_argument(parser)

    def handle(self, *args, **opts):
        result = sync.sync()
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        elif result.skipped:
            reasons = {
                "not_configured": "No dropbox mailbox is set up.",
                "disabled": "The dropbox mailbox is turned off.",
                "running": "Another check of the mailbox is running.",
            }
            self.stdout.write(reasons.get(result.skipped, result.skipped))
        elif not result.error:
            self.stdout.write(
                f"{result.read} mail read: {result.logged} logged, {result.unmatched} to "
                f"resolve, {result.too_large} too large, {result.unreadable} unreadable, "
                f"{result.duplicates} already read."
            )
            for line in result.errors:
                self.stdout.write(line)
        if result.error:
            raise CommandError(result.error)
