from django.urls import reverse

from kamp.core.models import AuditEvent, SiteSettings


def test_director_sets_the_company(client_for, director):
    c = client_for(director)
    r = c.post(
        reverse("core:settings"),
        {"company_name": "SAF Asesorías", "size_class": "large", "base_currency": " clp "},
    )
    assert r.status_code == 302
    site = SiteSettings.load()
    assert (site.company_name, site.size_class, site.base_currency) == (
        "SAF Asesorías",
        "large",
        "CLP",
    )
    assert site.key_account_cap == 25
    event = AuditEvent.objects.get(object_type="core.sitesettings")
    assert event.actor == director
    assert {"field": "base_currency", "old": "USD", "new": "CLP"} in event.changes
    text = c.get(reverse("core:settings")).content.decode()
    assert "more than 25 key accounts" in text


def test_bad_currency_is_refused_beside_the_field(client_for, admin):
    r = client_for(admin).post(
        reverse("core:settings"),
        {"company_name": "SAF", "size_class": "sme", "base_currency": "p1s"},
    )
    text = r.content.decode()
    assert r.status_code == 200 and "three-letter ISO currency code" in text
    assert 'value="SAF"' in text and 'id="id_base_currency_error"' in text
