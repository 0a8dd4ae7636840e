"""Nothing is ever hard-deleted except through the destruction workflow — and that workflow
only marks rows destroyed. PostgreSQL refuses DELETE on the records that must outlive
everyone (customers, dossiers, documents, loans, destruction lists and their items)."""

from django.db import migrations

TABLES = [
    "customers_customer",
    "dossiers_dossier",
    "dossiers_document",
    "lending_loan",
    "destruction_destructionlist",
    "destruction_destructionitem",
]

FUNCTION = """
CREATE OR REPLACE FUNCTION archive_forbid_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'rows of %% are never deleted; destruction marks them destroyed', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_forbid_delete ON {table}")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_forbid_delete BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION archive_forbid_delete()"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_forbid_delete ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS archive_forbid_delete()")


class Migration(migrations.Migration):
    dependencies = [
        ("destruction", "0001_initial"),
        ("customers", "0002_trigram_search_indexes"),
        ("dossiers", "0003_document_destroyed_at"),
        ("lending", "0002_borrower_never_changes"),
    ]

    operations = [migrations.RunPython(create, drop)]
