"""``kamp restore FILE [--force]``: put back what ``kamp backup`` saved (``kamp.core.backup``;
docs/operations.md, "Backups")."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kamp.core.backup import BackupError, restore_backup
from kamp.core.cli import add_json_argument


class Command(BaseCommand):
    help = (
        "Restore a backup archive written by `kamp backup`: the database (any kind: a SQLite "
        "backup restores into PostgreSQL and back) and the uploaded files. The whole archive "
        "is checked first; an older archive is migrated forward. Stop `kamp serve` and "
        "`kamp worker` first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive to restore.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that already holds data (all of it).",
        )
        add_json_argument(parser)

    def handle(self, *args, file, force=False, json=False, **options):
        try:
            result = restore_backup(Path(file), force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if json:
            self.stdout.write(_json(result.as_dict()))
            return
        data = result.as_dict()
        self.stdout.write(
            f"Restored {data['tables']} tables ({data['rows']} rows) and {result.files} file(s) "
            f"from {result.path} (kamp {result.kamp_version}, {result.source_database}, "
            f"{result.created_at}) into the {result.database} database in "
            f"{result.seconds:.1f} s."
        )
        if result.migrated_forward:
            self.stdout.write(
                f"Migrated forward: {len(result.migrated_forward)} migration(s) "
                f"({', '.join(result.migrated_forward[:5])}"
                f"{', …' if len(result.migrated_forward) > 5 else ''})."
            )


def _json(data) -> str:
    return json.dumps(data, indent=2)
