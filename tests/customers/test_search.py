"""The customer search finds what people type: any case, with or without accents, a tax id with
or without its dots and dash — on SQLite and PostgreSQL alike (the suite runs on both), whoever
wrote the customer (a form, an import, a bulk update, customers saved before the search text)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from kamp.core.imports import ImportOptions, run_import
from kamp.customers import actions
from kamp.customers.models import Customer, CustomerStatus
from kamp.customers.searchtext import fold, query_terms, search_text
from tests.core.import_helpers import write_csv
from tests.factories import CustomerFactory


def _names(client, q: str) -> list[str]:
    r = client.get(reverse("customers:list"), {"q": q})
    assert r.status_code == 200
    return [c.name for c in r.context["page"].object_list]


@pytest.fixture
def aromos(db):
    return CustomerFactory(
        name="Clínica Los Aromos",
        tax_id="78.555.444-2",
        external_id="C-0042",
        region="Ñuñoa",
        status=CustomerStatus.KEY_ACCOUNT,
    )


@pytest.mark.parametrize(
    "typed",
    [
        "Clinica",
        "clínica",
        "CLINICA LOS",
        "  clinica   los  aromos ",
        "Nunoa",
        "ÑUÑOA",
        "785554442",
        "78.555.444-2",
        "78555444-2",
        "555.444",
        "555444",
        "c-0042",
        "C0042",
    ],
)
def test_the_list_finds_what_people_type(client_for, director, aromos, typed):
    CustomerFactory(name="Constructora Pacífico", tax_id="76.123.456-0", region="Biobío")
    assert _names(client_for(director), typed) == ["Clínica Los Aromos"]


def test_a_search_that_matches_nothing_finds_nothing(client_for, director, aromos):
    for typed in ["Clinicas", "785554443", "aromos nunoa", "%", "_"]:
        assert _names(client_for(director), typed) == [], typed


def test_the_search_keeps_to_what_the_reader_may_see(client_for, member, aromos):
    # The member is on no team of this account: the search does not reveal it.
    assert _names(client_for(member), "Clinica") == []


def test_a_customer_renamed_by_its_action_is_found_by_its_new_name(client_for, director, aromos):
    actions.do_update_customer(director, aromos, name="Clínica Santa Ángela")
    c = client_for(director)
    assert _names(c, "santa angela") == ["Clínica Santa Ángela"]
    assert _names(c, "aromos") == []


def test_a_customer_created_by_its_action_is_found(client_for, director):
    actions.do_create_customer(director, name="Óptica Ñandú", tax_id="785554442", country="CL")
    assert _names(client_for(director), "optica nandu") == ["Óptica Ñandú"]
    assert _names(client_for(director), "78.555.444-2") == ["Óptica Ñandú"]


def test_customers_imported_in_bulk_are_found(client_for, director, tmp_path):
    path = write_csv(
        tmp_path / "customers.csv",
        [["Tax ID", "Name", "Region"], ["78.555.444-2", "Clínica Los Aromos", "Ñuñoa"]],
    )
    assert run_import("customers", path, user=director, options=ImportOptions()).created_count == 1
    assert _names(client_for(director), "clinica") == ["Clínica Los Aromos"]
    # Imported again under a new name: the bulk update moves the search text with it.
    again = write_csv(
        tmp_path / "again.csv",
        [["Tax ID", "Name", "Region"], ["785554442", "Clínica Ñielol", "Araucanía"]],
    )
    assert run_import("customers", again, user=director, options=ImportOptions()).updated_count == 1
    assert _names(client_for(director), "nielol") == ["Clínica Ñielol"]
    assert _names(client_for(director), "aromos") == []


def test_bulk_writes_keep_the_search_text(db):
    made = Customer.objects.bulk_create([Customer(name="Agrícola Ñuble", tax_id="76.123.456-0")])
    made = [Customer.objects.get(pk=made[0].pk)]
    assert "agricola nuble" in made[0].search_text and "761234560" in made[0].search_text
    made[0].name = "Agrícola Ránquil"
    Customer.objects.bulk_update(made, ["name"])
    assert "agricola ranquil" in Customer.objects.get(pk=made[0].pk).search_text
    made[0].region = "Maule"
    made[0].save(update_fields=["region"])
    assert Customer.objects.get(pk=made[0].pk).search_text.endswith("maule")


def test_a_queryset_update_of_a_searched_field_is_refused(db, aromos):
    # It would leave the stored search text behind the name: such a writer must save the rows.
    with pytest.raises(TypeError):
        Customer.objects.filter(pk=aromos.pk).update(name="Otra")
    Customer.objects.filter(pk=aromos.pk).update(notes="fine")  # other fields as before


def test_the_migration_fills_customers_saved_before(db, aromos):
    import importlib

    fill = importlib.import_module("kamp.customers.migrations.0006_search_text").fill
    Customer.objects.filter(pk=aromos.pk).update(search_text="")
    fill(apps, None)
    assert Customer.objects.get(pk=aromos.pk).search_text == search_text(
        "Clínica Los Aromos", "78.555.444-2", "C-0042", "Ñuñoa"
    )


def test_the_api_searches_the_same_way(client_for, director, aromos):
    r = client_for(director).get("/api/v1/customers/", {"q": "clinica"})
    assert r.status_code == 200
    assert [c["name"] for c in r.json()] == ["Clínica Los Aromos"]
    r = client_for(director).get("/api/v1/customers/", {"q": "785554442"})
    assert [c["name"] for c in r.json()] == ["Clínica Los Aromos"]


def test_the_parent_lookup_finds_without_accents(client_for, director, aromos):
    r = client_for(director).get(reverse("customers:lookup"), {"q": "clinica"})
    assert "Clínica Los Aromos" in r.content.decode()


@given(st.text(max_size=40))
def test_a_folded_text_is_found_by_any_folded_part_of_itself(text):
    """Whatever a name holds, each of its words, typed any way it folds to, finds it."""
    stored = search_text(text, "", "", "")
    for word in text.split():
        assert fold(word) in stored
        assert fold(word.upper()) in stored or fold(word.upper()) != fold(word)


def test_a_tax_id_is_also_searched_without_its_punctuation():
    assert query_terms("78.555.444-2") == ["78.555.444-2", "785554442"]
    assert query_terms("76.123.456-K") == ["76.123.456-k", "76123456k"]
    # Words keep their spaces: "los aromos" is not searched as "losaromos".
    assert query_terms("Clínica Los Aromos") == ["clinica los aromos"]
    assert query_terms("   ") == []
