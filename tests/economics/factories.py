"""Factories for the economics models."""

import datetime
from decimal import Decimal

import factory

from kamp.economics.models import ActivityType, Driver


class ActivityTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityType
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Activity {n}")
    driver = Driver.MINUTE
    rate = Decimal("500")
    currency = "CLP"


def month(year: int, m: int) -> datetime.date:
    return datetime.date(year, m, 1)
