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


def test_promotion_leaves_a_dossier_held_apart_where_it_is(archive, ready_dossier):
    """A document of a dossier still being filed may be approved for destruction: the dossier is
    then held apart, and promotion shelves it only once nothing of it is held apart."""
    from dossiers.models import Dossier

    dossier = ready_dossier()
    Dossier.objects.filter(pk=dossier.pk).update(custody=DossierCustody.HELD_APART)
    dossier.refresh_from_db()
    dossier = services.dossier_promote(dossier, by=archive["people"]["clerk"], cabinet=archive["cabinet"], position=1)
    assert dossier.custody == DossierCustody.HELD_APART


def test_a_dossier_being_filed_goes_back_to_the_clerk_when_nothing_of_it_is_held_apart(archive, ready_dossier):
    from destruction.services import _release_unless_still_held_apart
    from dossiers.models import Dossier

    dossier = ready_dossier()
    Dossier.objects.filter(pk=dossier.pk).update(custody=DossierCustody.HELD_APART)
    dossier.refresh_from_db()
    _release_unless_still_held_apart(dossier, by=archive["people"]["clerk"])
    assert Dossier.objects.get(pk=dossier.pk).custody == DossierCustody.FILING
