"""Where scans are stored: `STORAGES["scans"]` (settings), read through Django's storage API.

By default a folder, MEDIA_ROOT/scans. With SCANS_S3_BUCKET set, an S3-compatible bucket
(django-storages' S3Storage), so that several application servers share the scans without a
network mount. Everything that touches scans — the upload form, the access-checked view, the
destruction, the backup and restore, the health check — goes through `storages["scans"]`,
never through a path."""

from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property

# What a storage raises when it cannot do what it was asked: the file system's errors, and
# those of boto3 (an unreachable endpoint, a missing bucket, refused credentials).
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)


class ScansFileSystemStorage(FileSystemStorage):
    """A folder of scans, MEDIA_ROOT/scans unless given a location. The folder follows
    MEDIA_ROOT when that setting changes (as the tests change it), like Django's own default.
    No web server serves the folder: only access-checked views return a scan."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, Path(settings.MEDIA_ROOT) / "scans")


def s3_scans_storage(*, bucket: str, endpoint_url=None, region=None, prefix: str = "scans", acl="private") -> dict:
    """The STORAGES entry of scans in an S3-compatible bucket (settings: SCANS_S3_*).
    Credentials are not here: django-storages and boto3 read AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY from the environment (or use the machine's role)."""
    from botocore.config import Config

    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            # Keys under scans/, as the folder is MEDIA_ROOT/scans.
            "location": prefix,
            # Private objects, and URLs without a signature: no browser fetches a scan from the
            # bucket; the access-checked view streams it through the storage.
            "default_acl": acl or None,
            "querystring_auth": False,
            # Generated names never collide; should one, a second scan must not replace the first.
            "file_overwrite": False,
            # Short timeouts and few retries: a page or /healthz waits seconds, not minutes, for a
            # storage that is down. Path-style addressing for S3-compatible servers (MinIO, …).
            "client_config": Config(
                signature_version="s3v4",
                s3={"addressing_style": "path" if endpoint_url else "auto"},
                connect_timeout=5,
                read_timeout=30,
                retries={"mode": "standard", "max_attempts": 3},
            ),
        },
    }


def storage_place(storage) -> str:
    """Where a storage keeps its files, for an operator: a folder, or s3://bucket/prefix/."""
    if isinstance(storage, FileSystemStorage):
        location = Path(storage.location)
        try:
            relative = location.resolve().relative_to(Path(settings.MEDIA_ROOT).resolve())
        except ValueError:
            return str(location)
        return f"MEDIA_ROOT/{relative.as_posix()} ({location})"
    bucket = getattr(storage, "bucket_name", None)
    if bucket:
        prefix = getattr(storage, "location", "")
        return f"s3://{bucket}/{prefix.strip('/') + '/' if prefix else ''}"
    return f"the {type(storage).__name__} storage"
