"""A readable account of django-simple-history rows: who changed what, from what to what.

Used by each record's own page (its "变更历史" card) and by the audit page, which shows changes of
several kinds of record at once. Values are shown as people read them: a choice by its label, a
related record by its name, in the reader's language. The cost is fixed, whatever the number of
entries: the history rows (and the rows before them) in the caller's queries, then one query per
kind of related record named by a changed field.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

# Bookkeeping fields whose changes say nothing to a reader.
SKIPPED_FIELDS = {"created_at", "updated_at"}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object
    who: object
    kind: str  # "created", "changed" or "deleted"
    reason: str
    changes: list[FieldChange] = field(default_factory=list)
    record: object = None  # the historical row itself, for callers that link to the record
    # A change whose record's history began with it (a row made before its model was tracked):
    # what it changed from is unknown.
    unknown_before: bool = False

    @property
    def action(self) -> str:
        return {"created": _("创建"), "changed": _("修改"), "deleted": _("删除")}[self.kind]


def _kind(new, old) -> str:
    return {"+": "created", "-": "deleted"}.get(new.history_type, "changed")


def describe(pairs) -> list[HistoryEntry]:
    """HistoryEntry for each (new, old) pair of historical rows of any tracked models; `old` is the
    row before `new` of the same record, or None for its first."""
    diffs, wanted = [], defaultdict(set)
    for new, old in pairs:
        model = new.instance_type
        fields = {f.name: f for f in model._meta.fields if f.name not in SKIPPED_FIELDS}
        changes = []
        if old is not None and new.history_type != "-":
            changes = [c for c in new.diff_against(old, excluded_fields=SKIPPED_FIELDS).changes if c.field in fields]
        for change in changes:
            model_field = fields[change.field]
            if model_field.is_relation:
                wanted[model_field.related_model].update(v for v in (change.old, change.new) if v is not None)
        diffs.append((new, old, fields, changes))
    names = {}
    for related_model, pks in wanted.items():
        # select_related(): what a related record's name is made of (its own foreign keys) comes
        # in the same query, not one query per name.
        for related in related_model._default_manager.select_related().filter(pk__in=pks):
            names[(related_model, related.pk)] = str(related)
    return [
        HistoryEntry(
            when=new.history_date,
            who=new.history_user,
            kind=_kind(new, old),
            reason=new.history_change_reason or "",
            changes=[
                FieldChange(
                    label=str(fields[c.field].verbose_name),
                    old=display(fields[c.field], c.old, names),
                    new=display(fields[c.field], c.new, names),
                )
                for c in changes
            ],
            record=new,
            unknown_before=old is None and new.history_type == "~",
        )
        for new, old, fields, changes in diffs
    ]


def display(model_field, value, names: dict) -> str:
    if value in (None, ""):
        return "—"
    if model_field.is_relation:
        return names.get((model_field.related_model, value), str(value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%Y-%m-%d %H:%M:%S}"
    if hasattr(value, "name") and hasattr(value, "storage"):  # a file: its stored name
        return value.name or "—"
    return str(value)


def record_history(instance, *, limit: int = 50) -> list[HistoryEntry]:
    """The changes of one record, newest first (`limit` of them): one query for the rows, then
    one per kind of related record a change names."""
    rows = list(instance.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    return describe(list(zip(rows, [*rows[1:], None], strict=False))[:limit])
