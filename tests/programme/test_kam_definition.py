"""The lecture's KAM definition and its benefits where a new user meets the programme: on the
benefits page, in English and in the lecture's own Spanish words."""

from django.urls import reverse


def test_benefits_page_defines_kam_in_english(client_for, director, account):
    body = client_for(director).get(reverse("programme:benefits")).content.decode()
    assert "What is Key Account Management?" in body
    assert "a strategic decision to adapt the value proposition" in body
    assert "Our people enjoy working with CS" in body


def test_benefits_page_defines_kam_in_spanish(client_for, director, account):
    c = client_for(director)
    c.cookies["django_language"] = "es"
    body = c.get(reverse("programme:benefits")).content.decode()
    assert "¿Qué es el Key Account Management?" in body
    assert "decisión estratégica de adaptar la propuesta de valor" in body
    assert "Nuestra gente disfruta trabajar con CS" in body
    assert "What is Key Account Management?" not in body
