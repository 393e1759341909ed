"""The flags every ``kamp`` command shares, declared in one place.

A flag that means the same thing is spelled the same way, has the same destination and the same
help in every command (``tests/core/test_cli_consistency.py`` walks every parser to keep it so):
a script written against one command works against the next. Each command declares a shared
flag through the function here, never by hand. Old spellings stay accepted as hidden aliases
(:func:`add_hidden_alias`) so that existing scripts keep working; :data:`RETIRED` lists them.

``core`` knows no business app: the ``--customer`` flag is declared here, but turning its text
into a customer is ``kamp.customers.identity.resolve_customer``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date

from django.core.management.base import CommandError


@dataclass(frozen=True)
class SharedFlag:
    name: str
    dest: str
    help: str
    metavar: str | None = None


USER = SharedFlag(
    "--user",
    "user",
    "E-mail of the kamp user the command acts as (recorded in the history).",
    "EMAIL",
)
AS_OF = SharedFlag(
    "--as-of", "as_of", "The date to compute as of (YYYY-MM-DD); default today.", "DATE"
)
PERIOD = SharedFlag(
    "--period",
    "period",
    "A year (2025), a quarter (2025-Q3) or a month (2025-07).",
    "PERIOD",
)
CUSTOMER = SharedFlag(
    "--customer",
    "customer",
    "A customer: kamp's id, the tax id (with or without dots and dash) or the external id. "
    "Repeatable.",
    "CUSTOMER",
)
JSON = SharedFlag("--json", "json", "Print JSON (for scripts) instead of text.")
DRY_RUN = SharedFlag("--dry-run", "dry_run", "Check and show what would be done; change nothing.")
MODEL = SharedFlag(
    "--model", "model", "A selection model's name (default: the active model).", "NAME"
)

SHARED: tuple[SharedFlag, ...] = (USER, AS_OF, PERIOD, CUSTOMER, JSON, DRY_RUN, MODEL)

# Old spelling -> the shared flag that replaced it. Accepted, hidden from the help.
RETIRED: dict[str, str] = {"--as": "--user"}


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        # argparse turns this into "argument --as-of: …" and exit status 2
        raise argparse.ArgumentTypeError(f"“{text}” is not a date (YYYY-MM-DD).") from None


def add_user_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(USER.name, dest=USER.dest, metavar=USER.metavar, help=USER.help)


def add_as_of_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        AS_OF.name, dest=AS_OF.dest, metavar=AS_OF.metavar, type=_parse_date, help=AS_OF.help
    )


def add_period_argument(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    parser.add_argument(
        PERIOD.name, dest=PERIOD.dest, metavar=PERIOD.metavar, required=required, help=PERIOD.help
    )


def add_customer_argument(parser: argparse.ArgumentParser) -> None:
    """``--customer`` is always repeatable: the value is a list (empty: every customer)."""
    parser.add_argument(
        CUSTOMER.name,
        dest=CUSTOMER.dest,
        metavar=CUSTOMER.metavar,
        action="append",
        default=[],
        help=CUSTOMER.help,
    )


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(JSON.name, dest=JSON.dest, action="store_true", help=JSON.help)


def add_dry_run_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(DRY_RUN.name, dest=DRY_RUN.dest, action="store_true", help=DRY_RUN.help)


def add_model_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(MODEL.name, dest=MODEL.dest, metavar=MODEL.metavar, help=MODEL.help)


def add_hidden_alias(parser: argparse.ArgumentParser, old: str, *, dest: str, **kwargs) -> None:
    """Accept ``old`` as another spelling of the flag stored in ``dest``, without showing it.

    Kept for scripts written before the flags were unified (docs/cli.md lists them)."""
    parser.add_argument(old, dest=dest, help=argparse.SUPPRESS, default=argparse.SUPPRESS, **kwargs)


def resolve_user(email: str | None, *, default_admin: bool = False):
    """The active user with this e-mail; ``None`` without one (or the first admin when
    ``default_admin``). A clear error for an unknown e-mail."""
    from kamp.core.choices import Role
    from kamp.core.models import User

    if email:
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with e-mail {email}.", returncode=2)
        return user
    if not default_admin:
        return None
    user = (
        User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        or User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    )
    if user is None:
        raise CommandError("No admin to act as: give --user EMAIL.", returncode=2)
    return user
