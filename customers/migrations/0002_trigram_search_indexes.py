"""Trigram indexes so that case-insensitive "contains" searches on names and phones use an index on PostgreSQL.

SQLite (the embedded default) has no pg_trgm; the migration does nothing there."""

from django.db import migrations

INDEXES = [
    ("customer_name_trgm", "customers_customer", "name"),
    ("customer_phone_trgm", "customers_customer", "phone"),
    ("contact_name_trgm", "customers_contact", "name"),
    ("contact_phone_trgm", "customers_contact", "phone"),
    ("contact_mobile_trgm", "customers_contact", "mobile"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        # Django compiles icontains to UPPER(col::text) LIKE UPPER(%s): index that expression.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
