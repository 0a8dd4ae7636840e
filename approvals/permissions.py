"""Who uses the approval engine's pages. Whether someone may sign a given step is the engine's
own rule (approvals.selectors.tasks_awaiting, approvals.services.approval_decide)."""

from django.contrib.auth import get_user_model

from accounts.roles import signs_as

from .selectors import APPROVER_ROLES


def may_approve(user) -> bool:
    """Holders of a role a chain can name: they see the approvals inbox and name deputies."""
    return signs_as(user, *APPROVER_ROLES)


def deputy_candidates_for(principal):
    """Whom `principal` may name deputy (审批代理人): an active colleague other than themself, never
    an administrator (superusers sign nothing)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False)
        .exclude(pk=principal.pk)
        .select_related("department")
        .order_by("username")
    )
