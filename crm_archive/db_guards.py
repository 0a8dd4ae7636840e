"""Guards the database itself holds over records that must outlive everyone.

Records (customers, dossiers, documents, loans, destruction lists and items, holds, monthly
reports) are never deleted: the workflows close, lift or mark them destroyed. Evidence (the read
log, every simple-history table, the backup-key log, handovers, the monthly reports' lines) is
also never changed once written. The application offers
no way to do either; these triggers make raw SQL, a shell or a careless script refuse as well.

Each app installs the guards on its own tables in its own migrations, with `guard_tables()`:

- PostgreSQL: a row-level BEFORE DELETE (and, for evidence, BEFORE UPDATE) trigger, and a
  statement-level BEFORE TRUNCATE trigger, which DELETE triggers do not cover;
- SQLite (the embedded default): BEFORE DELETE / BEFORE UPDATE triggers raising ABORT (SQLite
  has no TRUNCATE). A later migration that makes SQLite rebuild one of these tables (most
  AlterField operations) drops its triggers with the old table: run `guard_tables()` again after
  it. tests/test_evidence_is_append_only.py checks that every guard is in place.

Only `manage.py flush` (which empties the whole database, as the test suite does between
transactional tests) lifts the guards, for its own transaction: see `guards_lifted()`.
"""

from contextlib import contextmanager

from django.db import migrations

DELETE_MESSAGE = "rows of {table} are never deleted"
UPDATE_MESSAGE = "rows of {table} are evidence and never changed"

# "%%" because the schema editor formats each statement with (empty) parameters.
POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'rows of %% are evidence and never changed', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RAISE EXCEPTION 'rows of %% are never deleted', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql
"""


def trigger_names(table: str, *, append_only: bool) -> list[str]:
    """The names of the guard triggers of `table` (PostgreSQL has one more: TRUNCATE)."""
    names = [f"{table}_refuse_delete", f"{table}_refuse_truncate"]
    return names + [f"{table}_refuse_update"] if append_only else names


def _postgresql_statements(function: str, never_deleted, append_only) -> list[str]:
    statements = [POSTGRESQL_FUNCTION.format(function=function)]
    for table in [*never_deleted, *append_only]:
        events = [("delete", "DELETE", "ROW"), ("truncate", "TRUNCATE", "STATEMENT")]
        if table in append_only:
            events.append(("update", "UPDATE", "ROW"))
        for suffix, event, level in events:
            name = f"{table}_refuse_{suffix}"
            statements += [
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH {level} EXECUTE FUNCTION {function}()",
            ]
    return statements


def _sqlite_statements(never_deleted, append_only) -> list[str]:
    statements = []
    for table in [*never_deleted, *append_only]:
        events = [("delete", "DELETE", DELETE_MESSAGE)]
        if table in append_only:
            events.append(("update", "UPDATE", UPDATE_MESSAGE))
        for suffix, event, message in events:
            name = f"{table}_refuse_{suffix}"
            statements += [
                f"DROP TRIGGER IF EXISTS {name}",
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message.format(table=table)}'); END",
            ]
    return statements


def guard_tables(app_label: str, *, never_deleted=(), append_only=()) -> migrations.RunPython:
    """A migration operation: rows of `never_deleted` tables are never deleted; rows of
    `append_only` tables are never deleted nor changed. Reversible."""
    never_deleted, append_only = list(never_deleted), list(append_only)
    function = f"{app_label}_refuse_change"

    def install(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            statements = _postgresql_statements(function, never_deleted, append_only)
        elif vendor == "sqlite":
            statements = _sqlite_statements(never_deleted, append_only)
        else:
            return
        for statement in statements:
            schema_editor.execute(statement)

    def remove(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for table in [*never_deleted, *append_only]:
            for name in trigger_names(table, append_only=True):
                if vendor == "postgresql":
                    schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                elif vendor == "sqlite":
                    schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")

    return migrations.RunPython(install, remove)


def installed_guards(connection) -> set[tuple[str, str]]:
    """(table, trigger name) of every guard trigger in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND pg_catalog.pg_table_is_visible(c.oid)"
            )
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        else:
            return set()
        return {(table, name) for table, name in cursor.fetchall() if _is_guard(table, name)}


def _is_guard(table: str, name: str) -> bool:
    return name in (f"{table}_refuse_{event}" for event in ("delete", "truncate", "update"))


@contextmanager
def guards_lifted(connection):
    """Within the current transaction, let the whole database be emptied (manage.py flush): on
    PostgreSQL the TRUNCATE guards are disabled, on SQLite the DELETE guards dropped; both come
    back when the block ends, and a rollback restores them anyway (DDL is transactional in both)."""
    guards = sorted(installed_guards(connection))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            truncate_guards = [(table, name) for table, name in guards if name.endswith("_refuse_truncate")]
            for table, name in truncate_guards:
                cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER "{name}"')
            yield
            for table, name in truncate_guards:
                cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER "{name}"')
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger'")
            delete_guards = [(name, sql) for table, name, sql in cursor.fetchall() if name == f"{table}_refuse_delete"]
            for name, _sql in delete_guards:
                cursor.execute(f'DROP TRIGGER "{name}"')
            yield
            for _name, sql in delete_guards:
                cursor.execute(sql)
        else:
            yield
