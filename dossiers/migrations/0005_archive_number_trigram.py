"""A trigram index so that searching dossiers by part of an archive number uses an index on
PostgreSQL (Django compiles icontains to UPPER(col::text) LIKE). Nothing on SQLite."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dossier_archive_number_trgm ON dossiers_dossier "
        "USING gin (UPPER(archive_number::text) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS dossier_archive_number_trgm")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0004_list_order_indexes")]

    operations = [migrations.RunPython(create, drop)]
