"""Two managers editing one selection model: the second save is told that someone changed it,
sees both versions (its factors too) and chooses — never a silent overwrite."""

from __future__ import annotations

import re

from django.urls import reverse

from kamp.selection import engine
from kamp.selection.models import SelectionModel
from tests.customers.test_lost_updates import _opened


def test_second_model_save_is_told_and_then_chooses(client_for, director, admin):
    model = engine.ensure_default_model()
    url = reverse("selection:model_edit", args=[model.pk])
    first, second = client_for(director), client_for(admin)
    hers, his = _opened(first, url), _opened(second, url)
    assert hers["version"] == str(model.version)
    weight = hers["factor-0-weight"]

    assert first.post(url, {**hers, "description": "Reviewed in March"}).status_code == 302
    r = second.post(url, {**his, "description": "Board version", "factor-0-weight": "9"})
    text = r.content.decode()
    assert r.status_code == 409
    assert "Someone else changed this since you opened it" in text
    assert re.search(r'class="theirs">Reviewed in March<', text)
    assert re.search(r'class="yours">Board version<', text)
    key = his["factor-0-key"]
    assert re.search(rf'class="yours">[^<]*{key} \(9\)', text)  # his factor weights, beside theirs
    model.refresh_from_db()
    assert model.description == "Reviewed in March"  # nothing of the second saved
    assert model.factors.get(key=key).weight == float(weight)

    # Saving again keeps his: the re-shown form carries the version now saved.
    assert re.search(rf'name="version" value="{model.version}"', text)
    again = {**his, "description": "Board version", "factor-0-weight": "9"}
    assert second.post(url, {**again, "version": model.version}).status_code == 302
    model.refresh_from_db()
    assert model.description == "Board version"
    assert model.factors.get(key=key).weight == 9


def test_a_file_loaded_over_the_model_meanwhile_is_not_reverted(client_for, director):
    """Loading a TOML file of the same name replaces the model without a version: an editor
    opened before it is still told."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kamp.selection.modelfile import to_toml

    model = engine.ensure_default_model()
    url = reverse("selection:model_edit", args=[model.pk])
    form = _opened(client_for(director), url)
    toml = to_toml(model, model.effective_cap())
    assert "description" not in toml.split("[[factor", 1)[0]
    toml = toml.replace("\n", '\ndescription = "From the file."\n', 1)
    loaded = client_for(director).post(
        reverse("selection:models"), {"file": SimpleUploadedFile("m.toml", toml.encode())}
    )
    assert loaded.status_code == 302
    model.refresh_from_db()
    assert model.description.startswith("From the file.")
    assert client_for(director).post(url, {**form, "split": "6"}).status_code == 409
    model.refresh_from_db()
    assert model.description.startswith("From the file.") and model.split != 6


def test_a_model_form_without_its_version_is_refused(client_for, director):
    model = engine.ensure_default_model()
    url = reverse("selection:model_edit", args=[model.pk])
    form = _opened(client_for(director), url)
    del form["version"]
    r = client_for(director).post(url, {**form, "description": "x"})
    assert "This form is out of date" in r.content.decode()
    assert SelectionModel.objects.get(pk=model.pk).description != "x"
