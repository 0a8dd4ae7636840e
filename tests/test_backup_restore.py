"""Monthly backup and restore (crm_archive/backup.py, manage.py backup / restore).

The commands run as separate processes, as an operator runs them, against the test database
(PostgreSQL or SQLite, as DATABASE_URL says) and a new database made for the restore."""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.utils import load_backend
from django.utils import timezone

from accounts.models import Notification
from accounts.roles import Role
from accounts.tasks import backup_monthly
from crm_archive.backup import BackupError, backup_create
from crm_archive.db_guards import installed_guards
from customers.models import SecrecyTier
from destruction import services as destruction_services
from dossiers.models import Document, Dossier, RetentionPeriod
from lending import services as lending_services
from lending.models import LoanKind
from tests.approving import approve_loan_fully
from tests.conftest import PDF_BYTES

pytestmark = pytest.mark.slow

ROOT = Path(settings.BASE_DIR)
SHANGHAI = ZoneInfo("Asia/Shanghai")
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
POSTGRESQL = connection.vendor == "postgresql"


def database_url(name: str) -> str:
    """DATABASE_URL of the test server's database `name` (a path on SQLite)."""
    if not POSTGRESQL:
        return f"sqlite:///{name}"
    config = connection.settings_dict
    password = f":{config['PASSWORD']}" if config["PASSWORD"] else ""
    return f"postgres://{config['USER']}{password}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/{name}"


def manage(*arguments, database: str, media_root: Path, backup_dir: Path) -> subprocess.CompletedProcess:
    """Run manage.py as an operator would: production settings, the environment says where."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm_archive.settings",
        "DATABASE_URL": database_url(database),
        "MEDIA_ROOT": str(media_root),
        "BACKUP_DIR": str(backup_dir),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def postgresql_admin(statement: str) -> None:
    import psycopg2

    config = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(statement)
    finally:
        admin.close()


class Target:
    """A new database and a new media folder to restore into."""

    def __init__(self, tmp_path: Path):
        self.media_root = tmp_path / "restored-media"
        if POSTGRESQL:
            self.name = f"crm_restore_{uuid.uuid4().hex[:12]}"
            postgresql_admin(f'CREATE DATABASE "{self.name}"')
        else:
            self.name = str(tmp_path / "restored.sqlite3")
        backend = load_backend(connection.settings_dict["ENGINE"])
        self.connection = backend.DatabaseWrapper({**connection.settings_dict, "NAME": self.name}, "restored")

    def restore(self, archive: Path, *extra, backup_dir: Path):
        self.connection.close()
        return manage(
            "restore", str(archive), *extra, database=self.name, media_root=self.media_root, backup_dir=backup_dir
        )

    def tables(self) -> list[str]:
        if not POSTGRESQL and not Path(self.name).exists():
            return []
        with self.connection.cursor() as cursor:
            return self.connection.introspection.table_names(cursor)

    def drop(self):
        self.connection.close()
        if POSTGRESQL:
            postgresql_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def target(tmp_path):
    made = Target(tmp_path)
    yield made
    made.drop()


@pytest.fixture
def backup_dir(tmp_path):
    return tmp_path / "backups"


def rows_of_every_table(database) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order; on PostgreSQL also every sequence's value."""
    found = {}
    with database.cursor() as cursor:
        for table in database.introspection.table_names(cursor):
            key = database.introspection.get_primary_key_column(cursor, table)
            order = database.ops.quote_name(key) if key else "1"
            cursor.execute(f"SELECT * FROM {database.ops.quote_name(table)} ORDER BY {order}")
            found[table] = cursor.fetchall()
        if database.vendor == "postgresql":
            cursor.execute("SELECT sequencename, last_value FROM pg_sequences ORDER BY 1")
        else:
            cursor.execute("SELECT name, seq FROM sqlite_sequence ORDER BY 1")
        found["(sequences)"] = cursor.fetchall()
    return found


def files_under(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture
def records_of_every_kind(archive, formal_dossier, file_document):
    """Customers of every tier, formal dossiers with scanned documents, a loan out,
    a destruction list submitted: rows in every app, their history, and scans in the storage."""
    people = archive["people"]
    lent, expired = formal_dossier(SecrecyTier.PERSONAL), formal_dossier(SecrecyTier.COMPANY)
    scanned = file_document(lent, "竣工文档", title="竣工图纸（扫描）")
    scanned.scan.save("drawing.pdf", SimpleUploadedFile("drawing.pdf", PDF_BYTES))
    photo = lent.documents.first()
    photo.scan.save("photo.png", SimpleUploadedFile("photo.png", PNG_BYTES))
    loan = lending_services.loan_request(
        borrower=people["owner"], dossier=lent, kind=LoanKind.BORROW, content="合同", purpose="核对条款"
    )
    lending_services.loan_issue(approve_loan_fully(loan), by=people["clerk"])
    retention = RetentionPeriod.objects.get(code="D10")
    Dossier.objects.filter(pk=expired.pk).update(filing_year=2012, retention=retention)
    Document.objects.filter(dossier=expired).update(filing_year=2012, retention=retention)
    destruction_list = destruction_services.destruction_list_draft(
        by=people["clerk"], department=expired.customer.department, dossiers=[expired]
    )
    destruction_services.destruction_list_submit(destruction_list, by=people["clerk"])
    return archive


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restored_into_a_new_database_and_media_folder_holds_every_row_and_file(
    records_of_every_kind, media_root, backup_dir, target
):
    backed_up = manage(
        "backup", database=connection.settings_dict["NAME"], media_root=media_root, backup_dir=backup_dir
    )
    assert backed_up.returncode == 0, backed_up.stderr
    (archive,) = backup_dir.glob("crm-archive-*.tar")

    restored = target.restore(archive, backup_dir=backup_dir)

    assert restored.returncode == 0, restored.stderr
    assert "every SHA-256 and row count matches the manifest" in restored.stdout
    source, copy = rows_of_every_table(connection), rows_of_every_table(target.connection)
    assert sorted(copy) == sorted(source)
    assert {table: rows for table, rows in copy.items() if rows != source[table]} == {}
    assert len(source["dossiers_document"]) > 8 and source["lending_loan"] and source["destruction_destructionlist"]
    assert source["dossiers_historicaldocument"] and source["lending_historicalloan"]
    assert installed_guards(target.connection) == installed_guards(connection) != set()
    scans = files_under(media_root)
    assert len(scans) == 2 and PDF_BYTES in scans.values() and PNG_BYTES in scans.values()
    assert files_under(target.media_root) == scans


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_refuses_a_database_or_media_folder_that_holds_data_unless_forced(
    records_of_every_kind, media_root, backup_dir, target, tmp_path
):
    archive = backup_create(directory=backup_dir)
    assert target.restore(archive, backup_dir=backup_dir).returncode == 0
    rows = rows_of_every_table(target.connection)

    refused = target.restore(archive, backup_dir=backup_dir)
    target.media_root = tmp_path / "another-media"
    refused_database = target.restore(archive, backup_dir=backup_dir)

    for answer in (refused, refused_database):
        assert answer.returncode != 0
        assert "the target is not empty" in answer.stderr and "accounts_user" in answer.stderr
        assert "--force" in answer.stderr
    assert rows_of_every_table(target.connection) == rows
    assert not target.media_root.exists()
    forced = target.restore(archive, "--force", backup_dir=backup_dir)
    assert forced.returncode == 0, forced.stderr
    assert rows_of_every_table(target.connection) == rows
    assert files_under(target.media_root) == files_under(media_root)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_refuses_media_files_even_into_a_new_database(records_of_every_kind, media_root, backup_dir, target):
    archive = backup_create(directory=backup_dir)
    (target.media_root / "scans").mkdir(parents=True)
    (target.media_root / "scans" / "left-over.pdf").write_bytes(PDF_BYTES)

    refused = target.restore(archive, backup_dir=backup_dir)

    assert refused.returncode != 0
    assert "1 file(s) are under MEDIA_ROOT" in refused.stderr
    assert target.tables() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_that_has_only_been_migrated_counts_as_empty(records_of_every_kind, backup_dir, target):
    archive = backup_create(directory=backup_dir)
    migrated = manage("migrate", database=target.name, media_root=target.media_root, backup_dir=backup_dir)
    assert migrated.returncode == 0, migrated.stderr

    restored = target.restore(archive, backup_dir=backup_dir)

    assert restored.returncode == 0, restored.stderr
    assert rows_of_every_table(target.connection) == rows_of_every_table(connection)


def rewritten(archive: Path, destination: Path, change) -> Path:
    """A copy of `archive` where change(name, data) gives each member's new bytes (None drops it)."""
    with tarfile.open(archive) as source, tarfile.open(destination, "w") as copy:
        for member in source:
            data = change(member.name, source.extractfile(member).read())
            if data is not None:
                member.size = len(data)
                copy.addfile(member, io.BytesIO(data))
    return destination


def flip_a_byte_of_the_database(name, data):
    if name.startswith("database."):
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]
    return data


def drop_a_scan(name, data):
    return None if name.startswith("media/") and data == PNG_BYTES else data


def break_the_manifest(name, data):
    return data[: len(data) // 2] if name == "manifest.json" else data


def change_the_manifest(edit):
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    return change


def one_user_more(manifest):
    manifest["tables"]["accounts_user"] += 1


def another_checksum(manifest):
    manifest["media"][0]["sha256"] = hashlib.sha256(b"another file").hexdigest()


def a_path_outside_media(manifest):
    manifest["media"][0]["path"] = "media/../../escaped.pdf"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (flip_a_byte_of_the_database, "is damaged: its size or SHA-256 differs from the manifest"),
        (drop_a_scan, "the archive lacks 1 part(s) the manifest lists: media/scans/"),
        (break_the_manifest, "manifest.json is not valid JSON"),
        (change_the_manifest(one_user_more), "accounts_user"),
        (change_the_manifest(another_checksum), "is damaged: its size or SHA-256 differs from the manifest"),
        (change_the_manifest(a_path_outside_media), "bad media path 'media/../../escaped.pdf'"),
    ],
    ids=["flipped-byte", "missing-scan", "manifest-not-json", "wrong-row-count", "wrong-checksum", "path-escape"],
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_damaged_archive_is_refused_loudly_and_leaves_the_target_untouched(
    damage, message, records_of_every_kind, media_root, backup_dir, target, tmp_path
):
    archive = backup_create(directory=backup_dir)
    damaged = rewritten(archive, tmp_path / "damaged.tar", damage)

    answer = target.restore(damaged, backup_dir=backup_dir)

    assert answer.returncode != 0
    assert "The restore failed" in answer.stderr and message in answer.stderr, answer.stderr
    assert target.tables() == []
    assert not target.media_root.exists() or files_under(target.media_root) == {}
    assert not (tmp_path / "escaped.pdf").exists()


@pytest.mark.django_db
def test_a_file_that_is_no_archive_is_refused(backup_dir, target, tmp_path):
    not_an_archive = tmp_path / "notes.tar"
    not_an_archive.write_text("not a tar file")

    answer = target.restore(not_an_archive, backup_dir=backup_dir)

    assert answer.returncode != 0 and "cannot be read as a backup archive" in answer.stderr
    assert target.tables() == []


@pytest.mark.django_db
def test_the_manifest_records_time_release_row_counts_and_checksums(media_root, backup_dir):
    (media_root / "scans").mkdir(parents=True)
    (media_root / "scans" / "a.pdf").write_bytes(PDF_BYTES)
    at = datetime(2026, 6, 1, 2, 0, tzinfo=SHANGHAI)

    with time_machine.travel(at, tick=False):
        archive = backup_create(directory=backup_dir)

    assert archive.name == "crm-archive-20260601-020000-000000.tar"
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        parts = {member.name: tar.extractfile(member).read() for member in tar if member.name != "manifest.json"}
    assert manifest["created_at"] == "2026-06-01T02:00:00+08:00"
    assert manifest["app"]["version"] == "0.1.0"
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["tables"]["django_migrations"] > 0 and "dossiers_historicaldocument" in manifest["tables"]
    assert manifest["media"] == [
        {"path": "media/scans/a.pdf", "size": len(PDF_BYTES), "sha256": hashlib.sha256(PDF_BYTES).hexdigest()}
    ]
    database = manifest["database"]
    assert hashlib.sha256(parts[database["path"]]).hexdigest() == database["sha256"]
    assert set(parts) == {database["path"], "media/scans/a.pdf"}


@pytest.mark.django_db
def test_only_the_newest_backups_are_kept(settings, backup_dir):
    settings.BACKUP_KEEP = 2
    backup_dir.mkdir()
    (backup_dir / "notes.txt").write_text("not a backup")
    first = datetime(2026, 4, 1, 2, 0, tzinfo=SHANGHAI)

    for months in range(3):
        with time_machine.travel(first + timedelta(days=31 * months), tick=False):
            backup_create(directory=backup_dir)

    assert sorted(path.name for path in backup_dir.iterdir()) == [
        "crm-archive-20260502-020000-000000.tar",
        "crm-archive-20260602-020000-000000.tar",
        "notes.txt",
    ]


def test_the_backup_runs_on_the_first_of_every_month_at_two_at_night():
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-monthly-backup"]
    schedule = entry["schedule"]
    assert entry["task"] == "accounts.tasks.backup_monthly" and "expires" not in entry.get("options", {})
    assert (schedule.day_of_month, schedule.hour, schedule.minute) == ({1}, {2}, {0})
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


@pytest.fixture
def backup_readers(make_user):
    return {
        "archive_manager": make_user(Role.ARCHIVE_MANAGER, username="am", email="am@example.com"),
        "marketing_director": make_user(Role.MARKETING_DIRECTOR, username="md", email="md@example.com"),
        "sales": make_user(Role.SALES, username="sales"),
    }


@pytest.mark.django_db
def test_the_monthly_backup_tells_the_archive_manager_and_the_marketing_director(settings, backup_readers, tmp_path):
    settings.BACKUP_DIR = tmp_path / "monthly"

    archive = Path(backup_monthly.delay().get())

    assert archive.parent == settings.BACKUP_DIR and archive.exists()
    for person in ("archive_manager", "marketing_director"):
        (notification,) = Notification.objects.filter(recipient=backup_readers[person])
        assert archive.name in notification.message and "备份已完成" in notification.message
    assert not Notification.objects.filter(recipient=backup_readers["sales"]).exists()


@pytest.mark.django_db
def test_a_failed_backup_is_reported_to_both_in_the_app_and_by_mail(backup_readers, django_capture_on_commit_callbacks):
    with (
        mock.patch("accounts.tasks.backup_create", side_effect=BackupError("pg_dump failed: No space left")),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(BackupError),
    ):
        backup_monthly.delay()

    for person in ("archive_manager", "marketing_director"):
        (notification,) = Notification.objects.filter(recipient=backup_readers[person])
        assert "备份失败" in notification.message and "No space left" in notification.message
    assert sorted(address for message in mail.outbox for address in message.to) == ["am@example.com", "md@example.com"]
    assert not Notification.objects.filter(recipient=backup_readers["sales"]).exists()


def test_backups_are_never_written_inside_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    with pytest.raises(BackupError, match="must not lie inside MEDIA_ROOT"):
        backup_create(directory=tmp_path / "media" / "backups")


@pytest.mark.django_db
def test_the_backup_clock_is_the_local_one(backup_dir):
    """The archive's name is Asia/Shanghai time: 1 June 01:30 there is still 31 May in UTC."""
    with time_machine.travel(datetime(2026, 5, 31, 17, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        archive = backup_create(directory=backup_dir)
        assert timezone.localdate().day == 1

    assert archive.name.startswith("crm-archive-20260601-013000")
