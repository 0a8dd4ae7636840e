import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_with_production_settings():
    environment = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "crm_archive.settings",
        "DEBUG": "false",
        "SECRET_KEY": "a-long-random-production-secret-" + "x7Yq2" * 10,
        "ALLOWED_HOSTS": "archive.example.com",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/crm_archive",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    environment = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    environment.update({"DJANGO_SETTINGS_MODULE": "crm_archive.settings", "DEBUG": "false"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_redis_cache_url_gets_the_cache_that_keeps_its_client():
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm_archive.settings",
        "CACHE_URL": "rediscache://127.0.0.1:6379/1",
    }
    script = "import django; django.setup(); from django.conf import settings; print(settings.CACHES['default'])"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "'BACKEND': 'crm_archive.cache.RedisCache'" in result.stdout
    assert "'LOCATION': 'redis://127.0.0.1:6379/1'" in result.stdout
