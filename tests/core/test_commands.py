"""The ``kamp`` command: createuser, demo, serve, worker and the help listing."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kamp.core import demo
from kamp.core.models import AuditEvent, SiteSettings, User
from kamp.customers.models import Contact, Customer, CustomerStatus
from kamp.economics.models import SalesLine
from kamp.team.models import AccountTeamMember


def run(*args, stdin: str | None = None, monkeypatch=None) -> str:
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
class TestCreateUser:
    def test_creates_a_kam_from_stdin(self, monkeypatch):
        out = run(
            "createuser",
            "Nora@Example.com",
            "--role",
            "kam",
            "--name",
            "Nora Paz",
            "--function",
            "sales",
            "--password-stdin",
            stdin="long-secret-9\n",
            monkeypatch=monkeypatch,
        )
        user = User.objects.get(email="nora@example.com")
        assert "Created nora@example.com" in out
        assert (user.role, user.name, user.function) == ("kam", "Nora Paz", "sales")
        assert user.check_password("long-secret-9")
        assert not user.is_staff
        assert AuditEvent.objects.filter(object_type="core.user", action="create").exists()

    def test_an_admin_may_use_the_django_admin(self, monkeypatch):
        run(
            "createuser",
            "root@example.com",
            "--role",
            "admin",
            "--password-stdin",
            stdin="long-secret-9\n",
            monkeypatch=monkeypatch,
        )
        user = User.objects.get(email="root@example.com")
        assert user.is_staff and user.is_superuser and user.is_admin

    @pytest.mark.parametrize(
        "args, message",
        [
            (
                ["x@example.com", "--role", "boss"],
                "Unknown role “boss”. Choose one of: admin, director",
            ),
            (["x@example.com", "--role", "kam", "--function", "hr"], "Unknown function “hr”"),
            (["not-an-email", "--role", "kam"], "is not an e-mail address"),
            (["x@example.com", "--role", "kam", "--language", "fr"], "Language must be es or en"),
        ],
    )
    def test_clear_errors(self, monkeypatch, args, message):
        with pytest.raises(CommandError, match=message):
            run(
                "createuser",
                *args,
                "--password-stdin",
                stdin="long-secret-9\n",
                monkeypatch=monkeypatch,
            )
        assert not User.objects.exists()

    def test_refuses_a_duplicate_and_a_weak_password(self, monkeypatch, ana):
        with pytest.raises(CommandError, match="already exists"):
            run(
                "createuser",
                ana.email.upper(),
                "--role",
                "kam",
                "--password-stdin",
                stdin="long-secret-9\n",
                monkeypatch=monkeypatch,
            )
        with pytest.raises(CommandError, match="Password refused"):
            run(
                "createuser",
                "new@example.com",
                "--role",
                "kam",
                "--password-stdin",
                stdin="short\n",
                monkeypatch=monkeypatch,
            )

    def test_without_a_terminal_asks_for_password_stdin(self, monkeypatch):
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        with pytest.raises(CommandError, match="--password-stdin"):
            call_command("createuser", "x@example.com", "--role", "viewer", stdout=io.StringIO())

    def test_asks_twice_with_getpass(self, monkeypatch):
        answers = iter(["long-secret-9", "long-secret-9"])
        monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
        fake_stdin = io.StringIO()
        fake_stdin.isatty = lambda: True  # type: ignore[method-assign]
        monkeypatch.setattr(sys, "stdin", fake_stdin)
        call_command("createuser", "t@example.com", "--role", "viewer", stdout=io.StringIO())
        assert User.objects.get(email="t@example.com").check_password("long-secret-9")


@pytest.mark.django_db
class TestDemo:
    def test_loads_the_story_once(self):
        out = run("demo", "--no-serve")
        assert "Demo data loaded" in out
        assert "kamp-demo" in out and "ana.morales@saf.cl" in out
        site = SiteSettings.load()
        assert (site.company_name, site.size_class, site.base_currency) == (
            "SAF Asesorías",
            "sme",
            "CLP",
        )
        cs = Customer.objects.get(name="Constructora CS")
        ana = User.objects.get(email="ana.morales@saf.cl")
        assert cs.owner == ana and cs.status == CustomerStatus.KEY_ACCOUNT
        assert 35 <= Customer.objects.count() <= 50
        key_accounts = Customer.objects.filter(status=CustomerStatus.KEY_ACCOUNT)
        assert 7 <= key_accounts.count() <= 10
        assert set(key_accounts.values_list("owner__email", flat=True)) == {
            "ana.morales@saf.cl",
            "bruno.diaz@saf.cl",
            "carla.soto@saf.cl",
        }
        assert Customer.objects.filter(status=CustomerStatus.FORMER).exists()
        assert Customer.objects.filter(parent__isnull=False).count() >= 4
        emails = set(cs.contacts.values_list("email", flat=True))
        assert emails == {
            f"{k}@cs.cl"
            for k in [
                "jorge.perez",
                "maria.gonzalez",
                "andres.silva",
                "paula.herrera",
                "camila.vera",
                "tomas.rios",
            ]
        }
        jorge = cs.contacts.get(email="jorge.perez@cs.cl")
        assert jorge.dmu_roles == ["buyer"] and jorge.reports_to.email == "maria.gonzalez@cs.cl"
        andres = cs.contacts.get(email="andres.silva@cs.cl")
        assert set(andres.dmu_roles) == {"decider", "champion"}
        team = {(m.user.email, m.role) for m in AccountTeamMember.objects.filter(customer=cs)}
        assert ("felipe.araya@saf.cl", "member") in team
        assert ("rodrigo.lagos@saf.cl", "sponsor") in team
        assert ("patricia.rojas@saf.cl", "sponsor") in team
        # Three years of monthly sales, skewed: the top five carry most of the revenue.
        assert SalesLine.objects.count() > 1500
        assert Contact.objects.count() > 100
        for customer in Customer.objects.all():
            customer.full_clean()  # valid RUTs, sizes, currencies
        # Running it again reuses what exists.
        out = run("demo", "--no-serve")
        assert "already there" in out
        assert Customer.objects.filter(name="Constructora CS").count() == 1

    @pytest.mark.django_db(transaction=True)
    def test_reset_rebuilds(self):
        # transaction=True: --reset flushes (TRUNCATE on PostgreSQL), which cannot run inside
        # the test's own transaction with deferred constraints pending.
        run("demo", "--no-serve")
        Customer.objects.filter(name="Constructora CS").update(notes="changed")
        out = run("demo", "--no-serve", "--reset", "--yes")
        assert "Demo data loaded" in out
        assert Customer.objects.get(name="Constructora CS").notes != "changed"

    def test_people_keys(self):
        ctx = demo.load(log=lambda _msg: None, modules=[])
        assert ctx is not None
        assert set(ctx.users) == {
            "admin",
            "director",
            "ana",
            "bruno",
            "carla",
            "felipe",
            "rodrigo",
            "lucia",
            "viewer",
        }
        assert ctx.users["director"].name == "Patricia Rojas"
        assert ctx.users["viewer"].name == "Víctor Vega"
        assert ctx.customers["cs"].name == "Constructora CS"
        assert ctx.contacts["tomas.rios"].dmu_roles == ["gatekeeper"]
        for key in ("admin", "director", "ana", "felipe", "viewer"):
            assert ctx.users[key].check_password("kamp-demo")

    def test_runs_the_registered_parts_in_their_declared_order(self, monkeypatch):
        from kamp.core.registry import registry

        # Only fake parts besides the base ones: the order is what is being checked.
        demo.parts()  # the apps' parts discovered, whichever test ran first in this process
        kept = {k: p for k, p in registry["demo_parts"].items() if p.base}
        monkeypatch.setitem(registry, "demo_parts", kept)
        monkeypatch.setattr(demo, "discover", lambda name: [])
        calls = []

        @demo.part(order=300, name="late")
        def late(ctx):
            calls.append(("late", ctx.customers["cs"].name))

        @demo.part(order=200, name="early")
        def early(ctx):
            calls.append(("early", ctx.contacts["jorge.perez"].email))

        out = run("demo", "--no-serve")
        assert calls == [("early", "jorge.perez@cs.cl"), ("late", "Constructora CS")]
        assert "+ early" in out and "+ late" in out

    def test_modules_choose_the_parts_beyond_the_base(self, monkeypatch):
        from kamp.core.registry import registry

        demo.parts()  # the apps' parts discovered, whichever test ran first in this process
        kept = {k: p for k, p in registry["demo_parts"].items() if p.base}
        monkeypatch.setitem(registry, "demo_parts", kept)
        monkeypatch.setattr(demo, "discover", lambda name: [])
        calls = []
        demo.part(order=200, name="wanted")(lambda ctx: calls.append("wanted"))
        demo.part(order=210, name="unwanted")(lambda ctx: calls.append("unwanted"))
        ctx = demo.load(log=lambda _msg: None, modules=["wanted"])
        assert ctx is not None and calls == ["wanted"]
        # The base parts ran all the same: customers, contacts, CS's team, sales.
        assert SalesLine.objects.filter(customer=ctx.customers["cs"]).exists()
        assert AccountTeamMember.objects.filter(customer=ctx.customers["cs"]).count() == 3

    def test_every_app_declares_its_part_in_the_known_order(self):
        names = [p.name for p in demo.parts()]
        assert names == [
            "kamp.customers.demo",
            "kamp.team.demo:base",
            "kamp.economics.demo:sales",
            "kamp.team.demo",
            "kamp.economics.demo",
            "kamp.selection.demo",
            "kamp.interactions.demo",
            "kamp.relationships.demo",
            "kamp.plans.demo",
            "kamp.programme.demo",
            "kamp.pipeline.demo",
            "kamp.selection.demo:reciprocity",
        ]

    def test_fast_enough(self):
        import time

        start = time.monotonic()
        demo.load(log=lambda _msg: None, modules=[])
        assert time.monotonic() - start < 15


@pytest.mark.django_db
def test_serve_dry_run_prepares_and_prints_gunicorn(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    # Plain copies: compressing plotly.js is what a real first start spends its time on.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    out = run("serve", "--dry-run", "--workers", "3", "--bind", "0.0.0.0:9000")
    assert "gunicorn kamp.wsgi:application --bind 0.0.0.0:9000 --workers 3" in out
    assert (tmp_path / "static" / "kamp" / "kamp.css").exists()


@pytest.mark.django_db
def test_serve_refuses_zero_workers():
    with pytest.raises(CommandError, match="at least 1"):
        run("serve", "--dry-run", "--workers", "0")


def test_worker_is_the_django_tasks_db_worker():
    from django_tasks_db.management.commands.db_worker import Command as DbWorker

    from kamp.core.management.commands.worker import Command

    assert issubclass(Command, DbWorker)
    help_text = Command().create_parser("kamp", "worker").format_help()
    assert "--batch" in help_text and "background task worker" in help_text


def test_kamp_help_lists_every_command(capsys, monkeypatch):
    from kamp import cli

    monkeypatch.setattr(sys, "argv", ["kamp", "--help"])
    cli.main()
    text = capsys.readouterr().out
    for name in ("demo", "serve", "worker", "createuser", "migrate", "import"):
        assert name in text
