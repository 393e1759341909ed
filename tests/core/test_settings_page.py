import re

from django.urls import reverse

from kamp.core.models import AuditEvent, SiteSettings


def test_director_sets_the_company(client_for, director):
    c = client_for(director)
    r = c.post(
        reverse("core:settings"),
        {
            "company_name": "SAF Asesorías",
            "size_class": "large",
            "base_currency": " clp ",
            "version": SiteSettings.load().version,
        },
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


def _opened(client) -> dict:
    html = client.get(reverse("core:settings")).content.decode()
    data = {"version": re.search(r'name="version" value="(\d+)"', html).group(1)}
    data["company_name"] = re.search(r'name="company_name"[^>]*value="([^"]*)"', html).group(1)
    data["base_currency"] = re.search(r'name="base_currency"[^>]*value="([^"]*)"', html).group(1)
    data["size_class"] = re.search(r'<option value="([^"]*)" selected', html).group(1)
    return data


def test_second_settings_save_is_told_and_then_chooses(client_for, director, admin):
    """Two managers on the company settings at once: the second is shown both versions and
    chooses; nothing is silently overwritten."""
    hers, his = _opened(client_for(director)), _opened(client_for(admin))
    assert hers["version"] == str(SiteSettings.load().version)
    url = reverse("core:settings")
    assert client_for(director).post(url, {**hers, "company_name": "SAF SpA"}).status_code == 302
    r = client_for(admin).post(url, {**his, "company_name": "SAF Asesorías"})
    text = r.content.decode()
    assert r.status_code == 409
    assert "Someone else changed this since you opened it" in text
    assert re.search(r'class="theirs">SAF SpA<', text)
    assert re.search(r'class="yours">SAF Asesorías<', text)
    assert SiteSettings.load().company_name == "SAF SpA"  # nothing of the second saved

    # Saving again keeps his: the re-shown form carries the version now saved.
    saved = SiteSettings.load().version
    assert re.search(rf'name="version" value="{saved}"', text)
    again = {**his, "company_name": "SAF Asesorías", "version": saved}
    assert client_for(admin).post(url, again).status_code == 302
    assert SiteSettings.load().company_name == "SAF Asesorías"


def test_a_base_currency_set_on_the_economics_page_is_not_reverted(client_for, director):
    from kamp.economics import actions

    form = _opened(client_for(director))
    actions.do_update_settings(director, base_currency="EUR")
    r = client_for(director).post(reverse("core:settings"), {**form, "company_name": "SAF"})
    assert r.status_code == 409
    assert SiteSettings.load().base_currency == "EUR"


def test_a_settings_form_without_its_version_is_refused(client_for, director):
    form = _opened(client_for(director))
    del form["version"]
    r = client_for(director).post(reverse("core:settings"), {**form, "company_name": "SAF"})
    assert "This form is out of date" in r.content.decode()
    assert SiteSettings.load().company_name != "SAF"
