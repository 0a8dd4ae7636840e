"""Loans and the monthly reports are never deleted; the loans' history and the reports' lines
(what was out at the report's moment) are evidence: never deleted nor changed, not even by raw
SQL or TRUNCATE (see crm_archive/db_guards.py). The DELETE trigger
destruction/0002 put on lending_loan is replaced by this one.

SQLite (the embedded default) also refuses a change of a loan's borrower, as PostgreSQL does
since 0002."""

from django.db import migrations

from crm_archive.db_guards import guard_tables

SQLITE_BORROWER_IS_FIXED = """
CREATE TRIGGER lending_loan_borrower_is_fixed BEFORE UPDATE OF borrower_id ON lending_loan
WHEN NEW.borrower_id IS NOT OLD.borrower_id
BEGIN SELECT RAISE(ABORT, 'a loan cannot be handed on to another borrower'); END
"""


def borrower_is_fixed_on_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS lending_loan_borrower_is_fixed")
        schema_editor.execute(SQLITE_BORROWER_IS_FIXED)


def borrower_may_change_on_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS lending_loan_borrower_is_fixed")


class Migration(migrations.Migration):
    dependencies = [("lending", "0004_monthly_report_official_and_snapshots")]

    operations = [
        guard_tables(
            "lending",
            never_deleted=["lending_loan", "lending_monthlyreport"],
            append_only=["lending_historicalloan", "lending_monthlyreportline"],
        ),
        migrations.RunPython(borrower_is_fixed_on_sqlite, borrower_may_change_on_sqlite),
    ]
