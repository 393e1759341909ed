"""``kamp demo`` never mixes its accounts and customers into a real database, and ``--reset``
never erases one without a confirmation."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kamp.core import demo, demo_guard
from kamp.core.models import SiteSettings, User
from kamp.customers.models import Customer
from tests.factories import CustomerFactory


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def terminal(monkeypatch, answer: str) -> list[str]:
    """A stdin that is a terminal, answering ``answer``; returns the prompts shown."""
    fake = io.StringIO()
    fake.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdin", fake)
    prompts: list[str] = []

    def ask(prompt: str = "") -> str:
        prompts.append(prompt)
        return answer

    monkeypatch.setattr("builtins.input", ask)
    return prompts


@pytest.mark.django_db
class TestRefusesForeignData:
    def test_an_empty_database_gets_the_demo(self):
        assert demo_guard.foreign_data() == []
        assert "Demo data loaded" in run()

    def test_a_database_with_a_real_user_is_refused_and_left_as_it_was(self):
        User.objects.create_user("nora@acme.example", "long-secret-9", role="admin")
        with pytest.raises(CommandError) as err:
            run()
        message = str(err.value)
        assert "1 user that is not the demo's: nora@acme.example" in message
        assert "--reset" in message
        # Not one demo account, customer or setting was written.
        assert list(User.objects.values_list("email", flat=True)) == ["nora@acme.example"]
        assert not Customer.objects.exists()
        assert SiteSettings.load().company_name != demo.DEMO_COMPANY

    def test_names_the_customers_and_counts_them(self):
        for name in ["Acme", "Beta", "Gamma", "Delta"]:
            CustomerFactory(name=name)
        with pytest.raises(CommandError, match=r"4 customers that are not the demo's: Acme, Beta"):
            run()
        assert Customer.objects.count() == 4

    def test_renamed_company_settings_are_refused(self):
        site = SiteSettings.load()
        site.company_name = "Acme Ltda"
        site.base_currency = "EUR"
        site.save()
        with pytest.raises(CommandError, match="company settings for “Acme Ltda”"):
            run()
        site.refresh_from_db()
        assert (site.company_name, site.base_currency) == ("Acme Ltda", "EUR")

    def test_untouched_default_settings_are_fine(self):
        SiteSettings.load().save()
        assert demo_guard.foreign_data() == []

    def test_the_demos_own_database_is_kept_and_served(self):
        run()
        assert demo_guard.foreign_data() == []
        assert "already there" in run()

    def test_a_partial_demo_user_alone_is_the_demos(self):
        # A demo person left over (an interrupted first load) is not someone else's data.
        User.objects.create_user("ana.morales@saf.cl", "kamp-demo", role="kam")
        assert demo_guard.foreign_data() == []


@pytest.mark.django_db(transaction=True)
class TestResetConfirmation:
    # transaction=True: --reset flushes (TRUNCATE on PostgreSQL).

    def test_without_a_terminal_needs_yes(self, monkeypatch):
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        User.objects.create_user("nora@acme.example", "long-secret-9", role="admin")
        with pytest.raises(CommandError, match="add --yes"):
            run("--reset")
        assert User.objects.filter(email="nora@acme.example").exists()

    def test_yes_erases_and_loads(self, monkeypatch):
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        User.objects.create_user("nora@acme.example", "long-secret-9", role="admin")
        out = run("--reset", "--yes")
        assert "Demo data loaded" in out
        assert not User.objects.filter(email="nora@acme.example").exists()

    def test_a_terminal_is_asked_and_anything_but_yes_keeps_the_data(self, monkeypatch):
        prompts = terminal(monkeypatch, "y")
        User.objects.create_user("nora@acme.example", "long-secret-9", role="admin")
        with pytest.raises(CommandError, match="Nothing was erased"):
            run("--reset")
        assert prompts and "yes" in prompts[0]
        assert User.objects.filter(email="nora@acme.example").exists()

    def test_a_terminal_answering_yes_erases(self, monkeypatch):
        terminal(monkeypatch, "yes")
        User.objects.create_user("nora@acme.example", "long-secret-9", role="admin")
        out = run("--reset")
        assert "1 user(s) and 0 customer(s)" in out
        assert not User.objects.filter(email="nora@acme.example").exists()
        assert User.objects.filter(email="ana.morales@saf.cl").exists()


@pytest.mark.django_db
def test_bind_sets_where_the_server_listens(monkeypatch):
    from django.core.management.commands import runserver

    seen = {}
    monkeypatch.setattr(runserver.Command, "handle", lambda self, *a, **kw: seen.update(kw) or None)
    call_command("demo", "--bind", "0.0.0.0:8123", stdout=io.StringIO())
    assert seen["addrport"] == "0.0.0.0:8123"
