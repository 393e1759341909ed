import pytest
from django.core.cache import cache

from kamp.selection import engine


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Scoring runs are cached by a fingerprint of the data; each test starts clean."""
    cache.clear()
    engine.forget()
    yield
    cache.clear()
    engine.forget()
