"""Destruction lists, their items and holds are never deleted (a hold is lifted, not removed);
the lists' history is evidence: never deleted nor changed, not even by raw SQL or TRUNCATE (see
crm_archive/db_guards.py).

0002 put DELETE triggers on other apps' tables too; each app now guards its own tables in its
own migrations, so 0002's triggers and their function are dropped here: a database ends with
exactly one set of guards, whatever order the apps' migrations ran in."""

from django.db import migrations

from crm_archive.db_guards import guard_tables

OLD_TABLES = [
    "customers_customer",
    "dossiers_dossier",
    "dossiers_document",
    "lending_loan",
    "destruction_destructionlist",
    "destruction_destructionitem",
]

OLD_FUNCTION = """
CREATE OR REPLACE FUNCTION archive_forbid_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'rows of %% are never deleted; destruction marks them destroyed', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def drop_0002_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in OLD_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_forbid_delete ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS archive_forbid_delete()")


def restore_0002_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(OLD_FUNCTION)
    for table in OLD_TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_forbid_delete BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION archive_forbid_delete()"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("destruction", "0002_forbid_hard_delete"),
        ("customers", "0003_evidence_guards"),
        ("dossiers", "0006_evidence_guards"),
        ("lending", "0005_evidence_guards"),
    ]

    operations = [
        guard_tables(
            "destruction",
            never_deleted=["destruction_destructionlist", "destruction_destructionitem", "destruction_hold"],
            append_only=["destruction_historicaldestructionlist"],
        ),
        migrations.RunPython(drop_0002_triggers, restore_0002_triggers),
    ]
