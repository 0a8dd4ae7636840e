"""The working-day calendar's exceptions an administrator keeps (crm_archive/workdays.py).

The calendar itself is China's (public holidays and adjusted working days, from the
`chinese-calendar` package), Monday to Friday for a year the package does not know yet. A
`CalendarDay` overrides it for one date: a holiday the State Council announced before the package
knew it, a company day off, or an adjusted working Saturday. Due dates are stored when they are set,
so a change here moves no due date already given; the history says what the calendar was when it
was.
"""

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# (id of a choice field, language) → {value: label}, the labels translated once.
_CHOICE_LABELS: dict = {}


class ChoiceLabels(models.Model):
    """`get_FOO_display()` from a map built once per field, instead of Django's, which rebuilds the
    field's choices dict on every call (40 µs: a list page of 100 rows showing two labels a row
    spent 8 ms there). Same result, the choices of our fields being fixed lists; the labels are
    translated once per language."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):
        key = (id(field), get_language())  # a field lives as long as its model class
        labels = _CHOICE_LABELS.get(key)
        if labels is None:
            labels = {make_hashable(value): force_str(label, strings_only=True) for value, label in field.flatchoices}
            _CHOICE_LABELS[key] = labels
        value = getattr(self, field.attname)
        return labels.get(make_hashable(value), value)


class CalendarDay(models.Model):
    """One date whose working-day status an administrator fixed, whatever the calendar says."""

    WORKING_DAY_CHOICES = [(True, _("工作日（上班）")), (False, _("休息日（放假）"))]

    day = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否上班"), choices=WORKING_DAY_CHOICES)
    note = models.CharField(
        _("说明"), max_length=200, help_text=_("依据，例如“国务院办公厅 2027 年部分节假日安排：国庆节”。")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-day"]
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")

    def __str__(self):
        status = _("上班") if self.is_working_day else _("放假")
        return f"{self.day.isoformat()} {status}"
