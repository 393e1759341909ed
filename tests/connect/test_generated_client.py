"""kamp's OpenAPI document is true: a Python client generated from it by
``openapi-python-client`` (a dev dependency), with a personal API token, against a live kamp,
lists customers, logs an interaction and reads a P&L."""

from __future__ import annotations

import datetime
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kamp.connect import actions
from tests.factories import ContactFactory, SalesLineFactory

GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture(scope="module")
def generated_client(tmp_path_factory):
    """Generate the client package once from the schema the live site serves."""
    from kamp.api import api

    if not GENERATOR.exists():
        pytest.fail("openapi-python-client is a dev dependency: pip install -e '.[dev]'")
    root = tmp_path_factory.mktemp("client")
    schema = root / "schema.json"
    schema.write_text(json.dumps(api.get_openapi_schema(path_prefix="/api/v1")), "utf-8")
    result = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(schema),
            "--meta",
            "none",
            "--output-path",
            str(root / "kamp_client"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=root,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # The generator skips what it cannot read with a warning: a schema it half-reads is a
    # schema that lies somewhere.
    assert "WARNING" not in output and "Unable to" not in output, output
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("kamp_client")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == "kamp_client" or m.startswith("kamp_client.")]:
            del sys.modules[name]


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_with_a_token_lists_logs_and_reads_a_pnl(
    generated_client, live_server, ana, account, other_account
):
    contact = ContactFactory(customer=account, name="Carla Compras")
    SalesLineFactory(customer=account)
    _token, secret = actions.do_create_token(ana, name="Script", scope="write", days=30)

    from kamp_client import AuthenticatedClient
    from kamp_client.api.customers import kamp_customers_api_list_customers as list_customers
    from kamp_client.api.economics import kamp_economics_api_customer_pnl as customer_pnl
    from kamp_client.api.interactions import (
        kamp_interactions_api_create_interaction as create_interaction,
    )
    from kamp_client.models import InteractionIn

    client = AuthenticatedClient(
        base_url=live_server.url, token=secret, raise_on_unexpected_status=True
    )
    with client as c:
        customers = list_customers.sync(client=c)
        assert {x.name for x in customers} >= {"Constructora CS", "Minera Norte"}
        ours = next(x for x in customers if x.id == account.pk)
        assert ours.tax_id == account.tax_id

        body = InteractionIn(
            date=datetime.date.today(),
            topic="Revisión de contrato",
            our_people=[ana.pk],
            their_contacts=[contact.pk],
        )
        made = create_interaction.sync_detailed(client=c, customer_id=account.pk, body=body)
        assert made.status_code == 201, made.content
        assert made.parsed.topic == "Revisión de contrato"
        assert made.parsed.customer.id == account.pk

        period = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).strftime(
            "%Y-%m"
        )
        pnl = customer_pnl.sync_detailed(client=c, customer_id=account.pk, period=period)
        assert pnl.status_code == 200, pnl.content
        assert pnl.parsed.customer.id == account.pk

    from kamp.connect.models import TokenWrite

    write = TokenWrite.objects.select_related("event").get()
    assert write.token_name == "Script"
    assert write.event.object_type == "interactions.interaction"
    assert write.event.actor_id == ana.pk
