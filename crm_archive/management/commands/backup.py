"""`manage.py backup`: one archive of the database and the scans into BACKUP_DIR (crm_archive/backup.py).
The scans are read through the scans storage: MEDIA_ROOT/scans, or the S3 bucket of SCANS_S3_BUCKET."""

from django.core.management.base import BaseCommand, CommandError

from crm_archive.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database and every scan of the scans storage (MEDIA_ROOT/scans, or the S3 bucket of "
        "SCANS_S3_BUCKET) into one archive in BACKUP_DIR, with a manifest (time, release, row counts, SHA-256 of "
        "every part), and keep the newest BACKUP_KEEP archives."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", help="write the archive here instead of BACKUP_DIR")

    def handle(self, **options):
        try:
            archive = backup_create(directory=options["directory"])
        except BackupError as error:
            raise CommandError(f"The backup failed: {error}") from error
        self.stdout.write(f"Backup written: {archive} ({archive.stat().st_size:,} bytes)")
