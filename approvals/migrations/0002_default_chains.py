"""The default chains of SPEC §9, drawn from the seeds:
- read access (查阅, seed 003 policy 3 §四.3 and §四.1): the requester's department manager signs,
  then the tier's manager, then the general manager (a step an office may switch off);
- borrow an original (借阅, seed 002 §27–28 and SPEC §5): the requesting department's head, then
  the archive manager, with the tier's manager beside them when the tier is closed to the requester;
- photocopy (影印, SPEC §5): the archive manager, with the tier's manager when the tier is closed;
- export of customer data (seed 004 part 4 §3): the requester's department manager — managers and
  directors need nobody's;
- destruction list (seed 001, SPEC §6): the customer service manager and the producing department's
  manager appraise together, then the customer director approves.
An extension is approved like the loan it extends and has no chain of its own."""

from django.db import migrations

TIERS = ["company", "department", "personal", "top_secret"]

DEFAULTS = {
    "read": [
        (1, "requester_department_manager", "always"),
        (2, "tier_manager", "always"),
        (3, "general_manager", "always"),
    ],
    "borrow": [
        (1, "requester_department_manager", "always"),
        (2, "archive_manager", "always"),
        (2, "tier_manager", "tier_closed"),
    ],
    "photocopy": [
        (1, "archive_manager", "always"),
        (1, "tier_manager", "tier_closed"),
    ],
}

EXPORT = [
    (1, "requester_department_manager", "requester_not_manager"),
]

DESTRUCTION = [
    (1, "cs_manager", "always"),
    (1, "producing_department_manager", "always"),
    (2, "customer_director", "always"),
]


def install(apps, schema_editor):
    ApprovalChain = apps.get_model("approvals", "ApprovalChain")
    ApprovalStep = apps.get_model("approvals", "ApprovalStep")

    def chain(kind, tier, steps):
        made, created = ApprovalChain.objects.get_or_create(kind=kind, tier=tier)
        if created:
            ApprovalStep.objects.bulk_create(
                ApprovalStep(chain=made, stage=stage, role=role, condition=condition)
                for stage, role, condition in steps
            )

    for kind, steps in DEFAULTS.items():
        for tier in TIERS:
            chain(kind, tier, steps)
    # An export spans tiers, as a destruction list does: one chain for every tier.
    chain("export", "", EXPORT)
    chain("destruction", "", DESTRUCTION)


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
