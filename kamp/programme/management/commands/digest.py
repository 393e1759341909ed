"""``kamp digest``: e-mail each KAM and director their alerts, overdue actions and stale plans.
Run weekly from cron or the worker."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from kamp.core.cli import add_as_of_argument, add_dry_run_argument, add_hidden_alias
from kamp.programme.digest import digest_for, is_empty, recipients, send_digest


class Command(BaseCommand):
    help = (
        "E-mail each KAM and director their weekly digest (alerts, overdue actions, stale plans)."
    )

    def add_arguments(self, parser):
        # Whom to send to, not who acts: --user means the acting user in every other command,
        # so the recipient has its own name; --user stays accepted for older crontabs.
        parser.add_argument("--to", metavar="EMAIL", help="Only this person's digest (e-mail).")
        add_hidden_alias(parser, "--user", dest="to")
        add_as_of_argument(parser)
        add_dry_run_argument(parser)
        parser.add_argument(
            "--include-empty",
            action="store_true",
            help="Also send when there is nothing to report.",
        )

    def handle(self, *args, **opts):
        as_of = opts["as_of"] or timezone.localdate()
        people = recipients()
        if opts["to"]:
            people = people.filter(email__iexact=opts["to"])
        sent = 0
        for user in people:
            if opts["dry_run"]:
                d = digest_for(user, as_of)
                self.stdout.write(
                    f"{user.email}: {d['alert_total']} alerts, "
                    f"{len(d['overdue_actions'] or [])} overdue actions, "
                    f"{len(d['stale_plans'] or [])} stale plans"
                    + (" (empty: not sent)" if is_empty(d) and not opts["include_empty"] else "")
                )
                continue
            if send_digest(user, as_of, skip_empty=not opts["include_empty"]):
                sent += 1
        if not opts["dry_run"]:
            self.stdout.write(f"{sent} digest(s) sent.")
