"""The working-day calendar's exceptions are changed, never deleted, and their history is evidence
of what each due date was counted on: never deleted nor changed (see crm_archive/db_guards.py)."""

from django.db import migrations

from crm_archive.db_guards import guard_tables


class Migration(migrations.Migration):
    dependencies = [("crm_archive", "0001_initial")]

    operations = [
        guard_tables(
            "crm_archive",
            never_deleted=["crm_archive_calendarday"],
            append_only=["crm_archive_historicalcalendarday"],
        )
    ]
