"""``kamp unlock EMAIL``: lift the login lockout of an e-mail after too many wrong passwords."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kamp.core.actions import do_unlock
from kamp.core.lockout import normalise_username


class Command(BaseCommand):
    help = (
        "Lift the login lockout of an e-mail address (after too many wrong passwords): from "
        "every address, or only from --ip. The person may log in again at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="+", help="The e-mail address(es) to unlock.")
        parser.add_argument(
            "--ip", help="Only the attempts from this client address (default: from anywhere)."
        )

    def handle(self, *args, email, ip=None, **options):
        for value in email:
            username = normalise_username(value)
            count = do_unlock(None, username, ip)
            if count:
                self.stdout.write(f"{username}: {count} failed attempt(s) cleared, unlocked.")
            else:
                self.stdout.write(f"{username}: no failed attempts recorded, nothing to unlock.")
