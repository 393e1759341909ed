"""The ``kamp`` command: kamp's own commands plus every Django management command.

Each kamp command is a management command in one of kamp's apps (``kamp demo`` is
``kamp/core/management/commands/demo.py``), so ``kamp help`` and ``kamp --help`` list them all.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kamp.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "kamp"
    if len(argv) == 1 or argv[1] in {"-h", "--help"}:
        argv = ["kamp", "help"]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
