"""The ``kamp`` command: kamp's own commands plus every Django management command.

Each kamp command is a management command in one of kamp's apps (``kamp demo`` is
``kamp/core/management/commands/demo.py``), so ``kamp help`` and ``kamp --help`` list them all.
"""

import os
import sys

USAGE = """kamp — Key Account Management.

Running kamp
  kamp demo [--no-serve] [--reset]        the demo: migrate, load SAF's data, serve on :8000
            [--bind A:P]                  (refuses a database holding other data)
  kamp serve [--workers N] [--bind A:P]   production server (gunicorn)
  kamp worker                             background worker for imports and recomputations
  kamp migrate                            create or update the database
  kamp createuser EMAIL --role ROLE       add a user (roles: admin director kam member viewer)
  kamp unlock EMAIL [--ip IP]             lift a login lockout after too many wrong passwords
  kamp backup [FILE] [--keep N]           one archive of the database and the uploaded files
  kamp restore FILE [--force]             put a backup back (any database kind; checked first)

Data in
  kamp import KIND FILE [--dry-run]       import customers, contacts, sales, interactions (CSV,
                                          XLSX; calendars .ics) … — kamp import fields KIND
  kamp import list | revert ID            past imports; undo one
  kamp import mappings [--json]           presets and saved mappings (--preset NAME uses one)

Selection
  kamp select [--json]                    score every customer; the recommended key accounts
  kamp reciprocity [--json]               willingness to co-invest, item by item
  kamp lookback [--customer C] [--json]   12- and 24-month look-backs of key-account decisions
  kamp model load FILE | show [--model N] the selection model as TOML

Economics
  kamp pnl --period PERIOD [--json]       the account P&L per customer
  kamp check_data [--fix --user EMAIL]    sales lines whose currency is not their customer's
  kamp groups [--customer C] [--json]     group accounts: their companies and roll-up
  kamp pipeline [--customer C] [--json]   bids: weighted pipeline, win rate, renewals due

Relationships and interactions
  kamp relationships [--json]             the latest relationship type of each customer
  kamp relationships remind               e-mail whoever has not answered a survey round
  kamp interactions analyse [--json]      bow-tie or diamond, per customer

Programme
  kamp programme [--json] [--as-of DATE]  the four challenge checks of the KAM programme
  kamp digest [--to EMAIL] [--dry-run]    e-mail each KAM and director their weekly digest
  kamp alerts refresh [--customer C]      recompute the stored alerts now (daily from cron);
                                          `kamp alerts pending`: accounts waiting for the worker

Connections
  kamp webhooks scan | retry | list       webhooks (cron): send overdue actions and new alerts,
                                          retry due deliveries, list the endpoints
  kamp calendars sync | list [--json]     connected calendars: read them now (the worker does it
                                          every few minutes), or list them with their state
  kamp mail sync [--json]                 read the dropbox mailbox now and log its new mail

The same flag means the same in every command:
  --user EMAIL        who acts (recorded in the history)
  --customer C        kamp's id, the tax id (with or without dots and dash) or the external id
  --as-of DATE        compute as of this date (YYYY-MM-DD)
  --period PERIOD     2025, 2025-Q3 or 2025-07
  --json              JSON for scripts; each customer as {"id", "tax_id", "external_id", "name"}
  --dry-run           check and show what would be done; change nothing
  --model NAME        a selection model by its name (default: the active one)

  kamp help COMMAND                       a command's options
"""


def main() -> None:
    try:
        _main()
    except BrokenPipeError:
        # The reader went away (`kamp select | head`): no traceback for what it chose not to
        # read. Python's advice: point stdout at devnull so the flush at exit cannot fail too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


def _main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kamp.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "kamp"
    if len(argv) > 1 and argv[1] in {"demo", "runserver"}:
        # The demo and the development server speak plain http on 127.0.0.1: cookies marked
        # Secure would not come back and nobody could log in. `kamp serve` keeps them secure.
        os.environ.setdefault("KAMP_SECURE_COOKIES", "0")
    if len(argv) == 1 or argv[1] in {"-h", "--help"}:
        print(USAGE)
        argv = ["kamp", "help"]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
