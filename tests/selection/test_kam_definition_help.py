"""The lecture's KAM definition as short help on the page a director opens to pick key accounts
(the selection matrix), the same text as programme benefits, in English and Spanish."""

import pytest
from django.urls import reverse

from tests.selection.test_views import portfolio  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_the_selection_page_says_what_kam_is(client_for, director, portfolio):  # noqa: F811
    body = client_for(director).get(reverse("selection:portfolio")).content.decode()
    assert 'id="what-is-kam"' in body
    assert "What is Key Account Management?" in body
    assert "a strategic decision to adapt the value proposition" in body
    assert "Our people enjoy working with CS" in body


def test_the_selection_page_says_what_kam_is_in_spanish(
    client_for,
    director,
    portfolio,  # noqa: F811
):
    c = client_for(director)
    c.cookies["django_language"] = "es"
    body = c.get(reverse("selection:portfolio")).content.decode()
    assert "¿Qué es el Key Account Management?" in body
    assert "decisión estratégica de adaptar la propuesta de valor" in body
    assert "Nuestra gente disfruta trabajar con CS" in body
    assert "What is Key Account Management?" not in body
