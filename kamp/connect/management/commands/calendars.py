"""``kamp calendars``: the connected calendars.

``sync`` reads every active connection now (or one, ``--connection ID``, even a stopped one),
in this process, and says what each sync did (``--json``: one object per connection); the
worker does the same by itself every ``KAMP_CALENDAR_SYNC_MINUTES``. ``list`` shows the
connections with their state (never a password or a feed's address)."""

import json

from django.core.management.base import BaseCommand, CommandError

from kamp.connect import calendars
from kamp.connect.models import CalendarConnection
from kamp.core.cli import add_json_argument


class Command(BaseCommand):
    help = "Connected calendars: sync them now, or list them with their state."

    def add_arguments(self, parser):
        parser.add_argument("job", choices=["sync", "list"])
        parser.add_argument("--connection", type=int, help="only this connection (its id)")
        add_json_argument(parser)

    def handle(self, *args, **opts):
        connections = CalendarConnection.objects.select_related("user").order_by("pk")
        if opts["connection"] is not None:
            connections = connections.filter(pk=opts["connection"])
            if not connections.exists():
                raise CommandError(f"No calendar connection {opts['connection']}.")
        elif opts["job"] == "sync":
            connections = connections.filter(active=True)
        rows = []
        failed = 0
        for c in connections:
            row = {
                "id": c.pk,
                "name": c.name,
                "user": c.user.email,
                "kind": c.kind,
                "mode": c.mode,
                "place": c.place,
            }
            if opts["job"] == "sync":
                out = calendars.sync(c.pk, force=opts["connection"] is not None)
                row.update(out.as_dict())
                failed += bool(out.error)
            else:
                row.update(
                    active=c.active,
                    failures=c.consecutive_failures,
                    last_sync=c.last_sync_at.isoformat() if c.last_sync_at else None,
                    last_error=c.last_error,
                )
            rows.append(row)
        if opts["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
        else:
            for r in rows:
                if opts["job"] == "sync":
                    state = (
                        f"failed: {r['error']}"
                        if r["error"]
                        else (
                            f"{r['events']} events, {r['logged']} logged, {r['updated']} moved, "
                            f"{r['withdrawn']} withdrawn, {r['waiting']} to review, "
                            f"{r['offered']} offered for removal"
                        )
                    )
                else:
                    state = "active" if r["active"] else "stopped"
                    if r["last_error"]:
                        state += f" ({r['failures']} failures: {r['last_error']})"
                self.stdout.write(f"{r['id']}\t{r['name']}\t{r['user']}\t{r['place']}\t{state}")
        if failed:
            raise CommandError(f"{failed} calendar sync(s) failed.")
