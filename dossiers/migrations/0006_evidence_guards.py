"""Dossiers and documents are never deleted (destruction marks them destroyed); the backup-key
log and the history of dossiers and documents are evidence: never deleted nor changed, not even
by raw SQL or TRUNCATE (see crm_archive/db_guards.py). The DELETE triggers destruction/0002 put
on this app's tables are replaced by these."""

from django.db import migrations

from crm_archive.db_guards import guard_tables


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0005_archive_number_trigram")]

    operations = [
        guard_tables(
            "dossiers",
            never_deleted=["dossiers_dossier", "dossiers_document"],
            append_only=["dossiers_backupkeyuse", "dossiers_historicaldossier", "dossiers_historicaldocument"],
        )
    ]
