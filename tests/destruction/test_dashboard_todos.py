"""The appraisers and the approver of a destruction list see it counted in their 待办 (issue 15 §1:
"today the customer service manager, the producing department's manager and the customer director
see nothing on their dashboard while a list waits for them")."""

import pytest
from django.urls import reverse

from customers.models import SecrecyTier
from destruction import services
from tests.customers.html import todos

pytestmark = pytest.mark.django_db

WAITING = "待我鉴定或审批的销毁清册"


def test_a_submitted_list_is_counted_for_each_signer_in_turn(
    destruction_people, drafted_list, expired_dossier, client_for
):
    people = destruction_people
    destruction_list = services.destruction_list_submit(
        drafted_list(expired_dossier(SecrecyTier.PERSONAL)), by=people["clerk"]
    )

    def strip(person):
        return dict(todos(client_for(person).get(reverse("home")).content.decode()))

    assert strip(people["cs_manager"])[WAITING] == "1"
    assert strip(people["manager"])[WAITING] == "1"
    assert WAITING not in strip(people["director"])
    services.destruction_list_appraise(destruction_list, by=people["cs_manager"])
    services.destruction_list_appraise(destruction_list, by=people["manager"])
    assert WAITING not in strip(people["cs_manager"])
    assert strip(people["director"])[WAITING] == "1"
