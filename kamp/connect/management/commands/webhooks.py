"""``kamp webhooks``: the webhooks' periodic work, for cron (every few minutes).

``scan`` finds the events that are states rather than changes (a plan action fallen overdue, a
new alert) and sends each once; ``retry`` tries every delivery whose pause has passed (the
worker schedules retries itself; this catches up after a worker was down); ``list`` shows the
endpoints with their state."""

from django.core.management.base import BaseCommand

from kamp.connect import events, tasks
from kamp.connect.models import WebhookEndpoint
from kamp.core.cli import add_as_of_argument


class Command(BaseCommand):
    help = (
        "Webhooks: scan for overdue actions and new alerts, retry due deliveries, list endpoints."
    )

    def add_arguments(self, parser):
        parser.add_argument("job", choices=["scan", "retry", "list"])
        add_as_of_argument(parser)

    def handle(self, *args, **opts):
        if opts["job"] == "scan":
            sent = events.scan(opts["as_of"])
            self.stdout.write(f"{sent} event(s) queued.")
        elif opts["job"] == "retry":
            tried = tasks.retry_due()
            self.stdout.write(f"{tried} delivery(ies) tried.")
        else:
            for e in WebhookEndpoint.objects.all():
                state = "active" if e.active else "off"
                self.stdout.write(
                    f"{e.pk}\t{e.name}\t{state}\t{e.consecutive_failures}\t{','.join(e.events)}"
                )
