"""The monthly backup, and the restore after losing the server (policy: 每月1日对数据进行备份).

One backup is one uncompressed tar file, `BACKUP_DIR/crm-archive-YYYYMMDD-HHMMSS-ffffff.tar`:

    manifest.json       when, which release, the row count of every table, size and SHA-256 of every part
    database.dump       PostgreSQL: `pg_dump --format=custom` (schema, data, sequences, guard triggers)
    database.sqlite3    SQLite: a copy made with the online backup API (copying a live file is unsafe)
    media/scans/<name>  every file of the scans storage (STORAGES["scans"]: MEDIA_ROOT/scans or an
                        S3 bucket), read and written through Django's storage API

Our own module rather than django-dbbackup: dbbackup writes the database and the media as two
separate backups with no shared manifest, its SQLite connector dumps SQL text instead of using
the backup API, and its PostgreSQL restore loads into the database as it is — which here would
meet the rows `migrate` writes and, on a real database, could not be emptied first (the evidence
guards refuse DELETE and TRUNCATE). What we need is small: pg_dump, pg_restore and psql through
`subprocess`, `sqlite3.Connection.backup()`, and `tarfile`.

The member names do not depend on the storage: a folder's backup restores into a bucket and back.
(Archives of earlier releases may hold `media/<path>` outside `media/scans/`: the restore puts
those into the default storage, MEDIA_ROOT, as before.)

A restore writes nothing until the manifest is sound and every part matches its SHA-256. On
PostgreSQL the whole database is replaced in one transaction (`pg_restore --clean` as SQL, run by
`psql --single-transaction`) that ends by counting every table against the manifest: a wrong count
rolls everything back. On SQLite the counts are checked on the extracted copy before it is copied
into place with the backup API. No row is ever deleted: the old tables are dropped, which the
guards (triggers on DELETE, UPDATE and TRUNCATE) do not refuse, and loading rows is INSERT/COPY,
which they allow.
"""

import hashlib
import io
import json
import os
import posixpath
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from crm_archive import page_cache
from crm_archive.storage import STORAGE_ERRORS, storage_place

FORMAT = 1
MANIFEST_NAME = "manifest.json"
ARCHIVE_PREFIX = "crm-archive-"
ARCHIVE_SUFFIX = ".tar"
DATABASE_PARTS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
MEDIA_PREFIX = "media/"
SCANS_PREFIX = MEDIA_PREFIX + "scans/"
CHUNK_BYTES = 1024 * 1024
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")

# The rows `migrate` writes by itself. A database holding rows only here is a new installation,
# so a restore may replace it without --force. Any other row (a user, a session, a record) is data.
TABLES_FILLED_BY_MIGRATE = frozenset(
    {
        "django_migrations",
        "django_content_type",
        "auth_permission",
        "auth_group",
        "auth_group_permissions",
        "dossiers_retentionperiod",
        "dossiers_documenttype",
        "approvals_approvalchain",
        "approvals_approvalstep",
        "customers_followupplan",
        "customers_gradecriterion",
    }
)


class BackupError(Exception):
    """A backup or a restore that did not happen, with the reason an operator can act on."""


@dataclass
class RestoreReport:
    archive: Path
    created_at: str
    tables: int
    rows: int
    files: int
    notes: list[str] = field(default_factory=list)


# Backup


def backup_create(*, using: str = "default", directory=None, keep: int | None = None) -> Path:
    """Write one archive of the database and of every scan into `directory` (BACKUP_DIR) and
    delete the oldest archives beyond `keep` (BACKUP_KEEP). Guarantees: the manifest's row counts
    are those of the database part (PostgreSQL: pg_dump runs in the snapshot they were counted
    in); every part's size and SHA-256 are in the manifest; the archive appears under its final
    name only once complete, readable by its owner only. Raises BackupError."""
    connection = connections[using]
    directory = Path(directory or settings.BACKUP_DIR)
    keep = settings.BACKUP_KEEP if keep is None else keep
    if keep < 1:
        raise BackupError(f"BACKUP_KEEP must be at least 1, not {keep}")
    if connection.vendor not in DATABASE_PARTS:
        raise BackupError(f"no backup for a {connection.vendor} database")
    scans = storages["scans"]
    folders = [Path(settings.MEDIA_ROOT), *([Path(scans.location)] if isinstance(scans, FileSystemStorage) else [])]
    if any(directory.resolve().is_relative_to(folder.resolve()) for folder in folders):
        raise BackupError(
            f"BACKUP_DIR ({directory}) must not lie inside MEDIA_ROOT or the scans folder: each backup would hold "
            "the last"
        )
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = timezone.now()
    archive = directory / f"{ARCHIVE_PREFIX}{timezone.localtime(now):%Y%m%d-%H%M%S-%f}{ARCHIVE_SUFFIX}"
    if archive.exists():
        raise BackupError(f"{archive} exists already")
    try:
        _archive_write(connection, scans, archive, now)
    except (*STORAGE_ERRORS, tarfile.TarError, sqlite3.Error) as error:
        raise BackupError(f"{archive}: {error}") from error
    backups_rotate(directory, keep=keep, current=archive)
    return archive


def _archive_write(connection, scans, archive: Path, now) -> None:
    # The work folder is inside BACKUP_DIR so that the finished archive is moved, not copied.
    with tempfile.TemporaryDirectory(dir=archive.parent, prefix=".backup-") as work:
        database_part = Path(work) / DATABASE_PARTS[connection.vendor]
        if connection.vendor == "postgresql":
            tables = _postgresql_dump(connection, database_part)
        else:
            tables = _sqlite_copy(connection, database_part)
        partial = Path(work) / archive.name
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            database = _tar_add_file(tar, database_part, database_part.name)
            # After the database: a scan the dump refers to was written before the dump began.
            media = []
            for name in storage_files(scans):
                try:
                    handle = scans.open(name, "rb")
                except FileNotFoundError:
                    # Deleted since it was listed (a destruction's scans go once it commits): the
                    # archive holds what the storage held, and the backup goes on.
                    continue
                with handle:
                    media.append(_tar_add_stored(tar, handle, SCANS_PREFIX + name, now))
            manifest = {
                "format": FORMAT,
                "created_at": timezone.localtime(now).isoformat(),
                "app": _app_version(),
                "django": django.get_version(),
                "database": {"vendor": connection.vendor, **database},
                "tables": tables,
                "media": media,
            }
            _tar_add_bytes(tar, MANIFEST_NAME, json.dumps(manifest, ensure_ascii=False, indent=1).encode(), now)
        os.chmod(partial, 0o600)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, archive)


def backups_rotate(directory: Path, *, keep: int, current: Path) -> list[Path]:
    """Delete the oldest archives of `directory` so that `keep` remain, never `current`; returns
    the deleted ones. Only files named like our archives are touched."""
    others = sorted(
        path for path in directory.glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}") if path.is_file() and path != current
    )
    surplus = others[: max(len(others) - (keep - 1), 0)]
    for path in surplus:
        path.unlink()
    return surplus


def _postgresql_dump(connection, destination: Path) -> dict[str, int]:
    # A second connection holds a read-only snapshot open: the rows are counted in it and pg_dump
    # dumps exactly it (--snapshot), so the manifest and the dump agree while the site runs on.
    holder = connections.create_connection(connection.alias)
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = _row_counts(cursor, "postgresql")
            _run(
                [_postgresql_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={destination}"],
                env=_libpq_environment(connection),
            )
            cursor.execute("COMMIT")
    finally:
        holder.close()
    return tables


def _sqlite_copy(connection, destination: Path) -> dict[str, int]:
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError("an in-memory SQLite database cannot be backed up")
    source = sqlite3.connect(name)
    try:
        copy = sqlite3.connect(destination)
        try:
            source.backup(copy)
            return _row_counts(copy.cursor(), "sqlite")
        finally:
            copy.close()
    finally:
        source.close()


def storage_files(storage, folder: str = "") -> list[str]:
    """The name of every file in `storage` (folders or S3 prefixes walked), in a stable order.
    A folder storage that does not exist yet holds nothing."""
    try:
        folders, names = storage.listdir(folder)
    except FileNotFoundError:
        return []
    found = [posixpath.join(folder, name) for name in sorted(names)]
    for name in sorted(folders):
        found += storage_files(storage, posixpath.join(folder, name))
    return found


class _HashingReader:
    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _tar_add_file(tar: tarfile.TarFile, path: Path, name: str) -> dict:
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with open(path, "rb") as handle:
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"path": name, "size": info.size, "sha256": reader.digest.hexdigest()}


def _tar_add_stored(tar: tarfile.TarFile, handle, name: str, when) -> dict:
    """Add an open file of a storage; its size is the storage's (a folder's, or the object's)."""
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = handle.size, int(when.timestamp()), 0o600
    reader = _HashingReader(handle)
    tar.addfile(info, reader)
    return {"path": name, "size": info.size, "sha256": reader.digest.hexdigest()}


def _tar_add_bytes(tar: tarfile.TarFile, name: str, data: bytes, when) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(when.timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


def _app_version() -> dict:
    with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as handle:
        project = tomllib.load(handle)["project"]
    try:
        revision = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        revision = ""  # an installation without git still has its version number
    return {"name": project["name"], "version": project["version"], "revision": revision}


# Restore


def backup_restore(archive, *, using: str = "default", force: bool = False) -> RestoreReport:
    """Restore an archive written by backup_create into this installation's database and scans
    storage. Guarantees: nothing is written unless the manifest is sound and every part has its
    size and SHA-256; the target must be empty (no row beyond those `migrate` writes, no file in
    the scans storage) unless `force`; the database is replaced in one transaction that checks
    every table's row count, so a failure leaves it as it was; success is returned only after the
    row counts and every written file, read back through the storage, match the manifest.
    Raises BackupError."""
    archive = Path(archive)
    connection = connections[using]
    scans = storages["scans"]
    try:
        tar = tarfile.open(archive, "r:")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{archive} cannot be read as a backup archive: {error}") from error
    with tar, tempfile.TemporaryDirectory(prefix="crm-restore-") as work:
        try:
            manifest = _manifest_read(tar)
            members = _members_verify(tar, manifest)
            vendor = manifest["database"]["vendor"]
            if vendor != connection.vendor:
                raise BackupError(f"this archive holds a {vendor} database; the target is {connection.vendor}")
            database_part = Path(work) / manifest["database"]["path"]
            _member_extract(tar, members[manifest["database"]["path"]], manifest["database"], database_part)
            if vendor == "sqlite":
                _sqlite_check_copy(database_part, manifest["tables"])
            _refuse_unless_empty(connection, scans, manifest, force=force)
            connection.close()
            if vendor == "postgresql":
                _postgresql_load(connection, database_part, manifest["tables"], Path(work))
            else:
                _sqlite_load(connection, database_part)
            page_cache.every_table_written()
        except (*STORAGE_ERRORS, tarfile.TarError, EOFError, sqlite3.Error) as error:
            raise BackupError(f"{archive}: {error}; nothing was restored") from error
        with connection.cursor() as cursor:
            _counts_compare(_row_counts(cursor, connection.vendor), manifest["tables"])
        try:
            for entry in manifest["media"]:
                storage, name = _media_target(entry["path"])
                _member_store(tar, members[entry["path"]], entry, storage, name, Path(work), replace=force)
            _media_verify(manifest["media"])
        except (BackupError, SuspiciousFileOperation, *STORAGE_ERRORS, tarfile.TarError, EOFError) as error:
            raise BackupError(f"the database was restored, but not every scan: {error}") from error
    return RestoreReport(
        archive=archive,
        created_at=manifest["created_at"],
        tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()),
        files=len(manifest["media"]),
        notes=_migration_notes(connection),
    )


def _manifest_read(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST_NAME)
    except KeyError:
        raise BackupError(f"the archive has no {MANIFEST_NAME}") from None
    if not member.isreg():
        raise BackupError(f"{MANIFEST_NAME} is not a file")
    try:
        manifest = json.loads(tar.extractfile(member).read().decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{MANIFEST_NAME} is not valid JSON: {error}") from error
    problems = _manifest_problems(manifest)
    if problems:
        raise BackupError(f"{MANIFEST_NAME} is not usable: " + "; ".join(problems))
    return manifest


def _manifest_problems(manifest) -> list[str]:
    if not isinstance(manifest, dict):
        return ["not a JSON object"]
    if manifest.get("format") != FORMAT:
        return [f"format {manifest.get('format')!r} is not {FORMAT}"]
    problems = []
    if not isinstance(manifest.get("created_at"), str):
        problems.append("no created_at")
    database = manifest.get("database")
    if not isinstance(database, dict) or database.get("vendor") not in DATABASE_PARTS:
        problems.append("no database part of a known vendor")
    else:
        if database.get("path") != DATABASE_PARTS[database["vendor"]]:
            problems.append(f"the database part is not named {DATABASE_PARTS[database['vendor']]}")
        problems += _part_problems(database)
    tables = manifest.get("tables")
    if not isinstance(tables, dict) or not tables:
        problems.append("no row counts")
    else:
        problems += [f"bad table name {name!r}" for name in tables if not TABLE_NAME.match(name)]
        problems += [
            f"bad row count of {name}"
            for name, count in tables.items()
            if not isinstance(count, int) or isinstance(count, bool) or count < 0
        ]
    media = manifest.get("media")
    if not isinstance(media, list):
        problems.append("no media list")
    else:
        for entry in media:
            problems += _part_problems(entry) if isinstance(entry, dict) else ["a media entry is not an object"]
            if isinstance(entry, dict) and not _is_media_path(entry.get("path")):
                problems.append(f"bad media path {entry.get('path')!r}")
        paths = [entry.get("path") for entry in media if isinstance(entry, dict)]
        if len(paths) != len(set(paths)):
            problems.append("a media path is listed twice")
    return problems


def _part_problems(entry: dict) -> list[str]:
    problems = []
    if not isinstance(entry.get("path"), str):
        problems.append("a part without a path")
    if not isinstance(entry.get("size"), int) or entry["size"] < 0:
        problems.append(f"bad size of {entry.get('path')!r}")
    if not isinstance(entry.get("sha256"), str) or not SHA256.match(entry["sha256"]):
        problems.append(f"bad SHA-256 of {entry.get('path')!r}")
    return problems


def _is_media_path(path) -> bool:
    if not isinstance(path, str) or not path.startswith(MEDIA_PREFIX) or "\\" in path:
        return False
    parts = PurePosixPath(path).parts
    return len(parts) > 1 and all(part not in ("", ".", "..", "/") for part in parts)


def _members_verify(tar: tarfile.TarFile, manifest: dict) -> dict[str, tarfile.TarInfo]:
    """Read every part once and compare its size and SHA-256 with the manifest; returns the
    members by name. Anything missing, extra, duplicated or changed raises BackupError."""
    expected = {entry["path"]: entry for entry in [manifest["database"], *manifest["media"]]}
    members = {}
    for member in tar:
        if member.name == MANIFEST_NAME:
            continue
        entry = expected.get(member.name)
        if entry is None:
            raise BackupError(f"the archive holds {member.name}, which the manifest does not list")
        if member.name in members or not member.isreg():
            raise BackupError(f"{member.name} appears twice or is not a file")
        digest = hashlib.sha256()
        with tar.extractfile(member) as handle:
            while chunk := handle.read(CHUNK_BYTES):
                digest.update(chunk)
        if member.size != entry["size"] or digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"{member.name} is damaged: its size or SHA-256 differs from the manifest")
        members[member.name] = member
    missing = sorted(expected.keys() - members.keys())
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise BackupError(f"the archive lacks {len(missing)} part(s) the manifest lists: {shown}")
    return members


def _member_extract(tar: tarfile.TarFile, member: tarfile.TarInfo, entry: dict, destination: Path) -> None:
    """Write a member to `destination` through a temporary name, checking its SHA-256 again."""
    temporary = destination.with_name(destination.name + ".restoring")
    digest = hashlib.sha256()
    with tar.extractfile(member) as source, open(temporary, "wb") as handle:
        while chunk := source.read(CHUNK_BYTES):
            digest.update(chunk)
            handle.write(chunk)
    if digest.hexdigest() != entry["sha256"]:
        temporary.unlink()
        raise BackupError(f"{member.name} changed while it was restored")
    os.replace(temporary, destination)


def _media_target(path: str):
    """The storage, and the name there, of a media member: `media/scans/<name>` is a scan. Any
    other `media/<path>` (archives of earlier releases held every file under MEDIA_ROOT) goes to
    the default storage, MEDIA_ROOT, where it came from."""
    if path.startswith(SCANS_PREFIX):
        return storages["scans"], path[len(SCANS_PREFIX) :]
    return default_storage, path[len(MEDIA_PREFIX) :]


def _member_store(tar, member, entry: dict, storage, name: str, work: Path, *, replace: bool) -> None:
    """Write a member into `storage` under `name`, replacing a file of that name if `replace`
    (--force). The member is checked against its SHA-256 on the way out of the archive, before it
    is stored; a storage that keeps it under another name fails the restore."""
    extracted = work / "media.part"
    _member_extract(tar, member, entry, extracted)
    try:
        if replace and storage.exists(name):
            storage.delete(name)
        with open(extracted, "rb") as handle:
            stored = storage.save(name, File(handle, name=posixpath.basename(name)))
    finally:
        extracted.unlink(missing_ok=True)
    if stored != name:
        raise BackupError(f"{entry['path']} was stored as {stored}")


def _refuse_unless_empty(connection, scans, manifest: dict, *, force: bool) -> None:
    with connection.cursor() as cursor:
        tables = _table_names(cursor, connection.vendor)
        unknown = sorted(set(tables) - manifest["tables"].keys())
        if unknown:
            raise BackupError(
                f"the target database has tables this archive does not hold ({', '.join(unknown[:5])}): it was set "
                "up by another release. Restore into a new, empty database."
            )
        quote = connection.ops.quote_name
        holding = []
        for table in tables:
            if table not in TABLES_FILLED_BY_MIGRATE:
                cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")
                if cursor.fetchone():
                    holding.append(table)
    files = len(storage_files(scans))
    if (holding or files) and not force:
        found = [f"{len(holding)} table(s) hold rows ({', '.join(holding[:5])})"] if holding else []
        found += [f"{files} file(s) are under {storage_place(scans)}"] if files else []
        raise BackupError(
            f"the target is not empty: {' and '.join(found)}. Restore into a new database and an empty scans "
            "storage, or pass --force to replace the whole database and overwrite scans of the same name."
        )


def _postgresql_load(connection, dump: Path, tables: dict[str, int], work: Path) -> None:
    script = work / "restore.sql"
    environment = _libpq_environment(connection)
    # --clean --if-exists drops what a migrated or forced target holds (DROP is not refused by
    # the guards); --no-owner --no-privileges make the restoring role own everything, whatever
    # the role was called on the lost server.
    _run(
        [
            _postgresql_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            f"--file={script}",
            str(dump),
        ],
        env=environment,
    )
    with open(script, "a", encoding="utf-8") as handle:
        handle.write(_postgresql_count_check(tables))
    environment["PGOPTIONS"] = (environment.get("PGOPTIONS", "") + " -c client_min_messages=warning").strip()
    _run(
        [
            _postgresql_tool("psql"),
            "--no-psqlrc",
            "--quiet",
            "--set=ON_ERROR_STOP=1",
            "--single-transaction",
            f"--file={script}",
        ],
        env=environment,
    )


def _postgresql_count_check(tables: dict[str, int]) -> str:
    """SQL that raises, so rolling back the whole restore, unless the restored schema holds
    exactly the manifest's tables with exactly its row counts. Names were checked against
    TABLE_NAME, counts are integers: nothing from the manifest reaches the SQL unchecked."""
    names = ", ".join(f"'{name}'" for name in sorted(tables))
    lines = [
        "",
        "RESET search_path;",
        "DO $restore_check$",
        "DECLARE found bigint; extra text;",
        "BEGIN",
        "    SELECT string_agg(c.relname, ', ') INTO extra FROM pg_catalog.pg_class c",
        "        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace",
        "        WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()",
        f"        AND c.relname <> ALL (ARRAY[{names}]);",
        "    IF extra IS NOT NULL THEN",
        "        RAISE EXCEPTION 'restore check: tables the manifest does not list: %', extra;",
        "    END IF;",
    ]
    for name, count in sorted(tables.items()):
        lines += [
            f'    SELECT count(*) INTO found FROM "{name}";',
            f"    IF found <> {int(count)} THEN",
            f"        RAISE EXCEPTION 'restore check: table {name} has % rows, the manifest says {int(count)}', found;",
            "    END IF;",
        ]
    return "\n".join([*lines, "END", "$restore_check$;", ""])


def _sqlite_check_copy(path: Path, tables: dict[str, int]) -> None:
    copy = sqlite3.connect(path)
    try:
        integrity = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            raise BackupError(f"the database part fails SQLite's integrity check: {integrity}")
        _counts_compare(_row_counts(copy.cursor(), "sqlite"), tables)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"the database part is not a usable SQLite database: {error}") from error
    finally:
        copy.close()


def _sqlite_load(connection, part: Path) -> None:
    source, target = sqlite3.connect(part), sqlite3.connect(str(connection.settings_dict["NAME"]))
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _media_verify(entries: list[dict]) -> None:
    """Read every restored file back through its storage and compare it with the manifest."""
    for entry in entries:
        storage, name = _media_target(entry["path"])
        digest = hashlib.sha256()
        with storage.open(name, "rb") as handle:
            for chunk in handle.chunks(CHUNK_BYTES):
                digest.update(chunk)
        if digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"{name} in {storage_place(storage)} differs from the archive after the restore")


def _counts_compare(found: dict[str, int], expected: dict[str, int]) -> None:
    if found != expected:
        differences = [
            f"{name}: {found.get(name, 'no table')} rows, the manifest says {expected.get(name, 'no table')}"
            for name in sorted(found.keys() | expected.keys())
            if found.get(name) != expected.get(name)
        ]
        raise BackupError("the row counts differ from the manifest: " + "; ".join(differences[:5]))


def _migration_notes(connection) -> list[str]:
    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    unknown = set(executor.loader.applied_migrations) - set(executor.loader.disk_migrations)
    notes = []
    if unapplied:
        notes.append(f"{len(unapplied)} migration(s) of this release are not applied: run manage.py migrate")
    if unknown:
        notes.append(f"the backup comes from a newer release ({len(unknown)} migration(s) unknown here)")
    return notes


# Shared


def _table_names(cursor, vendor: str) -> list[str]:
    if vendor == "postgresql":
        cursor.execute(
            "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY 1"
        )
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY 1")
    return [name for (name,) in cursor.fetchall()]


def _row_counts(cursor, vendor: str) -> dict[str, int]:
    counts = {}
    for table in _table_names(cursor, vendor):
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _postgresql_tool(name: str) -> str:
    """pg_dump, pg_restore and psql must be of the server's major version: BACKUP_PG_BIN_DIR picks them."""
    folder = settings.BACKUP_PG_BIN_DIR
    tool = str(Path(folder) / name) if folder else shutil.which(name)
    if not tool or not Path(tool).exists():
        raise BackupError(f"{name} is not installed (or set BACKUP_PG_BIN_DIR to the folder holding it)")
    return tool


def _libpq_environment(connection) -> dict[str, str]:
    """The environment that points pg_dump, pg_restore and psql at the connection's database."""
    settings_dict = connection.settings_dict
    _arguments, extra = connection.client.settings_to_cmd_args_env(settings_dict, [])
    environment = {**os.environ, **(extra or {})}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("NAME", "PGDATABASE")):
        if settings_dict.get(key):
            environment[variable] = str(settings_dict[key])
    return environment


def _run(arguments: list[str], *, env: dict[str, str]) -> None:
    result = subprocess.run(arguments, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip()[-2000:]
        raise BackupError(f"{Path(arguments[0]).name} failed (exit {result.returncode}): {message}")
