import datetime

import factory

from kamp.team.models import HatAssessment, OwnershipChange
from tests.factories import CustomerFactory, UserFactory


class HatAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HatAssessment

    kam = factory.SubFactory(UserFactory)
    assessor = factory.SelfAttribute("kam")
    source = HatAssessment.Source.SELF
    assessed_on = factory.LazyFunction(datetime.date.today)
    salesperson = 4
    conductor = 3
    strategist = 3
    innovator = 2


class OwnershipChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OwnershipChange

    customer = factory.SubFactory(CustomerFactory)
    changed_on = factory.LazyFunction(datetime.date.today)
