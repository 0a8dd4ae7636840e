"""`manage.py restore ARCHIVE`: the database and the scans back from one backup archive
(crm_archive/backup.py), into an empty database and an empty scans storage (MEDIA_ROOT/scans, or
the S3 bucket of SCANS_S3_BUCKET) unless --force."""

from django.core.management.base import BaseCommand, CommandError

from crm_archive.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive written by `manage.py backup` into the database of DATABASE_URL and into the "
        "scans storage (MEDIA_ROOT/scans, or the S3 bucket of SCANS_S3_BUCKET). Checks every part's SHA-256 before "
        "writing anything, and every table's row count and every scan read back before reporting success. Refuses "
        "a database holding rows beyond what `migrate` writes, or a scans storage holding files, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar file written by manage.py backup")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore into a database that holds data (it is replaced as a whole) or a scans storage that holds "
            "files (scans of the same name are overwritten, others stay)",
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
