"""The standard people every view is tested with (architecture.md, practice 5):

- ``admin``, ``director``, ``viewer``;
- KAM ``ana``, who owns ``account`` (a key account);
- KAM ``bruno``, who owns nothing of it;
- ``member`` (logistics), on ``account``'s team;
- ``anonymous``: the plain, logged-out client.

``client_for(person)`` gives a logged-in test client.
"""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from kamp.core.choices import Function, Role
from kamp.customers.models import CustomerStatus

from .factories import CustomerFactory, TeamMemberFactory, UserFactory

PASSWORD = "pw-kamp-123"

# Properties are about results, not speed: kamp's speed is measured by the benchmarks in bench/.
# Hypothesis' default 200 ms deadline per example only measures how busy the machine is (two
# xdist workers, a database server and a browser share two cores), so it is off for every test.
hypothesis_settings.register_profile("kamp", deadline=None)
hypothesis_settings.load_profile("kamp")


def pytest_configure(config):
    """Compile the message catalogues (``.mo`` files are not committed) once, before any
    xdist worker starts, so Spanish pages work however the suite is run."""
    if not hasattr(config, "workerinput"):
        from kamp.i18n import compile_all

        compile_all()


# Every table's ids start here in the test databases, on SQLite as on PostgreSQL: an id printed
# where markup needs it raw (``value="{{ c.pk }}"``, ``id="contact-{{ c.pk }}"``) comes out
# grouped like any number shown to people (``1,000,001``) and breaks the page in every test,
# not only once a long run has pushed PostgreSQL's sequences past 999 (its sequences are not
# rolled back with a test's transaction; SQLite's are). Print ids with ``|unlocalize``.
FIRST_ID = 1_000_001


def _ids_past_a_million(**kwargs) -> None:
    """Move every id sequence still below FIRST_ID up to it (after the test database is made,
    and after a flush that restarted them: ``kamp demo --reset``)."""
    from django.apps import apps
    from django.db import connection
    from django.db.models.fields import AutoFieldMixin

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(format('%%I.%%I', schemaname, sequencename), %s, false) "
                "FROM pg_sequences WHERE coalesce(last_value, 0) < %s",
                [FIRST_ID, FIRST_ID],
            )
        elif connection.vendor == "sqlite":  # AUTOINCREMENT tables count in sqlite_sequence
            for model in apps.get_models(include_auto_created=True):
                meta = model._meta
                if meta.managed and not meta.proxy and isinstance(meta.pk, AutoFieldMixin):
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) SELECT %s, 0 WHERE NOT EXISTS "
                        "(SELECT 1 FROM sqlite_sequence WHERE name = %s)",
                        [meta.db_table, meta.db_table],
                    )
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = %s WHERE seq < %s", [FIRST_ID - 1, FIRST_ID - 1]
            )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.apps import apps
    from django.db.models.signals import post_migrate

    with django_db_blocker.unblock():
        _ids_past_a_million()
    # A flush (a transactional test's teardown, ``kamp demo --reset``) ends with post_migrate,
    # sent once per app: listen to one.
    post_migrate.connect(_ids_past_a_million, sender=apps.get_app_config("core"))
    yield
    post_migrate.disconnect(_ids_past_a_million, sender=apps.get_app_config("core"))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (filter menus and the like are cached)."""
    from django.core.cache import cache

    from kamp.selection import engine

    cache.clear()
    engine.forget()  # the runs and customer counts this process holds, by fingerprint
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language: a test that renders Spanish (a request
    with a Spanish cookie, a command run as a Spanish-speaking user) must not leave the worker's
    thread speaking Spanish to the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def admin(db):
    return UserFactory(
        email="admin@supplier.test",
        name="Admin",
        role=Role.ADMIN,
        function=Function.MANAGEMENT,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def director(db):
    return UserFactory(
        email="director@supplier.test",
        name="Diana Director",
        role=Role.DIRECTOR,
        function=Function.MANAGEMENT,
    )


@pytest.fixture
def ana(db):
    return UserFactory(email="ana@supplier.test", name="Ana KAM", role=Role.KAM)


@pytest.fixture
def bruno(db):
    return UserFactory(email="bruno@supplier.test", name="Bruno KAM", role=Role.KAM)


@pytest.fixture
def member(db):
    return UserFactory(
        email="member@supplier.test",
        name="Marta Logistics",
        role=Role.MEMBER,
        function=Function.LOGISTICS,
    )


@pytest.fixture
def viewer(db):
    return UserFactory(email="viewer@supplier.test", name="Victor Viewer", role=Role.VIEWER)


@pytest.fixture
def account(db, ana, member):
    """Ana's key account, with Marta on its team."""
    customer = CustomerFactory(
        name="Constructora CS", tax_id="76.123.456-0", status=CustomerStatus.KEY_ACCOUNT, owner=ana
    )
    TeamMemberFactory(customer=customer, user=member)
    return customer


@pytest.fixture
def other_account(db, bruno):
    """A customer Ana has nothing to do with (Bruno owns it)."""
    return CustomerFactory(name="Minera Norte", status=CustomerStatus.KEY_ACCOUNT, owner=bruno)


@pytest.fixture
def client_for(db):
    def make(user) -> Client:
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make


@pytest.fixture
def anonymous():
    return Client()
