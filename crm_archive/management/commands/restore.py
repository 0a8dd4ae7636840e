"""`manage.py restore ARCHIVE`: the database and the scans back from one backup archive
(crm_archive/backup.py), into an empty database and an empty MEDIA_ROOT unless --force."""

from django.core.management.base import BaseCommand, CommandError

from crm_archive.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive written by `manage.py backup` into the database of DATABASE_URL and into "
        "MEDIA_ROOT. Checks every part's SHA-256 before writing anything and every table's row count before "
        "reporting success. Refuses a database holding rows beyond what `migrate` writes, or a MEDIA_ROOT "
        "holding files, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar file written by manage.py backup")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore into a database that holds data (it is replaced as a whole) or a MEDIA_ROOT that holds "
            "files (files of the same name are overwritten, others stay)",
        )

    def handle(self, **options):
        try:
            report = backup_restore(options["archive"], force=options["force"])
        except BackupError as error:
            raise CommandError(f"The restore failed: {error}") from error
        self.stdout.write(
            f"Restored {report.archive} (backup of {report.created_at}): {report.tables} tables, "
            f"{report.rows} rows and {report.files} files; every SHA-256 and row count matches the manifest."
        )
        for note in report.notes:
            self.stdout.write(self.style.WARNING(f"Note: {note}"))
