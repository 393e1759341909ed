import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Scoring runs are cached by a fingerprint of the data; each test starts clean."""
    cache.clear()
    yield
    cache.clear()
