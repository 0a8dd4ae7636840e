import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from customers.models import SecrecyTier
from destruction import services as destruction_services
from dossiers import services as dossier_services
from dossiers.models import Document, Dossier, RetentionPeriod
from tests.conftest import PDF_BYTES


@pytest.fixture
def destruction_people(archive, make_user):
    people = archive["people"]
    sales_department = people["owner"].department
    people["cs_manager"] = make_user(Role.CS_MANAGER, username="csmgr")
    people["director"] = make_user(Role.CUSTOMER_DIRECTOR, username="custdir")
    people["manager"].department = sales_department
    return people


@pytest.fixture
def expired_dossier(archive, ready_dossier):
    """expired_dossier(tier) → a formal dossier filed in 2012 and kept 10 years, with a scan."""
    positions = iter(range(1, 11))

    def make(tier=SecrecyTier.PERSONAL, *, filing_year=2012, code="D10"):
        dossier = ready_dossier(tier)
        dossier = dossier_services.dossier_promote(
            dossier, by=archive["people"]["clerk"], cabinet=archive["cabinet"], position=next(positions)
        )
        retention = RetentionPeriod.objects.get(code=code)
        Dossier.objects.filter(pk=dossier.pk).update(filing_year=filing_year, retention=retention)
        Document.objects.filter(dossier=dossier).update(filing_year=filing_year, retention=retention)
        document = dossier.documents.first()
        document.scan.save("scan.pdf", SimpleUploadedFile("scan.pdf", PDF_BYTES))
        return Dossier.objects.select_related("customer").get(pk=dossier.pk)

    return make


@pytest.fixture
def drafted_list(archive, formal_dossier):
    def make(dossier=None):
        dossier = dossier or formal_dossier()
        retention = RetentionPeriod.objects.get(code="D10")
        Dossier.objects.filter(pk=dossier.pk).update(filing_year=2012, retention=retention)
        Document.objects.filter(dossier=dossier).update(filing_year=2012, retention=retention)
        dossier.refresh_from_db()
        return destruction_services.destruction_list_draft(
            by=archive["people"]["clerk"], department=dossier.customer.department, dossiers=[dossier]
        )

    return make
