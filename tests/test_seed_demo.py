import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_one_user_per_role_and_prints_the_logins(capsys):
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert DEMO_PASSWORD in output
    for role in Role:
        holder = User.objects.filter(groups__name=role).first()
        assert holder is not None, role
        assert holder.check_password(DEMO_PASSWORD)
        assert holder.username in output


def test_seed_demo_can_run_twice_without_duplicates():
    call_command("seed_demo")
    users = User.objects.count()
    call_command("seed_demo")
    assert User.objects.count() == users
