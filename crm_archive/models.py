"""The working-day calendar's exceptions an administrator keeps (crm_archive/workdays.py).

The calendar itself is China's (public holidays and adjusted working days, from the
`chinese-calendar` package), Monday to Friday for a year the package does not know yet. A
`CalendarDay` overrides it for one date: a holiday the State Council announced before the package
knew it, a company day off, or an adjusted working Saturday. Due dates are stored when they are set,
so a change here moves no due date already given; the history says what the calendar was when it
was.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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
