import pytest

from accounts.models import Notification
from accounts.tasks import send_notification

from .conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_task_sent_through_redis_is_run_by_a_real_worker(real_celery_worker, make_user):
    assert real_celery_worker.connection().transport.driver_type == "redis"
    recipient = make_user()
    result = send_notification.delay(recipient.pk, "月报已生成")
    assert not result.id.startswith("eager")  # really queued, not run in-process
    delivered = wait_for(lambda: Notification.objects.filter(recipient=recipient, message="月报已生成").exists())
    assert delivered, "the worker did not store the notification within 20 s"
    assert result.get(timeout=20) == delivered_id(recipient)


def delivered_id(recipient):
    return Notification.objects.get(recipient=recipient, message="月报已生成").pk
