"""SQLite rebuilt lending_loan and lending_historicalloan to add the loan's grant (0007), dropping
their triggers with the old tables: install them again (see crm_archive/db_guards.py)."""

from importlib import import_module

from django.db import migrations

from crm_archive.db_guards import guard_tables

# The borrower trigger of 0005, installed again (a module whose name starts with a digit).
_0005 = import_module("lending.migrations.0005_evidence_guards")


class Migration(migrations.Migration):
    dependencies = [("lending", "0007_loan_grant")]

    operations = [
        guard_tables("lending", never_deleted=["lending_loan"], append_only=["lending_historicalloan"]),
        migrations.RunPython(_0005.borrower_is_fixed_on_sqlite, migrations.RunPython.noop),
    ]
