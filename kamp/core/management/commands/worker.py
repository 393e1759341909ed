"""``kamp worker``: the background task worker (django-tasks' database backend) that runs long
imports and recomputations. Run one or more beside the web processes; every option of
django-tasks-db's ``db_worker`` applies (``kamp worker --help``)."""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = (
        "Run kamp's background task worker (imports, recomputations). Keep it running beside "
        "`kamp serve`; --batch processes what is queued and exits."
    )
