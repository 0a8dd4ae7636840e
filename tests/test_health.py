"""GET /healthz answers a monitor without sign-in: database, broker and storage, 200 or 503.
The storage is the scans storage; tests/test_storage_s3.py checks it with an S3 bucket."""

from unittest import mock

import pytest
from django.core.files.storage import storages
from django.db import OperationalError

from crm_archive import health

pytestmark = pytest.mark.django_db


def test_a_healthy_site_answers_200_without_signing_in(client):
    answer = client.get("/healthz")

    assert answer.status_code == 200
    assert answer.json() == {"database": "ok", "broker": "eager", "storage": "ok"}
    assert "no-cache" in answer["Cache-Control"]


def test_the_real_broker_is_checked_when_tasks_go_through_it(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    answer = client.get("/healthz")

    assert answer.status_code == 200 and answer.json()["broker"] == "ok"


def test_an_unreachable_broker_answers_503(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    answer = client.get("/healthz")

    assert answer.status_code == 503
    assert answer.json() == {"database": "ok", "broker": "error", "storage": "ok"}


def test_an_unavailable_database_answers_503_and_names_no_detail(client):
    with mock.patch.object(
        health.connection, "cursor", side_effect=OperationalError("could not connect to host db.internal")
    ):
        answer = client.get("/healthz")

    assert answer.status_code == 503
    assert answer.json() == {"database": "error", "broker": "eager", "storage": "ok"}
    assert b"db.internal" not in answer.content


def test_an_unavailable_storage_answers_503(client):
    with mock.patch.object(storages["scans"], "listdir", side_effect=PermissionError("/srv/media")):
        answer = client.get("/healthz")

    assert answer.status_code == 503 and answer.json()["storage"] == "error"
    assert b"/srv/media" not in answer.content


def test_a_scans_folder_not_made_yet_is_healthy(client, media_root):
    assert not (media_root / "scans").exists()

    assert client.get("/healthz").json()["storage"] == "ok"


def test_the_health_check_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301
