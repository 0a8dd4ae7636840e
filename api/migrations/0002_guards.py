"""API keys are the record of who could call the API: never deleted (see crm_archive/db_guards.py)."""

from django.db import migrations

from crm_archive.db_guards import guard_tables


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [guard_tables("api", never_deleted=["api_apikey"])]
