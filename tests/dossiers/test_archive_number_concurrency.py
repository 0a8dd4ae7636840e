"""Two clerks promoting at the same moment never draw the same archive number."""

import threading

import pytest
from django.db import connection

from customers.models import SecrecyTier
from dossiers import services

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.postgres_only]


def test_concurrent_promotions_get_distinct_numbers(archive, ready_dossier):
    assert connection.vendor == "postgresql"
    clerk, cabinet = archive["people"]["clerk"], archive["cabinet"]
    dossiers = [ready_dossier(tier) for tier in (SecrecyTier.PERSONAL, SecrecyTier.COMPANY, SecrecyTier.DEPARTMENT)]
    barrier = threading.Barrier(len(dossiers))
    numbers, errors = [], []

    def promote(dossier, position):
        try:
            barrier.wait(timeout=10)
            numbers.append(
                services.dossier_promote(dossier, by=clerk, cabinet=cabinet, position=position).archive_number
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=promote, args=(dossier, index)) for index, dossier in enumerate(dossiers, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(numbers) == 3
    assert len(set(numbers)) == 3
    assert sorted(number[-4:] for number in numbers) == ["0001", "0002", "0003"]


def test_two_promotions_into_the_same_position_leave_one_shelved_and_one_refused(archive, ready_dossier):
    from crm_archive.errors import TransitionRefused
    from dossiers.models import Dossier, DossierStatus

    clerk, cabinet = archive["people"]["clerk"], archive["cabinet"]
    dossiers = [ready_dossier(SecrecyTier.PERSONAL), ready_dossier(SecrecyTier.COMPANY)]
    barrier = threading.Barrier(2)
    refused, errors = [], []

    def promote(dossier):
        try:
            barrier.wait(timeout=10)
            services.dossier_promote(dossier, by=clerk, cabinet=cabinet, position=5)
        except TransitionRefused as refusal:
            refused.append(str(refusal))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=promote, args=(dossier,)) for dossier in dossiers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(refused) == 1 and "第 5 格已有档案" in refused[0]
    assert Dossier.objects.filter(status=DossierStatus.FORMAL, cabinet=cabinet, position=5).count() == 1
