"""`manage.py flush`, which empties the whole database (the test suite runs it after every
transactional test), with the evidence guards lifted for its own transaction only: the triggers
that refuse deleting or truncating records (crm_archive/db_guards.py) would otherwise refuse it."""

from django.core.management.commands.flush import Command as DjangoFlushCommand
from django.db import connections, transaction

from crm_archive.db_guards import guards_lifted


class Command(DjangoFlushCommand):
    help = DjangoFlushCommand.help + " The guards against deleting records are lifted for the flush only."

    def handle(self, **options):
        database = options["database"]
        with transaction.atomic(using=database), guards_lifted(connections[database]):
            super().handle(**options)
