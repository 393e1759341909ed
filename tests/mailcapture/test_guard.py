"""The dropbox's IMAP server goes through the private-address guard (kamp.connect.netguard) as
the webhooks, CalDAV servers and calendar feeds do: a host that leads to this machine or a
private network is refused when the mailbox is saved (beside the field, in English and
Spanish) and at every connection (the check stopped, its reason stored as the mailbox's last
error), unless the operator allows it — against the real Dovecot on 127.0.0.1."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kamp.interactions.models import Interaction
from kamp.mailcapture import actions, sync
from kamp.mailcapture.models import Mailbox
from tests.mailcapture import messages as m

pytestmark = pytest.mark.django_db

PRIVATE_SAID = "an address of a private network or of this server"
PRIVATE_SAID_ES = "una dirección de una red privada"
ANA = ("Ana KAM", "ana@supplier.test")
JOSE = ("José Muñoz", "jose.munoz@cs.test")


def _form(dovecot, imap_user, host="127.0.0.1", **extra):
    return {
        "host": host,
        "port": dovecot.imaps_port,
        "security": "tls",
        "username": imap_user,
        "password": "dropbox-secret-1",
        "folder": "INBOX",
        "address": "registro@supplier.test",
        "max_megabytes": 10,
        "enabled": "on",
        **extra,
    }


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_mailbox_on_this_machine_is_refused_beside_the_server_field(
    client_for, admin, dovecot, imap_user, settings, host
):
    settings.KAMP_CONNECT_ALLOW_PRIVATE = False
    page = client_for(admin).post(reverse("mailcapture:mailbox"), _form(dovecot, imap_user, host))
    assert page.status_code == 200
    html = page.content.decode()
    assert PRIVATE_SAID in html and "127.0.0.1" in html
    # Beside the server field: the error under it is this one.
    beside = re.search(r'<small class="error" id="id_host_error">([^<]*)</small>', html)
    assert beside is not None and PRIVATE_SAID in beside.group(1)
    assert not Mailbox.objects.exists()
    with pytest.raises(ValidationError) as exc:
        actions.do_save_mailbox(
            admin, host=host, port=dovecot.imaps_port, username=imap_user, password="x"
        )
    assert PRIVATE_SAID in exc.value.message_dict["host"][0]


def test_the_refusal_in_spanish(client_for, admin, dovecot, imap_user, settings):
    settings.KAMP_CONNECT_ALLOW_PRIVATE = False
    client = client_for(admin)
    client.cookies["django_language"] = "es"
    page = client.post(reverse("mailcapture:mailbox"), _form(dovecot, imap_user))
    html = page.content.decode()
    beside = re.search(r'<small class="error" id="id_host_error">([^<]*)</small>', html)
    assert page.status_code == 200 and beside is not None
    assert PRIVATE_SAID_ES in beside.group(1)
    assert PRIVATE_SAID not in html
    assert not Mailbox.objects.exists()


def test_allowed_by_the_operator_it_is_saved_and_read(
    client_for, admin, dovecot, imap_user, settings, account, ana, jose
):
    settings.KAMP_MAIL_CA_FILE = str(dovecot.cafile)
    settings.KAMP_CONNECT_ALLOW_PRIVATE = False
    settings.KAMP_CONNECT_ALLOWED_NETWORKS = "127.0.0.0/8"  # the company's network, say
    r = client_for(admin).post(reverse("mailcapture:mailbox"), _form(dovecot, imap_user))
    assert r.status_code == 302
    dovecot.append(imap_user, m.plain(ANA, JOSE, "Visita a obra"))
    result = sync.sync()
    assert (result.logged, result.error) == (1, "")


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_each_connection_is_checked_again(
    mailbox, admin, dovecot, imap_user, settings, account, ana, jose, security
):
    """Saved while allowed (or a name that resolved elsewhere then): the check at the
    connection refuses it, says why as the mailbox's last error and reads nothing."""
    if security == "starttls":
        actions.do_save_mailbox(admin, security="starttls", port=dovecot.imap_port)
    dovecot.append(imap_user, m.plain(ANA, JOSE, "Visita a obra"))
    settings.KAMP_CONNECT_ALLOW_PRIVATE = False

    result = sync.sync()

    assert PRIVATE_SAID in result.error and "127.0.0.1" in result.error
    box = Mailbox.load()
    assert PRIVATE_SAID in box.last_error and box.consecutive_failures == 1
    assert box.last_uid == 0 and not Interaction.objects.exists()
    assert "dropbox-secret-1" not in box.last_error

    # Allowed again: the next check reads the mail.
    settings.KAMP_CONNECT_ALLOW_PRIVATE = True
    again = sync.sync()
    assert (again.logged, again.error) == (1, "")
    assert Mailbox.load().last_error == ""


def test_the_check_refused_is_shown_on_the_mailbox_page(client_for, mailbox, admin, settings):
    settings.KAMP_CONNECT_ALLOW_PRIVATE = False
    sync.sync()
    page = client_for(admin).get(reverse("mailcapture:mailbox")).content.decode()
    assert PRIVATE_SAID in page
