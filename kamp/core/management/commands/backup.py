"""``kamp backup [FILE]``: one archive of the database and the uploaded files
(``kamp.core.backup``; docs/operations.md, "Backups")."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kamp.core.backup import BackupError, create_backup, prune_backups
from kamp.core.cli import add_json_argument


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


class Command(BaseCommand):
    help = (
        "Back up the database and the uploaded files into one archive (.tar.gz), safe while kamp "
        "runs. FILE defaults to KAMP_HOME/backups/kamp-backup-<date>-<time>.tar.gz; a folder "
        "gets a file of that name."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Archive to write, or a folder for it.")
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="Then delete the oldest kamp-backup-*.tar.gz of that folder beyond the newest N.",
        )
        add_json_argument(parser)

    def handle(self, *args, file=None, keep=None, json=False, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1.", returncode=2)
        try:
            result = create_backup(Path(file) if file else None)
        except BackupError as error:
            raise CommandError(str(error)) from None
        pruned = prune_backups(result.path.parent, keep) if keep else []
        if json:
            self.stdout.write(_json({**result.as_dict(), "deleted": [str(p) for p in pruned]}))
            return
        self.stdout.write(
            f"Backed up {result.tables} tables ({result.rows} rows) of the {result.database} "
            f"database and {result.files} file(s) into {result.path} ({_size(result.size)}) "
            f"in {result.seconds:.1f} s."
        )
        for path in pruned:
            self.stdout.write(f"Deleted the old backup {path}.")


def _json(data) -> str:
    return json.dumps(data, indent=2)
