"""Scans in an S3-compatible bucket (SCANS_S3_BUCKET), so that several servers share them.

moto's server on 127.0.0.1 stands in for the object storage: the application talks to it over
HTTP through django-storages and boto3, as it would to MinIO or S3."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest
from django.conf import settings as django_settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from moto.server import ThreadedMotoServer

from crm_archive.backup import BackupError, backup_create
from crm_archive.storage import s3_scans_storage
from customers.models import SecrecyTier
from dossiers.models import Document
from tests.conftest import PDF_BYTES
from tests.test_backup_restore import Target, database_url, rows_of_every_table

ROOT = Path(django_settings.BASE_DIR)
REGION = "us-east-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "crm-test-key", "AWS_SECRET_ACCESS_KEY": "crm-test-secret"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3-compatible server, in a thread of this process, on a free port of 127.0.0.1."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


class Bucket:
    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.name = f"scans-{uuid.uuid4().hex[:12]}"
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        self.client.create_bucket(Bucket=self.name)

    def objects(self) -> dict[str, bytes]:
        listing = self.client.list_objects_v2(Bucket=self.name).get("Contents", [])
        return {
            item["Key"]: self.client.get_object(Bucket=self.name, Key=item["Key"])["Body"].read() for item in listing
        }

    def remove(self):
        for key in self.objects():
            self.client.delete_object(Bucket=self.name, Key=key)
        self.client.delete_bucket(Bucket=self.name)

    def environment(self) -> dict[str, str]:
        """The settings an operator sets for this bucket (docs/operations.md)."""
        return {
            **CREDENTIALS,
            "SCANS_S3_BUCKET": self.name,
            "SCANS_S3_ENDPOINT_URL": self.endpoint,
            "SCANS_S3_REGION": REGION,
        }


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    """A new bucket, and STORAGES["scans"] pointing at it as SCANS_S3_* would."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)  # read by django-storages, as in production
    made = Bucket(s3_endpoint)
    settings.STORAGES = {
        **settings.STORAGES,
        "scans": s3_scans_storage(bucket=made.name, endpoint_url=s3_endpoint, region=REGION),
    }
    return made


def document_form(archive):
    return {
        "document_type": archive["types"]["客户基本资料表"].pk,
        "title": "客户基本资料表",
        "made_on": timezone.localdate().isoformat(),
        "responsible_party": "销售一部",
        "pages": 4,
        "copies": 1,
        "is_original": "on",
        "secrecy_tier": SecrecyTier.PERSONAL,
        "retention": archive["retention"].pk,
        "position": 1,
    }


@pytest.mark.django_db
def test_a_scan_uploaded_through_the_page_lands_in_the_bucket_and_only_readers_get_it_back(
    bucket, archive, open_dossier, client, media_root
):
    dossier = open_dossier(SecrecyTier.PERSONAL)
    client.force_login(archive["people"]["clerk"])
    scan = SimpleUploadedFile("contract.pdf", PDF_BYTES, content_type="application/pdf")

    filed = client.post(
        reverse("dossiers:document_add", args=[dossier.pk]), {**document_form(archive), "scan_file": scan}
    )

    assert filed.status_code == 302
    document = Document.objects.get(dossier=dossier)
    key = f"scans/{document.scan.name}"
    assert bucket.objects() == {key: PDF_BYTES}
    grants = bucket.client.get_object_acl(Bucket=bucket.name, Key=key)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner's only: private
    assert not media_root.exists()  # nothing on this server's disk

    client.force_login(archive["people"]["owner"])
    read = client.get(reverse("dossiers:document_scan", args=[document.pk]))
    assert read.status_code == 200
    assert b"".join(read.streaming_content) == PDF_BYTES

    client.force_login(archive["people"]["colleague"])
    assert client.get(reverse("dossiers:document_scan", args=[document.pk])).status_code == 404


@pytest.mark.django_db
def test_a_scan_the_bucket_no_longer_holds_answers_404(bucket, archive, open_dossier, file_document, client):
    document = file_document(open_dossier(SecrecyTier.PERSONAL))
    document.scan.save("x.pdf", SimpleUploadedFile("x.pdf", PDF_BYTES))
    bucket.client.delete_object(Bucket=bucket.name, Key=f"scans/{document.scan.name}")
    client.force_login(archive["people"]["owner"])

    assert client.get(reverse("dossiers:document_scan", args=[document.pk])).status_code == 404


@pytest.mark.django_db
def test_the_health_check_asks_the_bucket(bucket, client):
    healthy = client.get("/healthz")
    bucket.remove()
    gone = client.get("/healthz")

    assert healthy.status_code == 200 and healthy.json()["storage"] == "ok"
    assert gone.status_code == 503 and gone.json() == {"database": "ok", "broker": "eager", "storage": "error"}
    assert bucket.name.encode() not in gone.content


@pytest.mark.django_db
def test_an_unreachable_object_storage_fails_the_health_check(settings, monkeypatch, client):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {
        **settings.STORAGES,
        "scans": s3_scans_storage(bucket="scans", endpoint_url=f"http://127.0.0.1:{free_port()}", region=REGION),
    }

    answer = client.get("/healthz")

    assert answer.status_code == 503 and answer.json()["storage"] == "error"


@pytest.mark.django_db
def test_a_backup_of_a_missing_bucket_fails_with_a_reason(bucket, tmp_path):
    bucket.remove()

    with pytest.raises(BackupError, match="NoSuchBucket"):
        backup_create(directory=tmp_path / "backups")

    assert list((tmp_path / "backups").iterdir()) == []


def manage(*arguments, database: str, environment: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    """manage.py as an operator runs it, with the bucket's settings in the environment."""
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "crm_archive.settings",
            "DATABASE_URL": database_url(database),
            "MEDIA_ROOT": str(tmp_path / "no-media-here"),
            "BACKUP_DIR": str(tmp_path / "backups"),
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_of_a_bucket_restores_into_an_empty_bucket_with_every_scan(
    bucket, s3_endpoint, archive, open_dossier, file_document, tmp_path
):
    documents = [file_document(open_dossier(tier)) for tier in (SecrecyTier.PERSONAL, SecrecyTier.COMPANY)]
    for number, document in enumerate(documents):
        document.scan.save("x.pdf", SimpleUploadedFile("x.pdf", PDF_BYTES + bytes([number])))
    scans = bucket.objects()
    assert len(scans) == 2
    empty_bucket = Bucket(s3_endpoint)
    target = Target(tmp_path)
    try:
        backed_up = manage(
            "backup", database=connection.settings_dict["NAME"], environment=bucket.environment(), tmp_path=tmp_path
        )
        assert backed_up.returncode == 0, backed_up.stderr
        (archive_file,) = (tmp_path / "backups").glob("crm-archive-*.tar")

        target.connection.close()
        restored = manage(
            "restore",
            str(archive_file),
            database=target.name,
            environment=empty_bucket.environment(),
            tmp_path=tmp_path,
        )

        assert restored.returncode == 0, restored.stderr
        assert "2 files; every SHA-256 and row count matches the manifest" in restored.stdout
        assert empty_bucket.objects() == scans
        assert (
            rows_of_every_table(target.connection)["dossiers_document"]
            == rows_of_every_table(connection)["dossiers_document"]
        )
        assert not (tmp_path / "no-media-here").exists()
    finally:
        target.drop()
        empty_bucket.remove()


@pytest.mark.django_db
def test_scans_are_in_the_folder_unless_a_bucket_is_configured(media_root):
    document_storage = Document._meta.get_field("scan").storage

    assert Path(storages["scans"].location) == media_root / "scans"
    assert document_storage.location == storages["scans"].location
