import pytest
from django.core.cache import cache

from kamp.core.models import SiteSettings


@pytest.fixture(autouse=True)
def clp_base(db, settings):
    """The demo's setting: everything in CLP unless a test says otherwise."""
    settings.KAMP_BASE_CURRENCY = "CLP"
    site = SiteSettings.load()
    site.base_currency = "CLP"
    site.save()
    cache.clear()
    return site
