"""Seed the retention periods (保管期限) and document types a fresh database needs.

Administrators edit both afterwards; this only adds what is missing."""

from django.db import migrations

RETENTION_PERIODS = [("Y", "永久", None), ("D30", "定期30年", 30), ("D10", "定期10年", 10)]

# name, required before promotion, sort order
DOCUMENT_TYPES = [
    ("客户基本资料表", True, 10),
    ("客户信用评估报告", False, 20),
    ("客户销售合同（复印件）", True, 30),
    ("客户资质评级表", False, 40),
    ("客户销售统计表", False, 50),
    ("客户信息分析报告", False, 60),
    ("竣工文档", True, 70),
    ("电话交换机安装参数一览表", True, 80),
    ("设备说明书", False, 90),
    ("其他", False, 100),
]


def seed(apps, schema_editor):
    RetentionPeriod = apps.get_model("dossiers", "RetentionPeriod")
    DocumentType = apps.get_model("dossiers", "DocumentType")
    for code, name, years in RETENTION_PERIODS:
        RetentionPeriod.objects.get_or_create(code=code, defaults={"name": name, "years": years})
    for name, required, order in DOCUMENT_TYPES:
        DocumentType.objects.get_or_create(
            name=name, defaults={"required_for_promotion": required, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
