"""factory_boy factories for customers and their records (the shared ones are in tests/factories.py)."""

from datetime import timedelta

import factory
from django.utils import timezone

from customers.models import Complaint, Contact, Customer, Deal, Interaction, SecrecyTier
from tests.factories import UserFactory


class CustomerFactory(factory.django.DjangoModelFactory):
    """A customer of `owner`, in the owner's department, personal tier unless told."""

    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"客户{n:04d}")
    owner = factory.SubFactory(UserFactory)
    department = factory.LazyAttribute(lambda customer: customer.owner.department)
    secrecy_tier = SecrecyTier.PERSONAL


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n:04d}")
    title = "采购经理"
    mobile = factory.Sequence(lambda n: f"139{n:08d}")


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    customer = factory.SubFactory(CustomerFactory)
    topic = factory.Sequence(lambda n: f"沟通{n}")
    recorded_by = factory.LazyAttribute(lambda interaction: interaction.customer.owner)


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal

    customer = factory.SubFactory(CustomerFactory)
    contract_number = factory.Sequence(lambda n: f"HT-{n:05d}")
    signed_on = factory.LazyFunction(timezone.localdate)
    amount = 10000


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complaint

    customer = factory.SubFactory(CustomerFactory)
    description = factory.Sequence(lambda n: f"投诉{n}")
    owner = factory.LazyAttribute(lambda complaint: complaint.customer.owner)
    received_on = factory.LazyFunction(timezone.localdate)
    deadline = factory.LazyAttribute(lambda complaint: complaint.received_on + timedelta(days=7))


def profile_form_data(customer, **changes) -> dict:
    """What the edit page posts for `customer`: every CustomerForm field as shown, then `changes`."""
    from customers.forms import CustomerForm

    form = CustomerForm(instance=customer)
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    return {**data, **changes}
