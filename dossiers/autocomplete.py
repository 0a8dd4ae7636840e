"""The search endpoints of the dossiers app's pickers (crm_archive/widgets.py, static/js/pickers.js).

- `dossiers`: numbered dossiers (not destroyed) whose page the person may open
  (permissions.dossiers_visible_to, through the dossier list's own search: archive number or
  customer name) — and the one dossier whose archive number *is* the term, whoever may open it,
  labelled by its number alone: a borrow request (借阅申请) names any dossier by its archive number,
  so the picker tells no more than the form does. The value is the archive number.
- `customers_to_request`: the customers of customers.autocomplete (readable by a fragment, any by
  its exact name) and a dossier's exact archive number, for the 查阅申请 form.
- the people pickers: exactly the set permissions.py decides, to those who use the field.
Login is required (LoginRequiredMiddleware); each answer is at most PICKER_LIMIT rows in a fixed
number of queries.
"""

from django.db.models import Exists, OuterRef, Q
from django.views.decorators.http import require_GET

from accounts.pickers import people_picker
from crm_archive.autocomplete import PICKER_LIMIT, picker_response, search_term
from crm_archive.views import require
from customers.autocomplete import customer_names_for
from customers.models import Customer

from . import permissions, selectors
from .models import Dossier, DossierStatus

# A dossier a form can name: it has an archive number and still exists.
_NAMEABLE = Q(archive_number__isnull=False) & ~Q(status=DossierStatus.DESTROYED)


@require_GET
def customers_to_open(request):
    """建档: the customers without a dossier whose name contains the term, for archive staff, who
    open every customer's dossier and already see every customer's name (the dossier list, the
    资料完整度 list) though they read no profile. Names only; one query (trigram index on name)."""
    require(permissions.can_manage_archive(request.user))
    term = search_term(request)
    if not term:
        return picker_response([])
    names = (
        Customer.objects.filter(name__icontains=term)
        .exclude(Exists(Dossier.objects.filter(customer=OuterRef("pk"))))
        .order_by("name", "pk")
        .values_list("name", flat=True)[:PICKER_LIMIT]
    )
    return picker_response((name, name) for name in names)


def dossier_choices(user, term: str) -> list[tuple[str, str]]:
    """(archive number, label) for a dossier picker: the exact archive number first, then the
    visible dossiers matching `term`, newest first; nothing for an empty term (two queries)."""
    if not term:
        return []
    visible = selectors.dossiers_for_list(user, search=term).filter(_NAMEABLE)[:PICKER_LIMIT]
    choices = [(dossier.archive_number, f"{dossier.archive_number} · {dossier.customer.name}") for dossier in visible]
    exact = list(Dossier.objects.filter(_NAMEABLE, archive_number=term).values_list("archive_number", flat=True)[:1])
    if not exact:
        return choices
    found = dict(choices)
    return [(term, found.get(term, term))] + [choice for choice in choices if choice[0] != term]


@require_GET
def dossiers(request):
    return picker_response(dossier_choices(request.user, search_term(request)))


@require_GET
def customers_to_request(request):
    """查阅申请's customer: a customer name (see customers.autocomplete) or an exact archive number."""
    term = search_term(request)
    choices = [(name, name) for name in customer_names_for(request.user, term)]
    if term and Dossier.objects.filter(archive_number=term).exists():
        choices.insert(0, (term, term))
    return picker_response(choices)


@require_GET
def remarks_checkers(request):
    require(permissions.can_manage_archive(request.user))
    return people_picker(request, permissions.remarks_checkers_for(request.user))


@require_GET
def key_users(request):
    require(permissions.can_record_backup_key_use(request.user))
    return people_picker(request, permissions.backup_key_users())
