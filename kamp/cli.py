"""The ``kamp`` command: kamp's own commands plus every Django management command.

Each kamp command is a management command in one of kamp's apps (``kamp demo`` is
``kamp/core/management/commands/demo.py``), so ``kamp help`` and ``kamp --help`` list them all.
"""

import os
import sys

USAGE = """kamp — Key Account Management.

  kamp demo [--no-serve] [--reset]       the demo: migrate, load SAF's data, serve on :8000
  kamp serve [--workers N] [--bind A:P]  production server (gunicorn)
  kamp worker                            background worker for imports and recomputations
  kamp migrate                           create or update the database
  kamp createuser EMAIL --role ROLE      add a user (roles: admin director kam member viewer)
  kamp import KIND FILE                  import customers, contacts or sales from CSV / XLSX
  kamp help COMMAND                      a command's options
"""


def main() -> None:
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
