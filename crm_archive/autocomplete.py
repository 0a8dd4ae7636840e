"""What every picker's search endpoint does the same way (the widget is crm_archive/widgets.py).

Each app answers for its own fields (customers/autocomplete.py, dossiers/autocomplete.py, …):
it decides the rows — through the same access rules as the page the field is on — and this
module reads the typed term and writes the answer. A term is cut to TERM_MAX_LENGTH characters
and loses its control characters (NUL included: PostgreSQL refuses it in a literal), so no typed
or forged `q` can fail the query; an answer holds at most PICKER_LIMIT rows.
"""

from collections.abc import Iterable

from django.http import JsonResponse

from crm_archive.forms import without_control_characters

PICKER_LIMIT = 20
TERM_MAX_LENGTH = 100


def search_term(request) -> str:
    """The typed term `q` of a picker's request, bounded and cleaned (may be "")."""
    term = request.GET.get("q", "")[:TERM_MAX_LENGTH]
    return without_control_characters(term).replace("\x00", "").strip()


def picker_response(choices: Iterable[tuple[object, object]]) -> JsonResponse:
    """The JSON a picker reads: {"results": [{"id": value, "text": label}, …]}, at most PICKER_LIMIT,
    never cached (what one person may find is not another's)."""
    results = [{"id": str(value), "text": str(label)} for value, label in list(choices)[:PICKER_LIMIT]]
    response = JsonResponse({"results": results})
    response["Cache-Control"] = "private, no-store"
    return response
