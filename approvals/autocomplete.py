"""The search endpoint of the approvals app's people picker (审批代理's deputy)."""

from django.views.decorators.http import require_GET

from accounts.pickers import people_picker
from crm_archive.views import require

from . import permissions


@require_GET
def deputies(request):
    require(permissions.may_approve(request.user))
    return people_picker(request, permissions.deputy_candidates_for(request.user))
