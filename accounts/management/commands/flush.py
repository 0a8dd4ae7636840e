"""`manage.py flush`, which empties the whole database.

The test suite runs it after every transactional test, and there the evidence guards (the
triggers that refuse deleting or truncating records, crm_archive/db_guards.py) are lifted for
the flush's own transaction. Anywhere else — a production database — the guards stay: records
and evidence are never deleted, so a flush is refused by the database, as any DELETE is.
The test settings allow it with FLUSH_LIFTS_EVIDENCE_GUARDS = True."""

from contextlib import nullcontext

from django.conf import settings
from django.core.management.commands.flush import Command as DjangoFlushCommand
from django.db import connections, transaction

from crm_archive.db_guards import guards_lifted


class Command(DjangoFlushCommand):
    help = DjangoFlushCommand.help + " Refused by the database's guards unless FLUSH_LIFTS_EVIDENCE_GUARDS is set."

    def handle(self, **options):
        database = options["database"]
        lifting = getattr(settings, "FLUSH_LIFTS_EVIDENCE_GUARDS", False)
        with transaction.atomic(using=database), guards_lifted(connections[database]) if lifting else nullcontext():
            super().handle(**options)
