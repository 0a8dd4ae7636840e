"""Demo cabinets, dossiers in every state with documents, an inspection and a repair."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from customers.models import Customer

from . import services
from .models import Cabinet, Document, DocumentType, Dossier, DossierStatus, Inspection, RetentionPeriod

CABINETS = [("A01", "档案室 301 东墙"), ("A02", "档案室 301 西墙"), ("B01", "档案室 302")]
REQUIRED_TITLES = {
    "客户基本资料表": "客户基本资料表",
    "客户销售合同（复印件）": "销售合同（复印件）",
    "竣工文档": "工程竣工报告",
    "电话交换机安装参数一览表": "电话交换机安装参数一览表",
}


def _file_documents(dossier, clerk, types, *, made_on):
    for position, (type_name, title) in enumerate(REQUIRED_TITLES.items(), start=1):
        if type_name not in types:
            continue
        services.document_save(
            Document(
                dossier=dossier,
                document_type=types[type_name],
                title=f"{dossier.customer.name}{title}",
                document_number=f"KH-{made_on.year}-{dossier.pk:03d}-{position:02d}",
                made_on=made_on,
                responsible_party=dossier.customer.name if position == 1 else "工程部",
                pages=2 + position,
                copies=1,
                is_original=type_name != "客户销售合同（复印件）",
                secrecy_tier=dossier.customer.secrecy_tier,
                retention=dossier.retention,
                position=position,
            ),
            by=clerk,
        )


@transaction.atomic
def seed_dossiers(users: dict) -> int:
    """Create the demo archive once; running again changes nothing."""
    clerk = users["clerk"]
    cabinets = [Cabinet.objects.get_or_create(code=code, defaults={"place": place})[0] for code, place in CABINETS]
    if Dossier.objects.exists():
        return Dossier.objects.count()
    today = timezone.localdate()
    types = {item.name: item for item in DocumentType.objects.all()}
    retention = RetentionPeriod.objects.get(code="D30")
    customers = list(Customer.objects.order_by("pk")[:12])
    for index, customer in enumerate(customers):
        dossier = services.dossier_open(
            customer, by=clerk, opened_on=today - timedelta(days=120 - index), retention=retention
        )
        stage = index % 4
        if stage == 0:  # temporary, collecting documents
            _file_documents(dossier, clerk, {k: v for k, v in types.items() if k == "客户基本资料表"}, made_on=today)
            continue
        _file_documents(dossier, clerk, types, made_on=today - timedelta(days=30))
        # stage 1: waiting, due soon; stage 2: overdue; stage 3: formal
        received_on = {1: today - timedelta(days=4), 2: today - timedelta(days=7), 3: today - timedelta(days=20)}[stage]
        services.dossier_record_completion(dossier, by=clerk, received_on=received_on)
        if stage == 3:
            services.dossier_promote(dossier, by=clerk, cabinet=cabinets[index % 2], position=index + 1)
    inspection = Inspection.objects.create(
        inspector=clerk,
        cabinet=cabinets[0],
        damage_found=True,
        notes="东墙柜门铰链松动；一份文件边角破损。",
        inspected_on=today - timedelta(days=3),
    )
    damaged = Dossier.objects.filter(status=DossierStatus.FORMAL).first().documents.first()
    services.repair_open(damaged, by=clerk, damage="边角破损，需裱糊修复", inspection=inspection)
    return Dossier.objects.count()
