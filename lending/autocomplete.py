"""The search endpoint of the lending app's people picker (借阅限制's borrower). The dossier picker
of its forms is the dossiers app's (dossiers.autocomplete.dossiers)."""

from django.views.decorators.http import require_GET

from accounts.pickers import people_picker
from crm_archive.views import require

from . import permissions


@require_GET
def blocked_borrowers(request):
    require(permissions.can_override_blocks(request.user))
    return people_picker(request, permissions.block_override_borrowers())
