"""Upgrades: a database left by an earlier kamp, with data in it, migrates to this one and keeps
(or transforms, for the data migrations) everything written before.

Each test empties the test database, applies the migrations up to an earlier state (with
django-test-migrations), writes records with the models *of that state* (the code that wrote
them then), migrates to the newest state and reads them back with today's models. The earlier
states are the ones a release could have left:

- the first release: every kamp app at its initial migration;
- the state just before each data migration in the tree (a ``RunPython`` operation): its app one
  migration earlier, the apps migrated before it in Django's plan at theirs.

They rebuild the schema twice each (seconds, more on PostgreSQL), so they are few and run in
one xdist group, one after the other.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations import RunPython
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState
from django_test_migrations import sql
from django_test_migrations.signals import mute_migrate_signals

upgrade = [pytest.mark.xdist_group("upgrades"), pytest.mark.django_db(transaction=True)]

KAMP_APPS = (
    "core",
    "customers",
    "economics",
    "interactions",
    "plans",
    "programme",
    "relationships",
    "selection",
    "team",
)


def _loader() -> MigrationLoader:
    return MigrationLoader(None, ignore_no_migrations=True)  # from the files: no database


def _data_migrations() -> list[tuple[str, str, str]]:
    """(app, migration, the app's migration before it) of every kamp migration running Python."""
    loader = _loader()
    found = []
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if app not in KAMP_APPS or not any(
            isinstance(op, RunPython) for op in migration.operations
        ):
            continue
        parents = [p for p in loader.graph.node_map[(app, name)].parents if p.key[0] == app]
        found.append((app, name, parents[0].key[1]))
    return found


def _earlier_state(keep) -> object:
    """Empty the database, then apply, in Django's order, the migrations for which ``keep(key,
    loader)`` is true (with django-test-migrations' helpers, signals muted as it does). Returns
    the historical models of that state."""
    loader = _loader()
    sql.drop_models_tables("default")
    sql.flush_django_migrations_table("default")
    executor = MigrationExecutor(connection)
    full = executor.migration_plan(loader.graph.leaf_nodes(), clean_start=True)
    state = ProjectState(real_apps=loader.unmigrated_apps)
    with mute_migrate_signals():
        for migration, _ in full:
            if keep((migration.app_label, migration.name), loader):
                state = executor.apply_migration(state, migration)
    state.clear_delayed_apps_cache()
    return state.apps


def _first_release():
    """Every kamp app at its initial migration, the other apps (Django's, the task queue's) at
    their newest: what the first release left."""

    def keep(key, loader):
        needed = {
            dep
            for app in KAMP_APPS
            if (app, "0001_initial") in loader.graph.nodes
            for dep in loader.graph.forwards_plan((app, "0001_initial"))
        }
        return key[0] not in KAMP_APPS or key in needed

    return _earlier_state(keep)


def _just_before(app: str, name: str):
    """Everything applied but ``app``'s migration ``name`` and the migrations that need it."""

    def keep(key, loader):
        return key not in set(loader.graph.backwards_plan((app, name)))

    return _earlier_state(keep)


def _to_head(migrator):
    migrator.apply_tested_migration(_loader().graph.leaf_nodes())


def _has(model, field: str) -> bool:
    return any(f.name == field for f in model._meta.get_fields())


def _create(model, **values):
    """A row with the values this state's model has a column for."""
    return model.objects.create(**{k: v for k, v in values.items() if _has(model, k)})


def _write_then(apps) -> dict:
    """What an earlier kamp held: a KAM, a customer with a contact, sales, a plan with two
    objectives, a score and a trail. Returns what the newest kamp must find, and what the state
    lacked (so that the data migrations' work is expected)."""
    got = {"models": set()}

    def model(app, name):
        try:
            m = apps.get_model(app, name)
        except LookupError:
            return None
        got["models"].add(f"{app}.{name}".lower())
        return m

    User = model("core", "User")
    kam = _create(User, email="kam@old.test", password="!", name="Old KAM", role="kam")
    Customer = model("customers", "Customer")
    customer = _create(
        Customer,
        name="Clínica Ñuñoa Ltda.",
        tax_id="76.123.456-K",
        external_id="C-0042",
        region="Biobío",
        currency="CLP",
        owner=kam,
    )
    got["customer"] = customer.pk
    got["search_text_missing"] = not _has(Customer, "search_text")
    if not got["search_text_missing"]:  # the code of that time kept it in Customer.save()
        from kamp.customers.searchtext import search_text

        customer.search_text = search_text(
            customer.name, customer.tax_id, customer.external_id, customer.region
        )
        customer.save(update_fields=["search_text"])
    Contact = model("customers", "Contact")
    got["contact"] = _create(Contact, customer=customer, name="Marta Fuentes", title="CFO").pk

    SalesLine = model("economics", "SalesLine")
    if SalesLine is not None:
        for day, amount, cost in ((5, "1000.50", "600"), (20, "499.50", "300"), (40, "250", "100")):
            _create(
                SalesLine,
                customer=customer,
                date=dt.date(2026, 1, 1) + dt.timedelta(days=day),
                net_amount=Decimal(amount),
                cost=Decimal(cost),
                currency="CLP",
                product="P-1",
            )
        got["sales_months_missing"] = model("economics", "SalesMonth") is None

    Plan = model("plans", "AccountPlan")
    if Plan is not None:
        plan = _create(Plan, customer=customer, period="2026", strategy="Grow the lab line")
        Objective = model("plans", "Objective")
        got["objectives"] = sorted(
            _create(Objective, plan=plan, title=t, target=Decimal(v), is_financial=f).pk
            for t, v, f in (("Revenue 2026", "1200000", True), ("Visits", "12", False))
        )

    Assessment = model("selection", "Assessment")
    if Assessment is not None:
        got["assessment"] = _create(
            Assessment, customer=customer, assessor=kam, factor="size", score=4.0
        ).pk

    Audit = model("core", "AuditEvent")
    got["money_missing"] = not _has(Audit, "money")
    trail = {
        "economics.salesline": ([], True),
        "plans.objective": ([{"field": "target", "old": "1", "new": "2"}], True),
        "customers.customer": ([{"field": "region", "old": "", "new": "Biobío"}], False),
    }
    got["audit"] = {}
    for object_type, (changes, money) in trail.items():
        event = _create(
            Audit,
            action="update",
            object_type=object_type,
            object_id=str(customer.pk),
            object_repr=customer.name,
            customer_id=customer.pk,
            summary=f"Changed {object_type}",
            changes=changes,
            actor=kam,
        )
        got["audit"][event.pk] = money
    title_only = _create(
        Audit,
        action="update",
        object_type="plans.objective",
        object_id="1",
        summary="Renamed an objective",
        changes=[{"field": "title", "old": "a", "new": "b"}],
        actor=kam,
    )
    got["audit"][title_only.pk] = False
    return got


def _check_now(got: dict) -> None:
    """The newest kamp reads back everything written before (today's models and code)."""
    from kamp.core.models import AuditEvent, User
    from kamp.customers.models import Contact, Customer, search_customers
    from kamp.customers.searchtext import search_text

    kam = User.objects.get(email="kam@old.test")
    customer = Customer.objects.get(pk=got["customer"])
    assert customer.name == "Clínica Ñuñoa Ltda." and customer.owner == kam
    assert customer.version == 1  # the lost-update check starts from the first version
    assert Contact.objects.get(pk=got["contact"]).name == "Marta Fuentes"
    if got["search_text_missing"]:  # customers 0006 filled it
        assert customer.search_text == search_text(
            customer.name, customer.tax_id, customer.external_id, customer.region
        )
    for query in ("clinica nunoa", "761234", "c-0042", "biobio"):
        assert list(search_customers(Customer.objects.all(), query)) == [customer], query

    if "economics.salesline" in got["models"]:
        from kamp.economics.models import SalesLine, SalesMonth

        assert SalesLine.objects.filter(customer=customer).count() == 3
        if got["sales_months_missing"]:  # economics 0006 summed the lines already there
            months = {
                (m.month, m.net_amount, m.cost, m.lines)
                for m in SalesMonth.objects.filter(customer=customer)
            }
            assert months == {
                (dt.date(2026, 1, 1), Decimal("1500.00"), Decimal("900"), 2),
                (dt.date(2026, 2, 1), Decimal("250"), Decimal("100"), 1),
            }

    if "objectives" in got:
        from kamp.plans.models import Objective

        objectives = Objective.objects.filter(pk__in=got["objectives"]).order_by("pk")
        assert [(o.title, o.target, o.version) for o in objectives] == [
            ("Revenue 2026", Decimal("1200000"), 1),
            ("Visits", Decimal("12"), 1),
        ]
        assert objectives[0].plan.customer == customer
    if "assessment" in got:
        from kamp.selection.models import Assessment

        score = Assessment.objects.get(pk=got["assessment"])
        assert (score.factor, score.score, score.version) == ("size", 4.0, 1)

    events = AuditEvent.objects.in_bulk(list(got["audit"]))
    assert set(events) == set(got["audit"])
    if got["money_missing"]:  # core 0003 flagged the entries that hold amounts
        assert {pk: e.money for pk, e in events.items()} == got["audit"]


@upgrade[0]
@upgrade[1]
def test_the_first_release_upgrades_with_its_data(migrator):
    got = _write_then(_first_release())
    assert got["search_text_missing"] and got["money_missing"] and got["sales_months_missing"]
    _to_head(migrator)
    _check_now(got)


@upgrade[0]
@upgrade[1]
@pytest.mark.parametrize(
    ("app", "name", "before"),
    [pytest.param(*m, id=f"{m[0]}.{m[1]}") for m in _data_migrations()],
)
def test_data_written_before_a_data_migration_survives_it(migrator, app, name, before):
    got = _write_then(_just_before(app, name))
    assert (app, before) in MigrationRecorder(connection).applied_migrations()
    assert (app, name) not in MigrationRecorder(connection).applied_migrations()
    _to_head(migrator)
    _check_now(got)


def test_every_data_migration_is_tested():
    """The migrations running Python that this file knows the effect of; a new one is covered
    by the survival test above, and should get its own assertion in _check_now."""
    assert {(app, name) for app, name, _ in _data_migrations()} >= {
        ("core", "0003_audit_money"),
        ("customers", "0006_search_text"),
        ("economics", "0006_sales_month"),
    }
