"""A selection model's reciprocity settings — each kind of evidence's weight and the drop that
raises an alert — edited in the model form and kept in its TOML file, with bad values refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kamp.selection import actions, engine, ledger, modelfile
from kamp.selection.models import SelectionModel
from tests.customers.test_lost_updates import _opened

pytestmark = pytest.mark.django_db


def test_toml_round_trip_keeps_weights_and_threshold(director):
    model = engine.ensure_default_model()
    model.reciprocity_weights = {"survey": 2.5, "commitment": 0}
    model.reciprocity_drop = 0.75
    model.save()
    text = modelfile.to_toml(model)
    assert "reciprocity_drop = 0.75" in text
    spec = modelfile.parse_toml(text.replace(f'name = "{model.name}"', 'name = "Copy"'))
    assert spec.reciprocity_weights == {"survey": 2.5, "commitment": 0}
    assert spec.reciprocity_drop == 0.75
    copy = actions.do_save_model(director, spec)
    assert (copy.reciprocity_weights, copy.reciprocity_drop) == (
        {"survey": 2.5, "commitment": 0},
        0.75,
    )
    assert modelfile.to_toml(copy) == text.replace(f'name = "{model.name}"', 'name = "Copy"')


@pytest.mark.parametrize(
    "extra, message",
    [
        ("reciprocity_drop = 0", "above 0"),
        ("reciprocity_drop = -1", "above 0"),
        ('reciprocity_drop = "big"', "must be a number"),
        ("[reciprocity_weights]\nsurvey = -1", "“survey” must be a number ≥ 0"),
        ("[reciprocity_weights]\ngossip = 1", "Unknown kind of reciprocity evidence: “gossip”"),
    ],
)
def test_toml_with_a_bad_value_is_refused_with_its_reason(extra, message):
    model = engine.ensure_default_model()
    text = modelfile.to_toml(model).replace("reciprocity_drop = 1.5\n", "")
    head, factors = text.split("[[factor]]", 1)
    with pytest.raises(modelfile.SpecError) as exc:
        modelfile.parse_toml(f"{head}{extra}\n\n[[factor]]{factors}")
    assert any(message in p for p in exc.value.problems)


def test_form_edits_weights_and_threshold_and_the_ledger_uses_them(client_for, director):
    model = engine.ensure_default_model()
    model.is_active = True
    model.save()
    url = reverse("selection:model_edit", args=[model.pk])
    c = client_for(director)
    data = _opened(c, url)
    assert data["reciprocity_drop"] == "1.5" and data["reciprocity_survey"] == ""
    r = c.post(url, {**data, "reciprocity_drop": "2", "reciprocity_survey": "3", "activate": "1"})
    assert r.status_code == 302
    model = SelectionModel.objects.get(pk=model.pk)
    assert (model.reciprocity_weights, model.reciprocity_drop) == ({"survey": 3.0}, 2.0)
    assert ledger.drop_threshold() == 2.0
    again = _opened(c, url)
    assert again["reciprocity_survey"] == "3.0" and again["reciprocity_commitment"] == ""


def test_form_refuses_bad_values_in_spanish_and_keeps_the_model(client_for, director):
    model = engine.ensure_default_model()
    url = reverse("selection:model_edit", args=[model.pk])
    c = client_for(director)
    data = _opened(c, url)
    r = c.post(
        url,
        {**data, "reciprocity_drop": "0", "reciprocity_commitment": "-1"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert r.status_code == 200
    page = r.content.decode()
    assert "La alerta de caída de reciprocidad debe ser un número de puntos mayor que 0." in page
    assert "mayor o igual a 0" in page
    model.refresh_from_db()
    assert (model.reciprocity_weights, model.reciprocity_drop) == ({}, 1.5)


def test_weights_saved_meanwhile_are_shown_beside_yours(client_for, director, admin):
    model = engine.ensure_default_model()
    url = reverse("selection:model_edit", args=[model.pk])
    first, second = client_for(director), client_for(admin)
    hers, his = _opened(first, url), _opened(second, url)
    assert first.post(url, {**hers, "reciprocity_survey": "3"}).status_code == 302
    r = second.post(url, {**his, "reciprocity_survey": "0.5"})
    assert r.status_code == 409
    page = r.content.decode()
    assert "Weights of the reciprocity evidence" in page
    assert "Survey answer on investing time and resources: 3" in page
    assert "Survey answer on investing time and resources: 0.5" in page
    assert SelectionModel.objects.get(pk=model.pk).reciprocity_weights == {"survey": 3.0}
