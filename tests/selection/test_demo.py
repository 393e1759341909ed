import pytest

from kamp.core.demo import load
from kamp.selection import engine
from kamp.selection.models import Decision, Snapshot

pytestmark = pytest.mark.django_db


def test_demo_tells_the_story():
    ctx = load(modules=["kamp.selection.demo"], log=lambda *_: None)
    run = engine.run()
    c = ctx.customers
    cs = run.by_id[c["cs"].pk]
    assert cs.quadrant == "strategic" and cs.recommended and cs.rank <= 3
    assert run.by_id[c["telecom"].pk].reason == "unreciprocated"
    assert run.by_id[c["minera_norte"].pk].quadrant == "streamline"
    assert c["minera_norte"].status == "key_account"
    assert run.by_id[c["software"].pk].quadrant == "star"
    assert any(r.reason == "beyond_cap" for r in run.results)
    assert not run.by_id[c["imprenta"].pk].complete
    assert Snapshot.objects.count() == 3
    d = Decision.objects.filter(customer=c["cs"]).get()
    assert "licitación" in d.rationale and d.decided_by == ctx.users["director"]
    # two assessors per customer
    assert run.inputs[c["cs"].pk]["profitability"][2] == 2
