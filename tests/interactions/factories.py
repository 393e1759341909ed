import datetime

import factory

from kamp.interactions.models import Interaction, InteractionContact, InteractionPerson
from tests.factories import CustomerFactory


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    customer = factory.SubFactory(CustomerFactory)
    date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=5))
    kind = "meeting"
    topic = factory.Sequence(lambda n: f"Meeting {n}")


def log(customer, ours, theirs, days_ago=5, **kw):
    """An interaction of ``customer`` between ``ours`` (users) and ``theirs`` (contacts)."""
    i = InteractionFactory(
        customer=customer, date=datetime.date.today() - datetime.timedelta(days=days_ago), **kw
    )
    InteractionPerson.objects.bulk_create(InteractionPerson(interaction=i, user=u) for u in ours)
    InteractionContact.objects.bulk_create(
        InteractionContact(interaction=i, contact=c) for c in theirs
    )
    return i
