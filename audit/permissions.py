"""Who reads the audit trail: the archive manager and the general manager (SPEC §4, issue 14)."""

from accounts.roles import Role, handles


def can_read_audit_trail(user) -> bool:
    return handles(user, Role.ARCHIVE_MANAGER, Role.GENERAL_MANAGER)
