"""The search endpoints of the customers app's pickers (crm_archive/widgets.py, static/js/pickers.js).

Each answers through the same rules as the page its field is on:
- `customers`: the customers the person may read (customers/secrecy.py) whose name contains the
  term — and the one customer whose name *is* the term, whoever may read it. The request pages
  that use it (查阅申请, 建档) accept a customer's exact name from anyone (nobody browses
  customers they may not read, docs/approvals.md): the picker tells no more than the form does.
- the people pickers: exactly the set permissions.py decides for the field, to the people who
  may use that field (403 otherwise).
Login is required (LoginRequiredMiddleware); each answer is at most PICKER_LIMIT rows in a fixed
number of queries.
"""

from django.views.decorators.http import require_GET

from accounts.pickers import people_picker
from crm_archive.autocomplete import PICKER_LIMIT, picker_response, search_term
from crm_archive.views import require

from . import permissions, secrecy
from .models import Customer


def customer_names_for(user, term: str) -> list[str]:
    """Names for a customer picker: the exact match first, then the readable customers whose name
    contains `term`, by name; nothing for an empty term (two queries)."""
    if not term:
        return []
    readable = list(
        secrecy.customers_readable_by(user)
        .filter(name__icontains=term)
        .order_by("name", "pk")
        .values_list("name", flat=True)[:PICKER_LIMIT]
    )
    named = list(Customer.objects.filter(name=term).values_list("name", flat=True)[:1])
    return named + [name for name in readable if name not in named]


@require_GET
def customers(request):
    return picker_response((name, name) for name in customer_names_for(request.user, search_term(request)))


@require_GET
def owners(request):
    """负责业务员 of a new customer."""
    require(permissions.can_create_customers(request.user))
    return people_picker(request, permissions.owners_assignable_by(request.user))


@require_GET
def handover_leavers(request):
    require(permissions.can_hand_over(request.user))
    return people_picker(request, permissions.handover_leavers_for(request.user))


@require_GET
def handover_successors(request):
    require(permissions.can_hand_over(request.user))
    return people_picker(request, permissions.handover_successors_for(request.user))


@require_GET
def second_owners(request, pk):
    customer = secrecy.get_readable_customer_or_404(request.user, pk)
    require("second_owner" in permissions.customer_actions(request.user, customer))
    return people_picker(request, permissions.second_owners_for(customer))


@require_GET
def complaint_handlers(request, pk):
    customer = secrecy.get_readable_customer_or_404(request.user, pk)
    require("edit" in permissions.customer_actions(request.user, customer))
    return people_picker(request, permissions.complaint_handlers_for(customer))
