"""Keep derived caches in step with the customers."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Customer


@receiver([post_save, post_delete], sender=Customer)
def drop_filter_choices(**kwargs) -> None:
    cache.delete_many(["kamp:customers:choices:industry", "kamp:customers:choices:region"])
