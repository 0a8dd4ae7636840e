"""factory_boy factories shared by the whole suite."""

import factory
from django.contrib.auth.models import Group

from accounts.models import Department, User
from accounts.roles import Role

PASSWORD = "correct-horse-battery"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"部门{n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A user; `roles=[Role.SALES, ...]` puts them in those role groups."""

    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "测"
    first_name = factory.Sequence(lambda n: f"试{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    department = factory.SubFactory(DepartmentFactory)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            # The groups come from a data migration; get_or_create keeps the factory working after
            # a transactional test flushed them (Playwright's event loop hides the serialized copy
            # Django would restore). tests/accounts checks the migration itself.
            self.groups.set([Group.objects.get_or_create(name=Role(role).value)[0] for role in extracted])


def export_permit_for(user, *, reference="DC000001"):
    """An approved export request's permit for `user`, running for a day (tests about what an
    export holds, not about who may export)."""
    from datetime import timedelta

    from django.utils import timezone

    from customers.models import ExportPermit

    return ExportPermit.objects.create(user=user, reference=reference, expires_at=timezone.now() + timedelta(days=1))
