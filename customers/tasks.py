from celery import shared_task

from . import complaints


@shared_task
def escalate_overdue_complaints() -> int:
    """Hourly: escalate overdue complaints by COMPLAINT_ESCALATION_LEVELS, each level once."""
    return complaints.complaint_escalations_send()
