"""Signatures and delegations are evidence: their rows are never deleted (see crm_archive/db_guards.py)."""

from django.db import migrations

from crm_archive.db_guards import guard_tables


class Migration(migrations.Migration):
    dependencies = [("approvals", "0002_default_chains")]

    operations = [guard_tables("approvals", never_deleted=["approvals_approvaltask", "approvals_deputy"])]
