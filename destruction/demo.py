"""Demo retention: old dossiers past their 10-year retention, one of them on a list waiting for appraisal."""

from django.db import transaction

from dossiers.models import Document, Dossier, DossierStatus, RetentionPeriod
from lending.models import OPEN_LOAN_STATUSES

from . import services
from .models import DestructionList


@transaction.atomic
def seed_destruction(users: dict) -> int:
    if DestructionList.objects.exists():
        return DestructionList.objects.count()
    ten_years = RetentionPeriod.objects.get(code="D10")
    # Demo only: pretend the shelved dossiers with no open loan were filed in 2012.
    old = list(
        Dossier.objects.filter(status=DossierStatus.FORMAL)
        .exclude(loans__status__in=OPEN_LOAN_STATUSES)
        .select_related("customer")
        .order_by("pk")[:2]
    )
    if not old:
        return 0
    for dossier in old:
        Dossier.objects.filter(pk=dossier.pk).update(filing_year=2012, retention=ten_years)
        Document.objects.filter(dossier=dossier).update(filing_year=2012, retention=ten_years)
    first = Dossier.objects.select_related("customer").get(pk=old[0].pk)
    draft = services.destruction_list_draft(by=users["clerk"], department=first.customer.department, dossiers=[first])
    # Submitted: it waits for the appraisal of the producing department's manager and the customer
    # service manager (their home pages count it).
    services.destruction_list_submit(draft, by=users["clerk"])
    return DestructionList.objects.count()
