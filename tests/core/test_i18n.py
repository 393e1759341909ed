"""Both languages everywhere: complete catalogues, Spanish for a browser that prefers it, a
language switch remembered on the account, locale formats."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse

import kamp

CATALOGUES = sorted(Path(kamp.__file__).parent.glob("**/locale/es/LC_MESSAGES/django.po"))
OWN = ["locale", "core/locale", "customers/locale"]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")


def test_the_foundation_catalogues_exist():
    found = {str(p.relative_to(Path(kamp.__file__).parent)) for p in CATALOGUES}
    for prefix in OWN:
        assert f"{prefix}/es/LC_MESSAGES/django.po" in found


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p).split("kamp/")[-1])
def test_catalogue_is_complete(path):
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{path}: untranslated {untranslated[:10]}"
    assert not fuzzy, f"{path}: fuzzy {fuzzy[:10]}"
    # A translation must use exactly the placeholders of its original ("%(name)s").
    for entry in po.translated_entries():
        wanted = set(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for text in entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]:
            got = set(PLACEHOLDER.findall(text))
            if entry.msgid_plural:
                got |= {"%(counter)s"} & wanted  # "one" forms may spell the number out
            assert got == wanted, f"{path}: {entry.msgid!r} → {text!r}"


def test_spanish_for_a_browser_that_prefers_it(client_for, ana, account):
    r = client_for(ana).get(
        reverse("customers:list"), headers={"Accept-Language": "es-CL,es;q=0.9"}
    )
    text = r.content.decode()
    assert '<html lang="es"' in text and "Clientes" in text and "Cuenta clave" in text


def test_english_otherwise(client_for, ana, account):
    r = client_for(ana).get(reverse("customers:list"), headers={"Accept-Language": "de-DE"})
    assert '<html lang="en"' in r.content.decode()


def test_switch_is_remembered_on_the_account(client_for, ana, account):
    c = client_for(ana)
    r = c.post(reverse("set_language"), {"language": "es", "next": reverse("customers:list")})
    assert r.status_code == 302 and r["Location"] == reverse("customers:list")
    ana.refresh_from_db()
    assert ana.language == "es"
    assert "Clientes" in c.get(reverse("customers:list")).content.decode()
    # Another browser, which prefers English: the saved choice wins and the cookie follows.
    other = client_for(ana)
    r = other.get(reverse("customers:list"), headers={"Accept-Language": "en"})
    assert '<html lang="es"' in r.content.decode()
    assert r.cookies["django_language"].value == "es"
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    ana.refresh_from_db()
    assert ana.language == "en"


def test_switch_works_before_login(anonymous):
    r = anonymous.post(reverse("set_language"), {"language": "es", "next": reverse("login")})
    assert r.status_code == 302
    assert "Iniciar sesión" in anonymous.get(reverse("login")).content.decode()


def test_unknown_language_is_ignored(client_for, ana):
    c = client_for(ana)
    c.post(reverse("set_language"), {"language": "xx", "next": "/"})
    ana.refresh_from_db()
    assert ana.language == ""
