"""Who uses the approval engine's pages. Whether someone may sign a given step is the engine's
own rule (approvals.selectors.tasks_awaiting, approvals.services.approval_decide)."""

from accounts.roles import signs_as

from .selectors import APPROVER_ROLES


def may_approve(user) -> bool:
    """Holders of a role a chain can name: they see the approvals inbox and name deputies."""
    return signs_as(user, *APPROVER_ROLES)
