"""The scoring grid opened twice (two tabs, or a director scoring for someone meanwhile): a score
saved from a stale cell is refused with both values shown, never silently written over."""

import json
import re

from django.urls import reverse

from kamp.selection.models import Assessment


def _save(client, account, score, version):
    return client.post(
        reverse("selection:grid_save"),
        {"customer": account.pk, "factor": "profitability", "score": score, "version": version},
    )


def test_stale_grid_cell_is_told_and_then_chooses(client_for, ana, account):
    c = client_for(ana)
    grid = c.get(reverse("selection:grid")).content.decode()
    assert re.search(r'"factor": "profitability", "version": "0"', grid)  # no score yet

    first = _save(c, account, "7", "0").content.decode()  # one tab
    assert "✓" in first
    r = _save(c, account, "4", "0")  # the other tab, opened before
    text = r.content.decode()
    assert r.status_code == 200
    assert "Someone else changed this score" in text and "“7”" in text and "“4”" in text
    saved = Assessment.objects.get(customer=account, assessor=ana, factor="profitability")
    assert saved.score == 7
    # The cell now carries the current version: typing 4 again keeps it.
    version = re.search(r'"version": "(\d+)"', text).group(1)
    assert version == str(saved.version)
    assert "✓" in _save(c, account, "4", version).content.decode()
    saved.refresh_from_db()
    assert saved.score == 4


def test_removing_a_score_changed_meanwhile_is_refused(client_for, ana, account):
    c = client_for(ana)
    _save(c, account, "7", "0")
    stale = Assessment.objects.get(customer=account, assessor=ana).version
    _save(c, account, "8", str(stale))
    r = _save(c, account, "", str(stale))
    assert "Someone else changed this score" in r.content.decode()
    assert Assessment.objects.get(customer=account, assessor=ana).score == 8


def test_api_score_with_a_stale_version_is_409(client_for, ana, account):
    c = client_for(ana)
    url = f"/api/v1/selection/customers/{account.pk}/scores"

    def post(body):
        return c.post(url, data=json.dumps(body), content_type="application/json")

    r = post({"factor": "profitability", "score": 6, "version": 0})
    assert r.status_code == 200 and r.json()["version"] == 1
    r = post({"factor": "profitability", "score": 9, "version": 0})
    assert r.status_code == 409 and "6" in r.json()["detail"]
    assert Assessment.objects.get(customer=account, assessor=ana).score == 6
    assert post({"factor": "profitability", "score": 9, "version": 1}).status_code == 200
    assert post({"factor": "profitability", "score": 5}).status_code == 200  # no version: as now
