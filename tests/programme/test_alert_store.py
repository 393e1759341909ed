"""Stored alerts (kamp.programme.alert_store): after every kind of write that can change an alert,
the alerts the worker stored equal the alerts computed from scratch; the pages read them at a
constant number of queries; one task, not one per write or per view.

The worker path is the real one: each write commits (``django_capture_on_commit_callbacks``
runs what a commit runs), the commit enqueues the refresh task, and the test settings' task
backend runs it at once — as ``kamp worker`` would."""

from __future__ import annotations

import datetime
import json
import types
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kamp.core.alerts import collect
from kamp.customers.models import Customer, CustomerStatus
from kamp.programme import alert_store
from kamp.programme.models import AlertDirty, AlertRefresh, StoredAlert

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    from kamp.core import demo

    with django_capture_on_commit_callbacks(execute=True):
        ctx = demo.load(today=timezone.localdate(), log=lambda *_: None)
    return ctx


def _fields(a) -> tuple:
    return (
        a.key,
        a.area,
        a.kind,
        a.severity,
        str(a.message),
        str(a.cause_title),
        tuple(str(s) for s in a.signs),
        tuple(a.sign_kinds),
        a.url,
        a.customer_name,
        None if a.value_at_stake is None else Decimal(a.value_at_stake).quantize(Decimal("0.01")),
    )


def _stored(language: str) -> list[tuple]:
    """What the table holds, read as it is (no catching up on the way)."""
    return sorted(_fields(alert_store._alert(row, language)) for row in StoredAlert.objects.all())


def _scratch(language: str) -> list[tuple]:
    with translation.override(language):
        found = collect(Customer.objects.all(), timezone.localdate(), programme=True)
        return sorted(_fields(a) for a in found)


def assert_stored_equals_scratch() -> None:
    assert not AlertDirty.objects.exists(), "the worker left accounts dirty"
    for language in ("es", "en"):
        assert _stored(language) == _scratch(language)


def test_after_loading_the_demo_stored_alerts_equal_computed(demo):
    assert StoredAlert.objects.count() > 10
    assert_stored_equals_scratch()


def _key_account(demo, key="cs"):
    return Customer.objects.get(pk=demo.customers[key].pk)


def _candidate():
    return Customer.objects.filter(status=CustomerStatus.CANDIDATE).order_by("pk").first()


# Every kind of write that can change an alert, each through the action a person uses.
def write_customer_fields(demo):
    from kamp.customers.actions import do_update_customer

    do_update_customer(
        demo.users["director"], _key_account(demo), name="Constructora CS Renombrada"
    )


def write_owner(demo):
    from kamp.customers.actions import do_set_owner

    do_set_owner(demo.users["director"], _key_account(demo), demo.users["bruno"])


def write_new_contact(demo):
    from kamp.customers.actions import do_create_contact

    minera = _key_account(demo, "minera_norte")
    do_create_contact(demo.users["director"], minera, name="Gerente General", dmu_roles=["decider"])


def write_delete_contact(demo):
    from kamp.customers.actions import do_delete_contact

    cs = _key_account(demo)
    do_delete_contact(demo.users["director"], cs.contacts.order_by("pk").first())


def write_interaction(demo):
    from kamp.interactions.actions import do_log_interaction

    minera = _key_account(demo, "minera_norte")
    do_log_interaction(
        demo.users["ana"],
        minera,
        our_people=[demo.users["ana"]],
        their_contacts=list(minera.contacts.all()[:1]),
        date=timezone.localdate(),
        topic="Revisión trimestral",
    )


def write_delete_interaction(demo):
    from kamp.interactions.actions import do_delete_interaction
    from kamp.interactions.models import Interaction

    cs = _key_account(demo)
    do_delete_interaction(
        demo.users["director"], Interaction.objects.filter(customer=cs).latest("date")
    )


def write_plan_action(demo):
    from kamp.plans.actions import do_add_item
    from kamp.plans.models import AccountPlan

    plan = AccountPlan.objects.filter(customer=_key_account(demo)).order_by("-pk").first()
    do_add_item(
        demo.users["ana"],
        plan,
        "actions",
        title="Enviar propuesta",
        due=timezone.localdate() - datetime.timedelta(days=20),
        owner=demo.users["ana"],
    )


def write_plan_action_done(demo):
    from kamp.plans.actions import do_set_action_status
    from kamp.plans.models import PlanAction

    for action in PlanAction.objects.exclude(status="done").filter(due__lt=timezone.localdate())[
        :3
    ]:
        do_set_action_status(demo.users["director"], action, "done")


def write_stage(demo):
    from kamp.relationships.actions import do_set_stage

    do_set_stage(demo.users["director"], _key_account(demo), stage="disintegrating", reason="x")


def write_team_sponsor(demo):
    from kamp.team.actions import do_add_team_member
    from kamp.team.models import AccountTeamMember, TeamRole

    minera = _key_account(demo, "minera_norte")
    taken = set(AccountTeamMember.objects.filter(customer=minera).values_list("user", flat=True))
    user = next(
        u
        for k, u in demo.users.items()
        if k in ("rodrigo", "felipe", "lucia") and u.pk not in taken
    )
    do_add_team_member(demo.users["director"], minera, user, role=TeamRole.SPONSOR)


def write_hats(demo):
    from kamp.team.actions import do_assess_hats

    do_assess_hats(
        demo.users["director"],
        demo.users["ana"],
        "director",
        {"salesperson": 4, "conductor": 1, "strategist": 1, "innovator": 1},
    )


def write_kam_leaves(demo):
    ana = demo.users["ana"]
    ana.is_active = False
    ana.save()


def write_selection_decision(demo):
    from kamp.selection.actions import do_decide

    do_decide(demo.users["director"], _candidate(), "make", "Crece y comparte planes con nosotros.")


def write_selection_score(demo):
    from kamp.selection.actions import do_score
    from kamp.selection.models import SelectionModel

    model = SelectionModel.objects.get(is_active=True)
    factor = model.factors.order_by("pk").first()
    do_score(demo.users["director"], _key_account(demo), factor.key, 1, model=model)


def write_company_size(demo):
    from kamp.core.models import CompanySize, SiteSettings

    site = SiteSettings.load()
    site.size_class = CompanySize.LARGE
    site.save()


def write_economics_settings(demo):
    from kamp.economics.models import EconomicsSettings

    settings = EconomicsSettings.load()
    settings.alert_periods = 1
    settings.save()


def write_sales_import(demo, tmp_path):
    from kamp.core.imports import run_import
    from tests.core.import_helpers import write_csv

    cs = _key_account(demo)
    day = (timezone.localdate() - datetime.timedelta(days=40)).strftime("%d-%m-%Y")
    path = write_csv(
        tmp_path / "ventas.csv",
        [
            ["RUT", "Fecha", "N° documento", "Línea", "Monto Neto", "Costo"],
            [cs.tax_id, day, "F-9001", "1", "900.000.000", "1.500.000.000"],
        ],
        delimiter=";",
    )
    batch = run_import("sales", path, user=demo.users["admin"])
    assert batch.status == "done", batch.errors


WRITES = [
    write_customer_fields,
    write_owner,
    write_new_contact,
    write_delete_contact,
    write_interaction,
    write_delete_interaction,
    write_plan_action,
    write_plan_action_done,
    write_stage,
    write_team_sponsor,
    write_hats,
    write_kam_leaves,
    write_selection_decision,
    write_selection_score,
    write_company_size,
    write_economics_settings,
    write_sales_import,
]


# On the demo these certainly change an alert (the others may or may not, and must still agree).
CHANGE_AN_ALERT = {
    write_owner,
    write_new_contact,
    write_interaction,
    write_plan_action,
    write_stage,
    write_team_sponsor,
    write_kam_leaves,
    write_selection_decision,
    write_sales_import,
}


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__ for w in WRITES])
def test_after_each_kind_of_write_the_worker_stores_what_is_computed_from_scratch(
    demo, write, tmp_path, django_capture_on_commit_callbacks
):
    before = _stored("en")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        if write is write_sales_import:
            write(demo, tmp_path)
        else:
            write(demo)
    # One refresh enqueued per transaction, however many rows it wrote.
    assert sum(1 for c in callbacks if isinstance(c, alert_store._AfterCommit)) == 1
    assert_stored_equals_scratch()
    if write in CHANGE_AN_ALERT:
        assert _stored("en") != before, "the write was meant to change an alert"


def test_one_area_failing_keeps_what_it_had_stored(demo, monkeypatch, settings):
    settings.DEBUG = False
    from kamp.core import alerts as core_alerts

    kept = set(StoredAlert.objects.filter(area="team").values_list("key", flat=True))
    assert kept
    real = core_alerts.alert_modules()
    team = next(m for m in real if core_alerts.area_of(m) == "team")

    broken = types.ModuleType(team.__name__)

    def alerts(customers, as_of):
        raise RuntimeError("boom")

    broken.alerts = alerts  # type: ignore[attr-defined]

    monkeypatch.setattr(
        core_alerts, "alert_modules", lambda: [broken if m is team else m for m in real]
    )
    alert_store.refresh_alerts()
    assert set(StoredAlert.objects.filter(area="team").values_list("key", flat=True)) == kept
    assert StoredAlert.objects.exclude(area="team").exists()


def test_a_fresh_install_computes_once_then_reads(demo, client_for, django_assert_num_queries):
    StoredAlert.objects.all().delete()
    AlertRefresh.objects.all().delete()
    c = client_for(demo.users["director"])
    assert c.get(reverse("programme:alerts")).status_code == 200
    assert StoredAlert.objects.exists() and AlertRefresh.objects.get().as_of == timezone.localdate()


def test_the_next_day_the_worker_recomputes_every_account(demo, monkeypatch):
    AlertRefresh.objects.update(as_of=timezone.localdate() - datetime.timedelta(days=1))
    monkeypatch.setattr(alert_store, "INLINE_PROGRAMME", 0)  # as with a large programme
    enqueued = []
    monkeypatch.setattr(alert_store, "_enqueue", lambda: enqueued.append(1))
    alert_store.stored_alerts(Customer.objects.all(), programme=True)
    assert enqueued == [1]
    assert AlertDirty.objects.filter(customer_id=alert_store.EVERYONE).exists()
    assert alert_store.refresh_dirty() == "all"
    assert AlertRefresh.objects.get().as_of == timezone.localdate()
    assert_stored_equals_scratch()


def test_writes_enqueue_one_task_while_one_waits(demo, monkeypatch, settings):
    """With the database task backend (the worker's), a task waiting in the queue takes every
    later write with it: no second task is enqueued until it has started."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    path = alert_store.refresh_alerts_task.module_path
    calls = []

    def enqueue():
        calls.append(1)
        DBTaskResult.objects.create(
            task_path=path,
            args_kwargs={"args": [], "kwargs": {}},
            backend_name="default",
            run_after=timezone.now(),
        )

    monkeypatch.setattr(
        alert_store, "refresh_alerts_task", types.SimpleNamespace(module_path=path, enqueue=enqueue)
    )
    for _ in range(3):
        alert_store._enqueue()
    assert calls == [1]
    DBTaskResult.objects.update(status="RUNNING")  # the worker took it: the next write enqueues
    alert_store._enqueue()
    assert calls == [1, 1]


def test_the_cli_refreshes(demo):
    import io
    import json

    from django.core.management import call_command

    StoredAlert.objects.all().delete()
    out = io.StringIO()
    call_command("alerts", "refresh", "--json", stdout=out)
    assert json.loads(out.getvalue())["stored"] == StoredAlert.objects.count() > 0
    out = io.StringIO()
    call_command("alerts", "pending", "--json", stdout=out)
    assert json.loads(out.getvalue())["accounts_waiting"] == 0


# --- Query counts: the same at 3 and at 30 accounts -------------------------------------------


def _grow(n, kam):
    from tests.factories import CustomerFactory, SalesLineFactory

    for i in range(n):
        c = CustomerFactory(name=f"Cuenta {i:03d}", status=CustomerStatus.KEY_ACCOUNT, owner=kam)
        SalesLineFactory(customer=c)


@pytest.mark.parametrize(
    "page", ["home", "programme:alerts", "programme:dashboard", "customers:detail"]
)
def test_pages_read_stored_alerts_at_a_constant_number_of_queries(
    page, client_for, director, ana, django_assert_max_num_queries
):
    _grow(3, ana)
    client = client_for(director)

    def url():
        if page == "customers:detail":
            return reverse(page, args=[Customer.objects.order_by("-pk").first().pk])
        return reverse(page)

    client.get(url())  # computes the stored alerts (first view), warms the session
    with django_assert_max_num_queries(500) as small:
        assert client.get(url()).status_code == 200
    n = len(small.captured_queries)
    _grow(27, ana)
    client.get(url())  # the first view after the writes recomputes the 27 new accounts
    with django_assert_max_num_queries(n):
        assert client.get(url()).status_code == 200


def test_the_cli_names_the_customers_it_refreshed(account):
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("alerts", "refresh", "--customer", "76123456-0", "--json", stdout=out)
    assert json.loads(out.getvalue())["customers"] == [
        {
            "id": account.pk,
            "tax_id": account.tax_id,
            "external_id": account.external_id,
            "name": account.name,
        }
    ]
    out = io.StringIO()
    call_command("alerts", "refresh", "--json", stdout=out)
    assert json.loads(out.getvalue())["customers"] is None  # every key account and candidate


# --- A large programme: the account's alerts in the request, the programme's by the worker ----


@pytest.fixture
def over_cap(demo, django_capture_on_commit_callbacks):
    """The demo beyond its cap of key accounts (the cap's alert stored, no customer)."""
    from tests.factories import CustomerFactory

    with django_capture_on_commit_callbacks(execute=True):
        for i in range(12):
            CustomerFactory(name=f"Clave {i:02d}", status=CustomerStatus.KEY_ACCOUNT)
    assert _cap_message()
    return demo


def _cap_message() -> str:
    rows = [
        r for r in StoredAlert.objects.filter(customer_id__isnull=True) if r.kind == "beyond_cap"
    ]
    assert len(rows) <= 1
    return rows[0].texts["en"]["message"] if rows else ""


def test_a_large_programme_reads_the_changed_accounts_at_once_and_leaves_the_sums_to_the_worker(
    over_cap, monkeypatch, django_capture_on_commit_callbacks
):
    """At 100,000 customers with KAMs logging all day, the pages over the whole programme read
    what the worker stored; the account's own page recomputes that account at once; the alerts
    without a customer (the cap, a KAM's load: sums over the whole programme) are the worker's."""
    monkeypatch.setattr(alert_store, "INLINE_PROGRAMME", 0)  # as with a large programme
    enqueued = []
    monkeypatch.setattr(alert_store, "_enqueue", lambda: enqueued.append(1))
    cap_before = _cap_message()
    candidate = _candidate()
    with django_capture_on_commit_callbacks(execute=True):
        candidate.status = CustomerStatus.KEY_ACCOUNT
        candidate.save()
    assert enqueued, "the write asked the worker"

    # The programme's pages read what is stored: the worker recomputes the account.
    assert Customer.objects.count() > alert_store.INLINE_CUSTOMERS
    alert_store.stored_alerts(Customer.objects.all(), programme=True)
    assert AlertDirty.objects.filter(customer_id=candidate.pk).exists()
    # The account's own page recomputes it.
    alert_store.stored_alerts(Customer.objects.filter(pk=candidate.pk))
    with translation.override("en"):
        scratch = collect(Customer.objects.all(), timezone.localdate(), programme=True)
    ours = sorted(_fields(a) for a in scratch if a.customer_id == candidate.pk)
    stored = sorted(
        _fields(alert_store._alert(row, "en"))
        for row in StoredAlert.objects.filter(customer_id=candidate.pk)
    )
    assert ours and stored == ours, "the changed account's alerts are read at once"
    # The cap's alert still counts the key accounts as they were: that sum is the worker's.
    assert _cap_message() == cap_before
    assert set(AlertDirty.objects.values_list("customer_id", flat=True)) == {
        alert_store.PROGRAMME_ONLY
    }

    alert_store.refresh_dirty()  # the worker's task
    assert _cap_message() != cap_before
    assert_stored_equals_scratch()


def _account_alerts(account) -> list[tuple]:
    return sorted(
        _fields(alert_store._alert(row, "en"))
        for row in StoredAlert.objects.filter(customer_id=account.pk)
    )


def _account_scratch(account) -> list[tuple]:
    with translation.override("en"):
        found = collect(Customer.objects.all(), timezone.localdate(), programme=True)
    return sorted(_fields(a) for a in found if a.customer_id == account.pk)


def test_in_a_large_programme_a_change_is_recomputed_on_its_authors_page_alone(
    over_cap, monkeypatch, client, django_capture_on_commit_callbacks
):
    """A KAM logging all day must not make every colleague whose page shows the account
    recompute it (a team member's home of 50 accounts): the author's next page recomputes it at
    once, anyone else's reads what is stored until the worker has run. A write by API token is
    its user's, as on a page."""
    from kamp.connect import actions as connect_actions

    monkeypatch.setattr(alert_store, "INLINE_PROGRAMME", 0)  # as with a large programme
    monkeypatch.setattr(alert_store, "_enqueue", lambda: None)  # the worker is busy
    account = _key_account(over_cap)
    kam, director = account.owner, over_cap.users["director"]
    contact = account.contacts.first()
    client.force_login(kam)
    before = _account_alerts(account)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("interactions:create", args=[account.pk]),
            {
                "quick": "1",
                "date": timezone.localdate().isoformat(),
                "kind": "call",
                "topic": "Seguimiento",
                "our_people": str(kam.pk),
                "their_contacts": str(contact.pk),
            },
        )
    assert r.status_code in (200, 302), r.content
    marks = AlertDirty.objects.filter(customer_id=account.pk)
    assert set(marks.values_list("marked_by", flat=True)) == {kam.pk}

    # A colleague's page showing the account reads what is stored: the worker's to recompute.
    alert_store.stored_alerts(Customer.objects.filter(pk=account.pk), user=director)
    assert marks.exists() and _account_alerts(account) == before
    # The author's own page recomputes it at once.
    alert_store.stored_alerts(Customer.objects.filter(pk=account.pk), user=kam)
    assert not marks.exists()
    assert _account_alerts(account) == _account_scratch(account)

    # Through the API with a personal token: the mark is the token's user's.
    _t, secret = connect_actions.do_create_token(kam, name="CRM", scope="write", days=5)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/api/v1/interactions/customers/{account.pk}/interactions",
            data=json.dumps(
                {
                    "date": timezone.localdate().isoformat(),
                    "topic": "Llamada",
                    "our_people": [kam.pk],
                    "their_contacts": [contact.pk],
                }
            ),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
    assert r.status_code == 201, r.content
    assert set(marks.values_list("marked_by", flat=True)) == {kam.pk}
    # Outside a request (the worker, a command) nobody is the author.
    with django_capture_on_commit_callbacks(execute=True):
        alert_store.mark_dirty([account.pk])
    assert set(marks.values_list("marked_by", flat=True)) == {kam.pk, None}


def test_an_areas_programme_alerts_are_the_alerts_without_a_customer_it_raises(over_cap):
    """``programme_alerts`` (what the refresh after one account's change recomputes over the
    whole programme) says exactly what the area's full check says without a customer; an area
    without it raises no alert without a customer (the refresh would never recompute it)."""
    from kamp.core import alerts as core_alerts

    today = timezone.localdate()
    scope = Customer.objects.filter(status__in=core_alerts.SCOPED_STATUSES)
    raised = set()
    for module in core_alerts.alert_modules():
        if not callable(getattr(module, "alerts", None)):
            continue
        with translation.override("en"):
            full = [a for a in module.alerts(scope, today) if a.customer_id is None]
            hook = getattr(module, "programme_alerts", None)
            only = hook(scope, today) if hook else []
        assert [_fields(a) for a in only] == [_fields(a) for a in full], module.__name__
        raised |= {a.kind for a in only}
    assert {"beyond_cap", "salesperson_only"} <= raised  # the selection's and the team's


@pytest.mark.parametrize(
    ("write", "programme"),
    [(write_interaction, False), (write_plan_action, False), (write_owner, True)],
)
def test_only_a_write_that_can_change_the_programmes_alerts_marks_them(
    demo, monkeypatch, django_capture_on_commit_callbacks, write, programme
):
    """A KAM's working day (an interaction, a plan action) recomputes its account alone; a new
    owner can change a KAM's load, so the programme's own alerts are recomputed too."""
    monkeypatch.setattr(alert_store, "_enqueue", lambda: None)  # the worker has not run yet
    AlertDirty.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        write(demo)
    marked = set(AlertDirty.objects.values_list("customer_id", flat=True))
    assert (alert_store.PROGRAMME_ONLY in marked) is programme
    assert marked - {alert_store.PROGRAMME_ONLY}, "the account itself is marked"
    alert_store.refresh_dirty()
    assert_stored_equals_scratch()


def test_an_accounts_refresh_prices_only_that_account(over_cap, monkeypatch):
    """After a KAM's interaction the worker recomputes the account's alerts alone: the cap's
    alert an area raises on the way (its value at stake the sum over every key account) is not
    priced to be dropped — that was most of each refresh at 500 key accounts."""
    from kamp.economics import alerts as economics_alerts

    priced: list[list[int]] = []
    real = economics_alerts.value_at_stake

    def recording(ids, as_of):
        priced.append(list(ids))
        return real(ids, as_of)

    monkeypatch.setattr(economics_alerts, "value_at_stake", recording)
    account = _key_account(over_cap)
    AlertDirty.objects.all().delete()
    alert_store.mark_dirty([account.pk])
    alert_store.refresh_dirty()
    assert priced and all(ids == [account.pk] for ids in priced)
    assert_stored_equals_scratch()


def test_a_deleted_customers_alerts_leave_the_inbox_at_once(demo, director, monkeypatch):
    """The pages over every customer read the stored alerts without checking each customer:
    a deleted customer's alerts go with it, before the worker runs."""
    from kamp.customers.actions import do_delete_customer

    monkeypatch.setattr(alert_store, "_enqueue", lambda: None)  # the worker has not run yet
    customer = _key_account(demo)
    pk = customer.pk
    assert StoredAlert.objects.filter(customer_id=pk).exists()
    assert any(
        a.customer_id == pk
        for a in alert_store.stored_alerts(Customer.objects.all(), user=director, programme=True)
    )
    do_delete_customer(director, customer)
    assert not StoredAlert.objects.filter(customer_id=pk).exists()
    assert all(
        a.customer_id != pk
        for a in alert_store.stored_alerts(Customer.objects.all(), user=director, programme=True)
    )


def test_a_refresh_does_not_store_again_the_alerts_of_a_customer_deleted_meanwhile(
    demo, director, monkeypatch
):
    from kamp.customers.actions import do_delete_customer

    customer = _key_account(demo)
    pk = customer.pk
    real = alert_store._compute

    def compute_then_delete(*args, **kwargs):
        found = real(*args, **kwargs)
        if not Customer.objects.filter(pk=pk).exists():
            return found  # the other language's pass
        assert any(a.customer_id == pk for a in found[0])
        # Deleted by someone else while the refresh computes (their process is not computing).
        alert_store._computing.active = False
        try:
            do_delete_customer(director, Customer.objects.get(pk=pk))
        finally:
            alert_store._computing.active = True
        return found

    monkeypatch.setattr(alert_store, "_compute", compute_then_delete)
    alert_store.refresh_alerts([pk])
    assert not StoredAlert.objects.filter(customer_id=pk).exists()
