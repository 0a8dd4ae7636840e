import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lending.services import monthly_report_generate


class Command(BaseCommand):
    help = (
        "Take the official outstanding-loan report (每月5日统计) of a month now, as the beat job does: "
        "not before the 5th of that month; a month already stored is shown, not redone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: the current month, Asia/Shanghai)")

    def handle(self, *args, month=None, **options):
        today = timezone.localdate()
        if month:
            match = re.fullmatch(r"(\d{4})-(\d{1,2})", month)
            if not match or not 1 <= int(match.group(2)) <= 12:
                raise CommandError("--month must look like 2026-11")
            year, month_number = int(match.group(1)), int(match.group(2))
        else:
            year, month_number = today.year, today.month
        report, created = monthly_report_generate(year=year, month=month_number)
        if report is None:
            raise CommandError(f"{year}-{month_number:02d}: the official report is taken on or after the 5th.")
        state = "stored" if created else "already stored"
        self.stdout.write(
            f"{year}-{month_number:02d}: {state}, {report.lines.count()} items out (report #{report.pk})."
        )
