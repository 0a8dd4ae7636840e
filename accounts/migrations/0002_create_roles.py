"""Create the eight role groups of SPEC §1, so that a fresh database has them."""

from django.db import migrations

ROLE_NAMES = [
    "archive_clerk",
    "archive_manager",
    "sales",
    "department_manager",
    "cs_manager",
    "customer_director",
    "marketing_director",
    "general_manager",
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_NAMES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
