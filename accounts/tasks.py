from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from crm_archive.backup import backup_create

from . import services
from .roles import Role

BACKUP_NOTIFIED_ROLES = (Role.ARCHIVE_MANAGER, Role.MARKETING_DIRECTOR)


@shared_task
def send_notification(user_id: int, message: str, link: str = "") -> int:
    """Deliver an in-app notification from a worker; returns the notification id."""
    recipient = get_user_model().objects.get(pk=user_id)
    return services.notification_send(recipient=recipient, message=message, link=link).pk


@shared_task
def backup_monthly() -> str:
    """每月1日: back up the database and the scans (crm_archive.backup), and tell the archive
    manager and the marketing director how it went; returns the archive's path."""
    try:
        archive = backup_create()
    except Exception as error:
        # Whatever stopped the backup (pg_dump, a full disk, the database), the people responsible
        # must hear of it; the task still fails, so the worker's log shows it too.
        message = _("本月数据备份失败：%(error)s") % {"error": str(error)[:400]}
        for role in BACKUP_NOTIFIED_ROLES:
            services.notification_send_to_role(role=role, message=message, email=True)
        raise
    message = _("本月数据备份已完成：%(name)s（%(size)s 字节）。") % {
        "name": archive.name,
        "size": f"{archive.stat().st_size:,}",
    }
    for role in BACKUP_NOTIFIED_ROLES:
        services.notification_send_to_role(role=role, message=message)
    return str(archive)
