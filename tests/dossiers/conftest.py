from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.functional import empty

from accounts.roles import Role
from customers.models import Customer, SecrecyTier
from dossiers import services
from dossiers.models import Cabinet, Document, DocumentType, RetentionPeriod, private_scan_storage
from tests.factories import DepartmentFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Scans go to a temporary folder, never into the work tree."""
    settings.MEDIA_ROOT = tmp_path / "media"
    private_scan_storage._wrapped = empty  # the storage re-reads MEDIA_ROOT
    yield settings.MEDIA_ROOT
    private_scan_storage._wrapped = empty


@pytest.fixture
def archive(make_user):
    """An archive office, a sales department, one customer per tier, a cabinet."""
    office, sales_department = DepartmentFactory(code="archive"), DepartmentFactory(code="sales")
    people = {
        "clerk": make_user(Role.ARCHIVE_CLERK, department=office, username="clerk"),
        "checker": make_user(Role.ARCHIVE_CLERK, department=office, username="checker"),
        "archive_manager": make_user(
            Role.ARCHIVE_MANAGER, department=office, username="archmgr", email="am@example.com"
        ),
        "owner": make_user(Role.SALES, department=sales_department, username="owner"),
        "colleague": make_user(Role.SALES, department=sales_department, username="colleague"),
        "manager": make_user(Role.DEPARTMENT_MANAGER, department=sales_department, username="manager"),
        "general_manager": make_user(Role.GENERAL_MANAGER, department=office, username="gm"),
    }
    customers = {
        tier: Customer.objects.create(
            name=f"客户-{tier.value}", owner=people["owner"], department=sales_department, secrecy_tier=tier
        )
        for tier in SecrecyTier
    }
    return {
        "people": people,
        "customers": customers,
        "cabinet": Cabinet.objects.create(code="A01", place="档案室", positions=10),
        "retention": RetentionPeriod.objects.get(code="D30"),
        "types": {item.name: item for item in DocumentType.objects.all()},
    }


@pytest.fixture
def open_dossier(archive):
    def make(tier=SecrecyTier.PERSONAL, *, opened_days_ago=30, customer=None):
        return services.dossier_open(
            customer or archive["customers"][tier],
            by=archive["people"]["clerk"],
            opened_on=timezone.localdate() - timedelta(days=opened_days_ago),
            retention=archive["retention"],
        )

    return make


@pytest.fixture
def file_document(archive):
    def make(dossier, type_name="客户基本资料表", **fields):
        values = {
            "title": f"{type_name}-{dossier.pk}",
            "made_on": timezone.localdate() - timedelta(days=10),
            "responsible_party": "工程部",
            "pages": 3,
            "secrecy_tier": dossier.customer.secrecy_tier,
            "retention": archive["retention"],
            **fields,
        }
        return services.document_save(
            Document(dossier=dossier, document_type=archive["types"][type_name], **values),
            by=archive["people"]["clerk"],
        )

    return make


REQUIRED = ["客户基本资料表", "客户销售合同（复印件）", "竣工文档", "电话交换机安装参数一览表"]


@pytest.fixture
def ready_dossier(archive, open_dossier, file_document):
    """A dossier holding every required document, completion received `received_days_ago`."""

    def make(tier=SecrecyTier.PERSONAL, *, received_days_ago=1, customer=None):
        dossier = open_dossier(tier, customer=customer)
        for type_name in REQUIRED:
            file_document(dossier, type_name)
        return services.dossier_record_completion(
            dossier,
            by=archive["people"]["clerk"],
            received_on=timezone.localdate() - timedelta(days=received_days_ago),
        )

    return make
