"""A destruction list's history names who did each step, from the draft on."""

import pytest

from customers.models import SecrecyTier
from destruction import services

pytestmark = pytest.mark.django_db


def test_the_drafted_lists_first_history_row_names_the_clerk(destruction_people, expired_dossier):
    clerk = destruction_people["clerk"]
    dossier = expired_dossier(SecrecyTier.PERSONAL)
    destruction_list = services.destruction_list_draft(
        by=clerk, department=dossier.customer.department, dossiers=[dossier]
    )
    first = destruction_list.history.order_by("history_date", "history_id").first()
    assert first.history_type == "+"
    assert first.history_user == clerk
    assert destruction_list.history.count() == 1
