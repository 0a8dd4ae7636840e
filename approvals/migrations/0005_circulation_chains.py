"""The default chains of the circulation desk (SPEC §5, issue 13), one for every tier:
- an original kept beyond the day it is lent (seed 000 §3: 原则上当天借阅须当天归还) is the archive
  manager's decision (内勤部经理), a step of its own beside the loan's chain;
- a loan written off as lost: the archive manager, then the general manager (the company's customer
  records are lost; the general manager keeps the backup key and reads the monthly report)."""

from django.db import migrations

CHAINS = {
    "overnight": [(1, "archive_manager", "always")],
    "write_off": [(1, "archive_manager", "always"), (2, "general_manager", "always")],
}


def install(apps, schema_editor):
    ApprovalChain = apps.get_model("approvals", "ApprovalChain")
    ApprovalStep = apps.get_model("approvals", "ApprovalStep")
    for kind, steps in CHAINS.items():
        chain, created = ApprovalChain.objects.get_or_create(kind=kind, tier="")
        if created:
            ApprovalStep.objects.bulk_create(
                ApprovalStep(chain=chain, stage=stage, role=role, condition=condition)
                for stage, role, condition in steps
            )


class Migration(migrations.Migration):
    dependencies = [("approvals", "0004_history")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
