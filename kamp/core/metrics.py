"""Prometheus gauges of the task worker's queue, read from django-tasks-db's table when
``/metrics`` is scraped (not kept up to date in each process: the queue is shared by all of
them)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from kamp.core import health


class TaskQueueCollector(Collector):
    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Registering asks for the names: given here, so importing queries nothing.
        yield GaugeMetricFamily("kamp_task_queue_length", "")
        yield GaugeMetricFamily("kamp_task_queue_oldest_age_seconds", "")

    def collect(self) -> Iterator[GaugeMetricFamily]:
        waiting, oldest_age = health.task_queue()
        yield GaugeMetricFamily(
            "kamp_task_queue_length", "Background tasks waiting to run", value=waiting
        )
        yield GaugeMetricFamily(
            "kamp_task_queue_oldest_age_seconds",
            "Age of the oldest background task waiting to run (0 when none)",
            value=oldest_age,
        )


# Registered once, when this module is first imported (Python imports a module once).
REGISTRY.register(TaskQueueCollector())
