import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from kamp.plans.models import (
    AccountPlan,
    Initiative,
    JointPlanLink,
    Objective,
    PlanAction,
    Review,
    Risk,
    WhitespaceCell,
)
from tests.factories import CustomerFactory


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountPlan

    customer = factory.SubFactory(CustomerFactory)
    period = "2026"
    business_and_goals = "Builds infrastructure projects; wants financing for concessions."
    strategy = "Be the advisor CS calls first for project finance and M&A."


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    plan = factory.SubFactory(PlanFactory)
    title = factory.Sequence(lambda n: f"Objective {n}")
    measure = "%"
    target = Decimal("30")
    current = Decimal("20")


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanAction

    plan = factory.SubFactory(PlanFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    due = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))


class WhitespaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WhitespaceCell

    plan = factory.SubFactory(PlanFactory)
    buying_unit = "Concessions"
    offering = factory.Sequence(lambda n: f"Offering {n}")
    current_revenue = Decimal("123456789")
    potential = Decimal("987654321")


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    plan = factory.SubFactory(PlanFactory)
    title = factory.Sequence(lambda n: f"Initiative {n}")
    value_for_customer = "Faster financial close"
    value_for_us = "A reference case"


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    plan = factory.SubFactory(PlanFactory)
    title = factory.Sequence(lambda n: f"Risk {n}")
    likelihood = 3
    impact = 3
    mitigation = "Keep the CFO close"


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    plan = factory.SubFactory(PlanFactory)
    date = factory.LazyFunction(timezone.localdate)
    outcomes = "Agreed the pilot"


class LinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JointPlanLink

    plan = factory.SubFactory(PlanFactory)
    token = factory.Sequence(lambda n: f"token-{n:04d}-abcdefghijklmnopqrstuvwxyz")
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    language = "en"
