"""``kamp interactions analyse`` — bow-tie or diamond, per customer, on the command line;
``kamp interactions import FILE`` — log interactions from a CSV or a calendar (.ics) file: the
work behind ``kamp import interactions FILE`` (the documented command; this spelling is kept as
an alias). It lives here because ``core``, where ``kamp import`` is, knows no business app."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kamp.core.cli import (
    add_as_of_argument,
    add_customer_argument,
    add_dry_run_argument,
    add_hidden_alias,
    add_json_argument,
    add_user_argument,
    resolve_user,
)
from kamp.core.models import ImportBatch
from kamp.customers.identity import resolve_customers
from kamp.customers.models import Customer

from ... import imports
from ...api import analysis_rows


class Command(BaseCommand):
    help = (
        "Interaction analysis (bow-tie / diamond) per customer. `kamp interactions import FILE` "
        "is another name for `kamp import interactions FILE` (CSV or calendar .ics)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        a = sub.add_parser(
            "analyse", help="Form, diamond index, functional pairs and risks per customer."
        )
        add_customer_argument(a)
        add_as_of_argument(a)
        a.add_argument(
            "--status", default="", help="Only customers with this status (e.g. key_account)."
        )
        add_json_argument(a)
        t = sub.add_parser(
            "target",
            help="Target interaction form, the suggested form (B needs trust), progress and "
            "the next pair to open, per customer that has a target (or those given).",
        )
        add_customer_argument(t)
        add_json_argument(t)
        i = sub.add_parser(
            "import", help="Same as `kamp import interactions FILE` (CSV or calendar .ics)."
        )
        i.add_argument("file")
        add_dry_run_argument(i)
        i.add_argument(
            "--create-people",
            action="store_true",
            help="Create unknown people (ours need a function in our_functions) and contacts.",
        )
        i.add_argument(
            "--since",
            default="",
            help="Calendars: expand recurring meetings from this day (YYYY-MM-DD; default: a "
            "year ago).",
        )
        i.add_argument(
            "--remove-cancelled",
            action="store_true",
            help="Calendars: remove logged interactions whose meeting the file shows cancelled.",
        )
        add_user_argument(i)
        add_hidden_alias(i, "--as", dest="user")

    def handle(self, *args, **opts):
        if opts["action"] == "analyse":
            return self.analyse(opts)
        if opts["action"] == "target":
            return self.target(opts)
        return self.do_import(opts)

    def analyse(self, opts):
        qs = Customer.objects.all()
        if opts["customer"]:
            qs = qs.filter(pk__in=[c.pk for c in resolve_customers(opts["customer"])])
        if opts["status"]:
            qs = qs.filter(status=opts["status"])
        rows = analysis_rows(qs, opts["as_of"])
        if opts["json"]:
            self.stdout.write(
                json.dumps(
                    [{k: v for k, v in r.items() if k != "name"} for r in rows],
                    ensure_ascii=False,
                    indent=1,
                )
            )
            return
        for r in rows:
            pairs = ", ".join(f"{a}↔{b}" for a, b in r["functional_pairs"]) or "-"
            self.stdout.write(
                f"{r['customer_id']:>6} {r['name'][:40]:40} {r['form']} "
                f"diamond={r['diamond_index']:.2f} pairs={pairs}"
            )
            for risk in r["risks"]:
                self.stdout.write(f"{'':8}! {risk['kind']}: {risk['detail']}")

    def target(self, opts):
        from ...api import target_row

        if opts["customer"]:
            customers = list(resolve_customers(opts["customer"]))
        else:
            customers = list(Customer.objects.filter(target_form__isnull=False).order_by("pk"))
        rows = [target_row(c) for c in customers]
        if opts["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
            return
        for r in rows:
            p = r["progress"]
            done = f"{p['done']}/{p['needed']}" if p else "-"
            n = r["next_pair"]
            nxt = f"{n['ours']}↔{n['theirs']} {n['contact_name']}".strip() if n else "-"
            back = " FALLING BACK" if r["falling_back"] else ""
            self.stdout.write(
                f"{r['customer']['id']:>6} {r['customer']['name'][:40]:40} "
                f"target={r['form'] or '-'} suggested={r['suggested_form']} "
                f"progress={done} next={nxt}{back}"
            )

    def do_import(self, opts):
        path = Path(opts["file"])
        if not path.exists():
            raise CommandError(f"No such file: {path}", returncode=2)
        user = resolve_user(opts.get("user"), default_admin=True)
        if path.suffix.lower() in imports.CALENDAR_SUFFIXES:
            if opts["create_people"]:
                # A calendar's people are matched by e-mail: creating them from an address
                # alone would store people nobody vouched for.
                raise CommandError(
                    "--create-people is for CSV and XLSX files: a calendar is matched by "
                    "e-mail to the people and contacts kamp already has (add the missing ones "
                    "first, or import a CSV with --create-people).",
                    returncode=2,
                )
            since = None
            if opts.get("since"):
                try:
                    since = date.fromisoformat(opts["since"])
                except ValueError:
                    raise CommandError(
                        f"--since takes a date as YYYY-MM-DD, not “{opts['since']}”.",
                        returncode=2,
                    )
            return self.import_calendar(
                user,
                path.read_bytes(),
                path.name,
                opts["dry_run"],
                since=since,
                remove_cancelled=opts.get("remove_cancelled", False),
            )
        return self.import_csv(user, path, opts["dry_run"], opts["create_people"])

    def import_calendar(self, user, data, name, dry_run, since=None, remove_cancelled=False):
        plan = imports.plan_calendar(data, user, since=since)
        if plan.errors:
            raise CommandError("; ".join(plan.errors))
        for e in plan.matched:
            self.stdout.write(
                f"LOG      {e['date']} {e['customer']}: {e['topic']} "
                f"[{', '.join(e['our_names'])} ↔ {', '.join(e['their_names'])}]"
            )
        for s in plan.series:
            nxt = f", next on {s['next']}" if s["next"] else ""
            self.stdout.write(
                f"SERIES   {s['topic']}: {_count(s['occurrences'], 'occurrence')} from {plan.since} "
                f"to today{nxt}"
            )
        for e in plan.already:
            self.stdout.write(f"ALREADY  {e['date']} {e['topic']}")
        for e in plan.planned:
            who = f" {e['customer']}:" if e.get("customer") else ""
            self.stdout.write(f"PLANNED  {e['date']}{who} {e['topic']} (not held yet)")
        for e in plan.cancelled:
            self.stdout.write(
                f"CANCELLED {e['date']} {e['customer']}: {e['topic']} (logged, since cancelled"
                f"{'' if remove_cancelled else '; --remove-cancelled removes it'})"
            )
        for e in plan.not_allowed:
            self.stdout.write(f"DENIED   {e['date']} {e['topic']} (a customer {user} may not edit)")
        for e in plan.unmatched:
            self.stdout.write(f"UNMATCHED {e['date']} {e['topic']} ({e['reason']})")
        for e in plan.unreadable:
            self.stdout.write(f"UNREADABLE line {e['line']}: {e['topic']} ({e['reason']})")
        remove = plan.cancelled if remove_cancelled else []
        if dry_run:
            self.stdout.write(
                f"Dry run: {_count(len(plan.matched), 'event')} would be logged, "
                f"{len(remove)} removed."
            )
            return
        if not plan.matched and not remove:
            self.stdout.write("Nothing to log.")
            return
        batch, made, removed = imports.save_calendar(user, plan.matched, name, remove=remove)
        where = f" (import #{batch.pk})" if batch else ""
        self.stdout.write(f"{_count(len(made), 'interaction')} logged, {removed} removed{where}.")

    def import_csv(self, user, path, dry_run, create_people):
        """Through the import engine (the same as ``kamp import interactions FILE``), with
        ``--create-people`` on top."""
        from kamp.core.imports import ImportOptions, run_import

        batch = run_import(
            imports.InteractionImport(create_people=create_people),
            path,
            user=user,
            options=ImportOptions(dry_run=dry_run),
        )
        for e in batch.errors[:50]:
            where = f"line {e['line']}" if e.get("line") else "file"
            self.stderr.write(f"{where}, {e.get('column') or e.get('field')}: {e['message']}")
        if batch.status == ImportBatch.Status.DONE:
            self.stdout.write(f"{_count(batch.created_count, 'row')} created (import #{batch.pk}).")
            return
        if dry_run and not batch.invalid_count and batch.status != ImportBatch.Status.FAILED:
            self.stdout.write(
                f"Dry run: {_count(batch.total_rows, 'row')} "
                f"{'is' if batch.total_rows == 1 else 'are'} good; nothing written."
            )
            batch.delete()
            return
        message = batch.message or "The file has errors"
        if dry_run:
            batch.delete()
        raise CommandError(f"{message} Nothing imported.")


def _count(n: int, noun: str) -> str:
    """``1 interaction``, ``3 interactions``: the command speaks English."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
