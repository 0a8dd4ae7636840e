import pytest
from django.core import mail
from django.urls import reverse

from accounts.roles import Role
from accounts.services import notification_send, notification_send_to_role

pytestmark = pytest.mark.django_db


def test_a_notification_shows_on_the_recipients_page_and_counts_as_unread(make_user, client_for):
    user = make_user()
    notification_send(recipient=user, message="备用钥匙已使用")
    client = client_for(user)
    assert 'class="badge">1<' in client.get(reverse("home")).content.decode()
    assert "备用钥匙已使用" in client.get(reverse("notifications")).content.decode()


def test_nobody_else_sees_a_users_notification(make_user, client_for):
    notification_send(recipient=make_user(), message="备用钥匙已使用")
    assert "备用钥匙已使用" not in client_for(make_user()).get(reverse("notifications")).content.decode()


def test_marking_all_read_clears_the_badge(make_user, client_for):
    user = make_user()
    notification_send(recipient=user, message="报表已生成")
    client = client_for(user)
    client.post(reverse("notifications_mark_read"))
    assert 'class="badge"' not in client.get(reverse("home")).content.decode()


def test_notifying_a_role_reaches_every_active_holder_and_can_email(make_user, django_capture_on_commit_callbacks):
    first, second = make_user(Role.ARCHIVE_MANAGER), make_user(Role.ARCHIVE_MANAGER)
    make_user(Role.ARCHIVE_MANAGER, is_active=False)
    make_user(Role.SALES)
    with django_capture_on_commit_callbacks(execute=True):
        count = notification_send_to_role(role=Role.ARCHIVE_MANAGER, message="钥匙使用", email=True)
    assert count == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted([first.email, second.email])
