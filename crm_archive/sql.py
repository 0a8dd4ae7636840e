"""SQL shapes the ORM does not write by itself."""

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL


def among(model, field: str, matches: QuerySet):
    """A filter: the row's `field` (of `model`, the queryset's own model) is one of `matches`, a
    queryset of one column (often a UNION of id sets, each read on its own index). On PostgreSQL as
    `column = ANY(ARRAY(…))`: the planner then reads the few matched rows by key, where for
    `column IN (…)` it guesses a share of the table and walks or hashes all of it."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": matches})
    sql, params = matches.query.sql_with_params()
    column = model._meta.get_field(field).column
    return RawSQL(f'"{model._meta.db_table}"."{column}" = ANY(ARRAY({sql}))', params, output_field=BooleanField())
