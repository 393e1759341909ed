"""Mail capture's pages: the admin sets up the dropbox (the password never shown again nor
audited), checks it now against the real Dovecot and sees its state; each person resolves their
own waiting mail; the Connections pages show the mailbox's state."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from kamp.core.models import AuditEvent
from kamp.interactions.models import Interaction, InteractionKind
from kamp.mailcapture.models import CapturedMessage, Mailbox, Status
from tests.mailcapture import messages as m

pytestmark = pytest.mark.django_db

SECRET = "dropbox-secret-1"
ANA = ("Ana KAM", "ana@supplier.test")
JOSE = ("José Muñoz", "jose.munoz@cs.test")


def test_the_admin_sets_up_the_mailbox_and_checks_it_now(
    client_for, admin, dovecot, imap_user, settings, account, ana, jose
):
    settings.KAMP_MAIL_CA_FILE = str(dovecot.cafile)
    c = client_for(admin)
    url = reverse("mailcapture:mailbox")
    form = {
        "host": "127.0.0.1",
        "port": dovecot.imaps_port,
        "security": "tls",
        "username": imap_user,
        "password": SECRET,
        "folder": "INBOX",
        "address": "registro@supplier.test",
        "max_megabytes": 10,
        "enabled": "on",
    }
    assert c.post(url, form).status_code == 302
    box = Mailbox.load()
    assert box.configured and SECRET not in box.password_encrypted
    page = c.get(url).content.decode()
    assert SECRET not in page
    assert not AuditEvent.objects.filter(changes__icontains=SECRET).exists()

    # Saved again without a password: the stored one is kept.
    assert c.post(url, {**form, "password": "", "max_megabytes": 5}).status_code == 302
    assert Mailbox.load().password_encrypted == box.password_encrypted

    dovecot.append(imap_user, m.plain(ANA, JOSE, "Reunión de avance"))
    c.post(reverse("mailcapture:mailbox_check"))  # the tests' task backend runs it at once
    assert Interaction.objects.get().topic == "Reunión de avance"
    page = c.get(url).content.decode()
    assert "Last check" in page and "logged: 1" in page

    # A wrong password: the error is shown on the page and on the Connections page.
    c.post(url, {**form, "password": "wrong-one"})
    c.post(reverse("mailcapture:mailbox_check"))
    assert "refused the user name or the password" in c.get(url).content.decode()
    connections = c.get(reverse("connect:admin")).content.decode()
    assert "refused the user name or the password" in connections
    assert "wrong-one" not in connections


def test_invalid_settings_are_refused_with_a_message(client_for, admin):
    c = client_for(admin)
    r = c.post(
        reverse("mailcapture:mailbox"),
        {"host": "", "port": 70000, "security": "tls", "username": "x", "folder": "INBOX"},
    )
    assert r.status_code == 200
    assert not Mailbox.objects.exists()
    page = r.content.decode()
    assert "This field is required." in page or "required" in page
    assert "65535" in page


def _waiting(sender, subject="Visita a obra", key="<w1@x>") -> CapturedMessage:
    return CapturedMessage.objects.create(
        key=key,
        status=Status.UNMATCHED,
        subject=subject,
        topic=subject,
        addresses=[
            {"email": "ana@supplier.test", "name": "Ana KAM"},
            {"email": "pedro@cs.test", "name": "Pedro Nuevo"},
        ],
        sender=sender,
        reason="None of its people is a customer contact.",
    )


def test_each_person_resolves_only_their_own_waiting_mail(client_for, ana, bruno, account):
    visit = _waiting(ana)
    offer = _waiting(ana, "Oferta", "<w2@x>")
    page = client_for(ana).get(reverse("mailcapture:inbox")).content.decode()
    assert "Visita a obra" in page and "Oferta" in page
    assert (
        "Visita a obra" not in client_for(bruno).get(reverse("mailcapture:inbox")).content.decode()
    )
    assert (
        client_for(bruno).post(reverse("mailcapture:dismiss", args=[visit.pk])).status_code == 404
    )

    c = client_for(ana)
    c.post(reverse("mailcapture:assign", args=[visit.pk]), {"customer": account.pk})
    i = Interaction.objects.get()
    assert (i.customer, i.kind, i.topic) == (account, InteractionKind.EMAIL, "Visita a obra")
    assert [x.email for x in i.their_contacts.all()] == ["pedro@cs.test"]
    assert list(i.our_people.all()) == [ana]
    c.post(reverse("mailcapture:dismiss", args=[offer.pk]))
    offer.refresh_from_db()
    assert offer.status == Status.DISMISSED
    page = c.get(reverse("mailcapture:inbox")).content.decode()
    assert "Nothing waiting" in page


def test_logging_on_a_customer_one_may_not_edit_is_refused(client_for, bruno, account):
    mail = _waiting(bruno)
    r = client_for(bruno).post(
        reverse("mailcapture:assign", args=[mail.pk]), {"customer": account.pk}, follow=True
    )
    assert r.status_code == 200
    assert not Interaction.objects.exists()
    mail.refresh_from_db()
    assert mail.status == Status.UNMATCHED


def test_the_connections_page_shows_the_mailbox_and_what_waits(client_for, ana, admin):
    Mailbox.objects.create(
        host="imap.example.test",
        username="registro",
        password_encrypted="x",
        address="registro@supplier.test",
    )
    _waiting(ana)
    page = client_for(ana).get(reverse("connect:home")).content.decode()
    assert "registro@supplier.test" in page
    assert reverse("mailcapture:inbox") in page
    assert reverse("mailcapture:mailbox") not in page  # the settings are the admin's
    assert (
        reverse("mailcapture:mailbox")
        in client_for(admin).get(reverse("connect:home")).content.decode()
    )


@pytest.mark.parametrize("name", ["mailcapture:inbox", "mailcapture:mailbox"])
def test_pages_in_spanish(client_for, admin, name):
    _waiting(admin)
    c = client_for(admin)
    with translation.override("es"):
        c.cookies["django_language"] = "es"
        page = c.get(reverse(name), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    for english in ("Mail to resolve", "Dropbox mailbox", "Dismiss", "Check now", "Waiting"):
        assert english not in page
