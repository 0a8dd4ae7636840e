"""Customers are never deleted; the read log, handovers and the customers' history are evidence:
never deleted nor changed, not even by raw SQL or TRUNCATE (see crm_archive/db_guards.py).
The DELETE trigger destruction/0002 put on customers_customer is replaced by this one."""

from django.db import migrations

from crm_archive.db_guards import guard_tables


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_trigram_search_indexes")]

    operations = [
        guard_tables(
            "customers",
            never_deleted=["customers_customer"],
            append_only=["customers_customerreadlog", "customers_handover", "customers_historicalcustomer"],
        )
    ]
