"""SQL shapes the ORM does not write by itself."""

import copy

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import BooleanField, Expression, F, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.query import get_related_populators


class _AnyOf(Expression):
    """`column = ANY(ARRAY(subquery))`, with the column resolved like any field reference, so the
    condition still names the right table once its query is nested in another (a UNION branch, a
    subquery) and Django renames that table."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, field: str, matches: QuerySet):
        super().__init__()
        self.column, self.subquery = F(field), Subquery(matches)

    def get_source_expressions(self):
        return [self.column, self.subquery]

    def set_source_expressions(self, expressions):
        self.column, self.subquery = expressions

    def as_sql(self, compiler, connection):
        column, column_params = compiler.compile(self.column)
        subquery, subquery_params = compiler.compile(self.subquery)  # written in parentheses
        return f"{column} = ANY(ARRAY{subquery})", (*column_params, *subquery_params)


def among(field: str, matches: QuerySet):
    """A filter: the row's `field` is one of `matches`, a queryset of one column (often a UNION of
    id sets, each read on its own index). On PostgreSQL as `column = ANY(ARRAY(…))`: the planner
    then reads the few matched rows by key, where for `column IN (…)` it guesses a share of the
    table and walks or hashes all of it."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": matches})
    return _AnyOf(field, matches)


def union_of(parts, *, all: bool = False) -> QuerySet:
    """The UNION of querysets of one shape (a single one as it is). Each part should drop its
    ordering unless it is cut to a LIMIT: SQLite refuses ORDER BY inside a UNION."""
    first, *rest = parts
    return first.union(*rest, all=all) if rest else first


class BranchRows:
    """The rows of `rows` (a queryset of one model, with what a list shows joined in) whose id is
    in the UNION of `branches` (querysets of that model, each found on an index of its own), in
    `order`. A page (`page`) cuts each branch to the page's end in the same order where the
    database allows ORDER BY and LIMIT inside a UNION (PostgreSQL), so it reads a page's rows from
    each branch's index instead of every row of every branch sorted for one page. `order` must end
    in a unique field. Each branch must apply every filter of the list (the access rule included):
    a row a branch cuts away is never seen again. `paginate` and `bounded` read it."""

    def __init__(self, rows: QuerySet, branches: list[QuerySet], order: tuple[str, ...]):
        self.rows, self.branches, self.order = rows, branches, order

    @property
    def every(self) -> QuerySet:
        ids = union_of(branch.order_by().values("pk") for branch in self.branches)
        return self.rows.filter(pk__in=ids).order_by(*self.order)

    def ids(self, limit: int) -> QuerySet:
        """Up to `limit` ids of the list, for counting it up to a cap: each branch is cut to
        `limit` first (where the database allows), since if the whole list holds more than that,
        one branch at least does."""
        cut = connection.features.supports_slicing_ordering_in_compound
        ids = (branch.order_by().values("pk") for branch in self.branches)
        return union_of(part[:limit] if cut else part for part in ids)[:limit]

    def page(self, start: int, stop: int, cap: int | None = None) -> tuple[list, int | None]:
        """Rows `start` to `stop` of the list and, with `cap`, how many rows it holds counted up to
        cap + 1, in one statement. Where the database cuts each branch (PostgreSQL), each branch
        is compiled once and read twice, cut to the page's end for the page and to cap + 1 for the
        count (a sales person's list: 1 ms of compiling and a statement less). The count is None
        where no row carries it (no cap, a page past the end)."""
        if connection.features.supports_slicing_ordering_in_compound:
            compiled = []
            for branch in self.branches:
                try:
                    compiled.append(branch.order_by(*self.order).values("pk").query.sql_with_params())
                except EmptyResultSet:  # a branch no row can match
                    continue
            if not compiled:
                return [], (0 if cap is not None else None)

            def cut_to(limit: int) -> tuple[str, list]:
                union = " UNION ".join(f"({sql} LIMIT %s)" for sql, _params in compiled)
                return union, [value for _sql, params in compiled for value in (*params, limit)]

            union, params = cut_to(stop)
            rows = self.rows.filter(pk__in=RawSQL(f"SELECT * FROM ({union}) AS page_ids", params))
            counted = cut_to(cap + 1) if cap is not None else None
        else:
            rows = self.every
            try:
                counted = self.ids(cap + 1).query.sql_with_params() if cap is not None else None
            except EmptyResultSet:  # every branch is one no row can match
                return [], 0
        if counted is not None:
            rows = rows.annotate(_capped_total=RawSQL(f"SELECT COUNT(*) FROM ({counted[0]}) AS capped", counted[1]))
        found = list(rows.order_by(*self.order)[start:stop])
        return found, (found[0]._capped_total if found and cap is not None else None)


class CompiledByPk:
    """One row of `build()` (a queryset of one model) by its primary key, the queryset built and
    compiled once per process and database, then run with the key alone: for the query every
    request makes (the signed-in user, accounts.backends), where Django building and compiling it
    cost more than the database answering it (0.4 of 1 ms). What `build()` joins and annotates is
    read back as Django would (ModelIterable): related rows, annotations, each column's converter.
    `build()` must not depend on the moment or the request: its SQL is kept for the process."""

    # A key no row has, to find the key's place among the compiled query's parameters.
    _KEY = -2_000_000_017

    def __init__(self, build):
        self.build = build
        self._compiled = {}

    def _compile(self, alias: str):
        compiler = self.build().filter(pk=self._KEY).query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        places = [index for index, value in enumerate(params) if value == self._KEY]
        if len(places) != 1:
            raise ValueError("the key must reach the SQL once, as a parameter")
        # Each call gives the compiler its own thread's connection: the one compiling is not kept.
        compiler.connection = None
        klass_info, select = compiler.klass_info, compiler.select
        fields = klass_info["select_fields"]
        start, stop = fields[0], fields[-1] + 1
        attnames = [column[0].target.attname for column in select[start:stop]]
        compiled = (compiler, sql, list(params), places[0], start, stop, attnames)
        self._compiled[alias] = compiled
        return compiled

    def get(self, pk, using: str = "default"):
        """The row whose key is `pk`, or None."""
        compiler, sql, params, place, start, stop, attnames = self._compiled.get(using) or self._compile(using)
        connection = connections[using]
        key = compiler.query.model._meta.pk.get_db_prep_value(pk, connection, prepared=False)
        params = [*params[:place], key, *params[place + 1 :]]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        # The compiler of this process's first call, on this thread's connection: it converts the
        # row's columns (dates on SQLite, JSON) and knows where each related row and annotation is.
        compiler = copy.copy(compiler)
        compiler.connection = connection
        (row,) = compiler.results_iter(results=[[row]])
        instance = compiler.query.model.from_db(using, attnames, row[start:stop])
        for populator in get_related_populators(compiler.klass_info, compiler.select, using):
            populator.populate(row, instance)
        for name, position in compiler.annotation_col_map.items():
            setattr(instance, name, row[position])
        return instance
