"""factory-boy factories for kamp's models; each business area adds its own beside its tests."""

import datetime
from decimal import Decimal

import factory

from kamp.core.choices import Function, Role
from kamp.core.models import User
from kamp.customers.models import Contact, Customer
from kamp.economics.models import SalesLine
from kamp.team.models import AccountTeamMember


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@supplier.test")
    name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.KAM
    function = Function.SALES
    password = factory.django.Password("pw-kamp-123")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n:04d}")
    industry = "Construction"
    region = "Metropolitana"
    country = "CL"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    function = Function.PURCHASING
    email = factory.Sequence(lambda n: f"contact{n}@customer.test")


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountTeamMember

    customer = factory.SubFactory(CustomerFactory)
    user = factory.SubFactory(UserFactory, role=Role.MEMBER)


class SalesLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesLine

    customer = factory.SubFactory(CustomerFactory)
    # The middle of last month: inside every "last 12 complete months" window.
    date = factory.LazyFunction(
        lambda: (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=15)
    )
    net_amount = Decimal("1000")
    cost = Decimal("600")
