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


# One register for Spanish: formal "usted" (docs/style.md). Words and phrases that only the
# informal "tú" uses; a descriptive third person ("Escribe un plan…" of a KAM) is not listed.
INFORMAL = re.compile(
    r"\b(tu|tus|tú|ti|contigo|tuy[oa]s?|puedes|tienes|quieres|estás|eres|necesitas|debes"
    r"|sabes|vendes|haces|puedas|tengas|quieras|corrijas|vuelvas|elijas|subas|revises"
    r"|Inicia sesión|Inténtalo|Impórtal[oa]s?|Elige|Corrige|Sube un"
    r"|Indica a kamp|Asigna las|Empieza por|Escribe un código|Recorre|pide a tu)\b"
)


def _translations(path):
    for entry in polib.pofile(str(path)):
        if entry.obsolete:
            continue
        yield entry, (list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr])


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p).split("kamp/")[-1])
def test_spanish_speaks_formally(path):
    informal = [
        (e.linenum, text)
        for e, texts in _translations(path)
        for text in texts
        if INFORMAL.search(text)
    ]
    assert not informal, f"{path}: informal Spanish (tú) instead of usted: {informal[:5]}"


def test_the_informal_check_catches_tu():
    assert INFORMAL.search("Inicia sesión en kamp")
    assert INFORMAL.search("Las cuentas a tu cargo")
    assert not INFORMAL.search("Inicie sesión en kamp. Las cuentas a su cargo.")


# "riesgo(s)", "acción(es)", "falta(n)", "vencido(a)": a plural (or gender) faked in one string.
FAKED = re.compile(r"\w\((s|es|n|a|as|os)\)")
TEMPLATES = sorted(Path(kamp.__file__).parent.glob("**/templates/**/*.html"))
BLOCK = re.compile(
    r"{%\s*blocktrans(?:late)?\b([^%]*)%}(.*?){%\s*endblocktrans(?:late)?\s*%}", re.S
)
# A count shown in a sentence: a variable named like one, or bound to a |length. ("%(days)s
# days" of a setting and "page n of total" are not counts of things shown.)
NUMBERISH = re.compile(r"count|counter|overdue|open|created|imported|skipped")


def test_a_sentence_with_a_number_has_its_plural():
    """A sentence that carries a count uses ``{% blocktranslate count %}`` so Spanish gets
    "1 vencida" and "3 vencidas", never "1 vencidas" or "riesgo(s)"."""
    faked = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for m in BLOCK.finditer(text):
            args, body = m.group(1), m.group(2)
            if " count " in f" {args} " or "{% plural %}" in body:
                continue
            bound = dict(re.findall(r"(\w+)\s*=\s*([^\s]+)", args))
            shown = set(re.findall(r"{{\s*(\w+)\s*}}", body))
            numbers = [
                name
                for name in shown
                if NUMBERISH.fullmatch(name) or "|length" in bound.get(name, "")
            ]
            if numbers:
                line = text[: m.start()].count("\n") + 1
                faked.append(f"{path.relative_to(Path(kamp.__file__).parent)}:{line} {numbers}")
        if FAKED.search(text):
            faked.append(f"{path.relative_to(Path(kamp.__file__).parent)}: a plural faked with (s)")
    assert not faked, "\n".join(faked)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p).split("kamp/")[-1])
def test_no_plural_faked_in_the_catalogues(path):
    faked = [
        (e.linenum, text)
        for e, texts in _translations(path)
        for text in texts
        if FAKED.search(text)
    ]
    assert not faked, f"{path}: plural faked with (s), use ngettext: {faked[:5]}"


def test_every_import_kind_speaks_spanish():
    from django.utils import translation

    from kamp.core.imports.base import all_kinds, get_kind

    get_kind("customers")  # loads every app's kinds
    missing = []
    for kind in all_kinds():
        texts = [("label", kind.label), ("description", kind.description)]
        texts += [(f"field {f.name}", f.label) for f in kind.fields]
        texts += [(f"help {f.name}", f.help) for f in kind.fields if f.help]
        for what, text in texts:
            with translation.override("en"):
                english = str(text)
            with translation.override("es"):
                spanish = str(text)
            if not english or spanish == english and english not in UNCHANGED:
                missing.append(f"{kind.name} {what}: {english!r}")
    assert not missing, "\n".join(missing)


# Words that are the same in both languages.
UNCHANGED = {"KAM", "RUT", "factor"}


def test_relationship_chart_names_speak_only_the_readers_language():
    """The typology chart's region names: Spanish on a Spanish page, with no English beneath
    ("Vulnerable buyer" under "Comprador vulnerable" was English on a Spanish page)."""
    from django.utils import translation

    from kamp.relationships.views.explain import type_names

    with translation.override("en"):
        english = {text for names in type_names("en").values() for text in names if text}
    with translation.override("es"):
        spanish = type_names("es")
    assert spanish["vulnerable_buyer"][0] == "Comprador vulnerable"
    assert spanish["independent"][0] == "Independiente / intercambio de mercado"
    shown = {text for names in spanish.values() for text in names if text}
    assert not shown & english


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p).split("kamp/")[-1])
def test_one_spanish_name_per_concept(path):
    """docs/style.md's glossary: the relationship quality index is "ICR" in Spanish, a key
    account manager "gerente de cuenta clave" (or KAM), never the English words."""
    wrong = re.compile(r"\bRQI\b|Key Account Managers?\b")
    found = [(e.linenum, t) for e, texts in _translations(path) for t in texts if wrong.search(t)]
    assert not found, f"{path}: {found[:5]}"


@pytest.mark.django_db
def test_the_trail_speaks_the_readers_language(ana, account):
    """A summary written by an English-speaking action (the demo, the CLI) reads in Spanish on
    a Spanish History tab: "Foundations: 90 of 100" is "Fundamentos: …", the relationship
    type's label is translated too."""
    from django.utils import translation

    from kamp.core import audit
    from kamp.core.models import AuditEvent

    with translation.override("en"):
        audit.record(
            ana,
            "create",
            account,
            customer_id=account.pk,
            summary=audit.say("Relationship type: %(type)s", type="Collaborative partnership"),
        )
        audit.record(ana, "update", account, customer_id=account.pk, summary="Survey round closed")
    events = AuditEvent.objects.filter(customer_id=account.pk).order_by("id")
    assert events[0].summary == "Relationship type: Collaborative partnership"
    with translation.override("es"):
        shown = [e.summary for e in audit.describe(events, ana)]
    assert "Collaborative" not in shown[0] and "Partnership colaborativo" in shown[0]
    assert shown[1] == "Ronda de encuesta cerrada"
    with translation.override("en"):
        shown = [e.summary for e in audit.describe(events, ana)]
    assert shown[0] == "Relationship type: Collaborative partnership"


def test_a_counted_badge_agrees_with_its_number():
    from django.utils import translation
    from django.utils.translation import ngettext

    with translation.override("es"):
        one = ngettext("%(n)s overdue", "%(n)s overdue", 1) % {"n": 1}
        three = ngettext("%(n)s overdue", "%(n)s overdue", 3) % {"n": 3}
    assert (one, three) == ("1 vencida", "3 vencidas")
    # The import report's figures: "1 creado", "3 creados" (not "3 creado").
    from django.utils.translation import npgettext

    with translation.override("es"):
        created = [npgettext("records after an import", "created", "created", n) for n in (1, 3)]
    assert created == ["creado", "creados"]


@pytest.mark.django_db
def test_the_imports_pages_name_kinds_and_fields_in_spanish(client_for, admin):
    """The history said "customers" and the report "RUT → tax_id" on Spanish pages."""
    from kamp.core.models import ImportBatch

    batch = ImportBatch.objects.create(
        kind="customers",
        filename="clientes.csv",
        created_by=admin,
        status=ImportBatch.Status.DONE,
        options={"detected": {"columns": {"RUT": "tax_id", "KAM": "owner"}}},
    )
    c = client_for(admin)
    c.post(reverse("set_language"), {"language": "es", "next": "/"})
    home = c.get(reverse("core:imports")).content.decode()
    row = home.split("clientes.csv")[0].rsplit("<tr>", 1)[-1]
    assert ">Clientes<" in row and ">customers<" not in row
    report = c.get(reverse("core:import_batch", args=[batch.pk])).content.decode()
    assert "→ tax_id" not in report and "→ owner" not in report
    assert "RUT → RUT" in report
