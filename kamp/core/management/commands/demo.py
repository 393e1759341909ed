"""``kamp demo``: everything a first look at kamp needs, in one command."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from kamp import i18n
from kamp.core import demo, demo_guard


def pending_migrations() -> bool:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Command(BaseCommand):
    help = (
        "Set up the demo: migrate the database, compile the translations, load the demo data "
        "(SAF and its customers; kept if already there), print the demo logins and serve kamp "
        "on http://127.0.0.1:8000. Refuses a database that holds data that is not the demo's."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Prepare everything but do not start the server.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=(
                "Erase the whole database first and load the demo again (asks for 'yes' on a "
                "terminal; without one, --yes is required)."
            ),
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Confirm --reset without being asked (scripts, no terminal).",
        )
        parser.add_argument(
            # --bind as in ``kamp serve``; --addrport kept for those who learnt it first.
            "--bind",
            "--addrport",
            dest="addrport",
            default="127.0.0.1:8000",
            metavar="HOST:PORT",
            help="Where the server listens (default 127.0.0.1:8000).",
        )

    def handle(
        self,
        *args,
        no_serve=False,
        reset=False,
        yes=False,
        addrport="127.0.0.1:8000",
        **options,
    ):
        verbosity = options.get("verbosity", 1)
        db = settings.DATABASES["default"]
        where = db["NAME"] if db["ENGINE"].endswith("sqlite3") else db.get("HOST") or "PostgreSQL"
        self.stdout.write(f"kamp demo · database: {where}")
        if pending_migrations():
            self.stdout.write("Migrating the database…")
            call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        self.stdout.write("Compiling the translations…")
        compiled = i18n.compile_all()
        if compiled and verbosity > 1:
            self.stdout.write(f"Compiled {compiled} message catalogue(s).")
        if reset:
            self.confirm_reset(where, yes)
            self.stdout.write(self.style.WARNING("Erasing every row of the database…"))
            call_command("flush", interactive=False, verbosity=0)
        elif not demo.demo_exists():
            # The demo's accounts have a published password and one is a superuser: never
            # create them beside someone's real data (docs/security.md, "The demo").
            found = demo_guard.foreign_data()
            if found:
                raise CommandError(
                    f"This database ({where}) holds data that is not the demo's: "
                    + "; ".join(found)
                    + ". kamp demo loads its data only into an empty database or its own: "
                    "point KAMP_HOME or KAMP_DATABASE_URL at another database, or erase this "
                    "one with --reset."
                )
        if not demo.demo_exists():
            # The base parts run for many seconds before the first "+ …" line: say so.
            self.stdout.write("Loading the demo data (up to half a minute)…")
        ctx = demo.load(log=self.stdout.write)
        if ctx is None:
            self.stdout.write(
                "The demo data is already there: kept as it is (--reset to start over)."
            )
        else:
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.print_logins()
        if no_serve:
            return
        self.stdout.write(f"\nkamp is running on http://{addrport}/ — stop it with Ctrl+C.\n")
        try:
            call_command("runserver", addrport, use_reloader=False, skip_checks=True)
        except KeyboardInterrupt:  # pragma: no cover - interactive
            raise CommandError("stopped") from None

    def confirm_reset(self, where: str, yes: bool) -> None:
        """--reset erases everything: a person types "yes"; a script says --yes."""
        if yes:
            return
        if not sys.stdin.isatty():
            raise CommandError(
                "--reset erases the whole database and there is no terminal to ask: "
                "add --yes to confirm. Nothing was erased."
            )
        self.stdout.write(
            self.style.WARNING(
                f"--reset erases every row of {where} ({demo_guard.summary()}) "
                "and loads the demo instead."
            )
        )
        answer = input("Type 'yes' to erase it: ")
        if answer.strip().lower() != "yes":
            raise CommandError("Nothing was erased.")

    def print_logins(self) -> None:
        from kamp.core.models import User

        emails = [email for _key, email, *_rest in demo.PEOPLE]
        users = {u.email: u for u in User.objects.filter(email__in=emails, is_active=True)}
        shown_roles: set[str] = set()
        lines = []
        for _key, email, _name, role, _function in demo.PEOPLE:
            user = users.get(email)
            if user is None or role in shown_roles:
                continue
            shown_roles.add(role)
            lines.append(f"  {str(user.get_role_display()):<24} {email:<28} {demo.DEMO_PASSWORD}")
        if lines:
            self.stdout.write("\nDemo logins (role, e-mail, password):")
            self.stdout.write("\n".join(lines))
