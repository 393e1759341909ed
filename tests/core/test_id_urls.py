"""id_urls: the links of many accounts made with one reverse(), equal to reverse() for each."""

import pytest
from django.urls import reverse

from kamp.core.http import id_urls


@pytest.mark.parametrize(
    "name", ["customers:detail", "interactions:customer_tab", "selection:customer_tab", "team:kam"]
)
def test_the_same_links_as_reverse(name):
    url = id_urls(name)
    for pk in (1, 7, 42, 1_000_001, 2_147_483_646):
        assert url(pk) == reverse(name, args=[pk])
