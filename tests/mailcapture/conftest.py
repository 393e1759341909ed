import pytest

from kamp.mailcapture import actions
from kamp.mailcapture.models import Mailbox
from tests.factories import ContactFactory
from tests.mailcapture import dovecot as dovecot_server

DROPBOX = "registro@supplier.test"


@pytest.fixture(scope="session")
def dovecot():
    """A real Dovecot on 127.0.0.1 for the session (skipped when it is not installed, unless
    KAMP_REQUIRE_DOVECOT=1)."""
    dovecot_server.require()
    server = dovecot_server.Dovecot().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _dovecot_on_this_machine(settings):
    """The test Dovecot listens on 127.0.0.1, which kamp refuses unless allowed (netguard): the
    operator's setting, as for a mail server on the company network."""
    settings.KAMP_CONNECT_ALLOW_PRIVATE = True
    settings.KAMP_CONNECT_ALLOWED_NETWORKS = ""


@pytest.fixture
def imap_user(dovecot):
    """A new, empty mailbox on the server."""
    return dovecot.new_user()


@pytest.fixture
def mailbox(db, dovecot, imap_user, admin, settings):
    """kamp's dropbox set up on ``imap_user`` over TLS."""
    settings.KAMP_MAIL_CA_FILE = str(dovecot.cafile)
    return actions.do_save_mailbox(
        admin,
        host="127.0.0.1",
        port=dovecot.imaps_port,
        security="tls",
        username=imap_user,
        password="dropbox-secret-1",
        address=DROPBOX,
    )


@pytest.fixture
def jose(account):
    """José Muñoz, the customer's purchasing manager."""
    return ContactFactory(customer=account, name="José Muñoz", email="jose.munoz@cs.test")


@pytest.fixture
def maria(account):
    return ContactFactory(customer=account, name="María González", email="maria@cs.test")


def reload() -> Mailbox:
    return Mailbox.load()
