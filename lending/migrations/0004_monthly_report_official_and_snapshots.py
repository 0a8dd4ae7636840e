"""The month's official report is taken on or after its 5th; on-demand reports become labelled
snapshots that never hold the official slot.

Reports stored before this change are classified by the same rule: a report taken on or after the
5th of its month was a run the official slot allows, and stays official; one taken earlier (a
"generate now" pressed before the 5th) becomes a snapshot, so the month's official slot is free."""

from datetime import date

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

OFFICIAL_REPORT_DAY = 5


def classify_stored_reports(apps, schema_editor):
    MonthlyReport = apps.get_model("lending", "MonthlyReport")
    for report in MonthlyReport.objects.only("pk", "year", "month", "taken_at").iterator():
        taken_on = timezone.localdate(report.taken_at)
        official = taken_on >= date(report.year, report.month, OFFICIAL_REPORT_DAY)
        MonthlyReport.objects.filter(pk=report.pk).update(kind="official" if official else "snapshot")


class Migration(migrations.Migration):
    dependencies = [
        ("lending", "0003_list_order_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="monthlyreport",
            options={
                "ordering": ["-year", "-month", "kind", "-taken_at"],
                "verbose_name": "借阅未还月报",
                "verbose_name_plural": "借阅未还月报",
            },
        ),
        migrations.RemoveConstraint(
            model_name="monthlyreport",
            name="one_report_per_month",
        ),
        migrations.AddField(
            model_name="monthlyreport",
            name="kind",
            field=models.CharField(
                choices=[("official", "官方月报"), ("snapshot", "即时快照")],
                default="snapshot",
                max_length=16,
                verbose_name="类型",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(classify_stored_reports, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="monthlyreport",
            index=models.Index(fields=["-year", "-month", "kind", "-taken_at"], name="monthly_report_list_order"),
        ),
        migrations.AddConstraint(
            model_name="monthlyreport",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "official")),
                fields=("year", "month"),
                name="one_official_report_per_month",
            ),
        ),
        migrations.AddConstraint(
            model_name="monthlyreport",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["official", "snapshot"])), name="monthly_report_kind"
            ),
        ),
        migrations.AddConstraint(
            model_name="monthlyreport",
            constraint=models.CheckConstraint(
                condition=models.Q(("month__gte", 1), ("month__lte", 12)), name="monthly_report_month"
            ),
        ),
    ]
