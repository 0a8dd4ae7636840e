"""A dossier is being filed until it is promoted; then it is in its cabinet."""

import pytest

from dossiers import services
from dossiers.models import DossierCustody

pytestmark = pytest.mark.django_db


def test_a_dossier_is_being_filed_until_promotion_shelves_it(archive, ready_dossier):
    dossier = ready_dossier()
    assert dossier.custody == DossierCustody.FILING
    dossier = services.dossier_promote(dossier, by=archive["people"]["clerk"], cabinet=archive["cabinet"], position=1)
    assert dossier.custody == DossierCustody.IN_CABINET
    assert dossier.history.latest("history_date").custody == DossierCustody.IN_CABINET
