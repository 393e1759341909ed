import datetime

import pytest
from django.urls import reverse

from kamp.core.models import AuditEvent
from kamp.customers.models import Contact
from kamp.interactions.models import Interaction, InteractionSettings
from tests.factories import ContactFactory

from .factories import log

READERS = [
    ("admin", 200),
    ("director", 200),
    ("ana", 200),
    ("bruno", 200),
    ("member", 200),
    ("viewer", 200),
]
WRITERS = [
    ("admin", 200),
    ("director", 200),
    ("ana", 200),
    ("member", 200),
    ("bruno", 403),
    ("viewer", 403),
]


def get(client_for, request, person, url):
    return client_for(request.getfixturevalue(person)).get(url)


@pytest.mark.parametrize("person, status", READERS)
@pytest.mark.parametrize(
    "name", ["interactions:customer_tab", "interactions:coverage", "interactions:dmu"]
)
def test_who_reads_the_account_pages(request, client_for, account, cs_people, person, status, name):
    log(account, [account.owner], [cs_people["jorge"]])
    assert get(client_for, request, person, reverse(name, args=[account.pk])).status_code == status


@pytest.mark.parametrize(
    "name", ["interactions:customer_tab", "interactions:coverage", "interactions:dmu"]
)
def test_member_off_the_team_gets_404(client_for, member, other_account, name):
    assert client_for(member).get(reverse(name, args=[other_account.pk])).status_code == 404


@pytest.mark.parametrize("name", ["interactions:customer_tab", "interactions:risks"])
def test_anonymous_goes_to_login(anonymous, account, name):
    url = reverse(name, args=[account.pk]) if "customer" in name else reverse(name)
    r = anonymous.get(url)
    assert r.status_code == 302 and "/login/" in r["Location"]


@pytest.mark.parametrize("person, status", WRITERS)
def test_who_may_log(request, client_for, account, cs_people, person, status):
    assert (
        get(
            client_for, request, person, reverse("interactions:create", args=[account.pk])
        ).status_code
        == status
    )


def test_tab_shows_the_form_and_the_contacts_of_this_customer_only(
    client_for, ana, account, other_account, cs_people
):
    ContactFactory(customer=other_account, name="Secret Stranger")
    log(account, [ana], [cs_people["jorge"]])
    r = client_for(ana).get(reverse("interactions:customer_tab", args=[account.pk]))
    html = r.content.decode()
    assert "Type A · bow-tie" in html
    assert "Jorge Pérez" in html
    assert "Secret Stranger" not in html
    assert 'id="network-data"' in html and 'id="history-data"' in html


def test_quick_entry_logs_with_defaults(client_for, ana, account, cs_people):
    url = reverse("interactions:create", args=[account.pk])
    today = datetime.date.today().isoformat()
    r = client_for(ana).post(
        url,
        {
            "quick": "1",
            "date": today,
            "kind": "call",
            "topic": "Price review",
            "our_people": [ana.pk],
            "their_contacts": [cs_people["jorge"].pk],
        },
    )
    assert r.status_code == 302
    i = Interaction.objects.get(topic="Price review")
    assert list(i.our_people.all()) == [ana] and list(i.their_contacts.all()) == [
        cs_people["jorge"]
    ]
    assert i.logged_by == ana and i.customer == account
    assert AuditEvent.objects.filter(
        customer_id=account.pk, object_type="interactions.interaction"
    ).exists()


def test_quick_entry_defaults_are_today_and_me(client_for, ana, account, cs_people):
    html = (
        client_for(ana)
        .get(reverse("interactions:customer_tab", args=[account.pk]))
        .content.decode()
    )
    assert f'value="{datetime.date.today().isoformat()}"' in html
    assert (
        f'value="{ana.pk}" checked' in html
        or f'checked value="{ana.pk}"' in html
        or "checked" in html
    )


def test_participants_must_belong_to_the_customer(
    client_for, ana, account, other_account, cs_people
):
    stranger = ContactFactory(customer=other_account, name="Stranger")
    r = client_for(ana).post(
        reverse("interactions:create", args=[account.pk]),
        {
            "date": datetime.date.today().isoformat(),
            "kind": "meeting",
            "topic": "Sneaky",
            "our_people": [ana.pk],
            "their_contacts": [stranger.pk],
        },
    )
    assert r.status_code == 200
    assert not Interaction.objects.filter(topic="Sneaky").exists()


def test_a_quick_entry_with_errors_comes_back_on_the_full_form(client_for, ana, account, cs_people):
    r = client_for(ana).post(
        reverse("interactions:create", args=[account.pk]),
        {
            "quick": "1",
            "date": datetime.date.today().isoformat(),
            "kind": "meeting",
            "topic": "No one",
            "our_people": [ana.pk],
        },
    )
    assert r.status_code == 200
    assert "No one" in r.content.decode()
    assert not Interaction.objects.exists()


def test_edit_and_delete(client_for, ana, bruno, account, cs_people):
    i = log(account, [ana], [cs_people["jorge"]])
    edit = reverse("interactions:edit", args=[account.pk, i.pk])
    assert client_for(bruno).get(edit).status_code == 403
    r = client_for(ana).post(
        edit,
        {
            "date": i.date.isoformat(),
            "kind": "visit",
            "topic": "Site visit",
            "our_people": [ana.pk, cs_people["felipe"].pk],
            "their_contacts": [cs_people["maria"].pk],
            "version": i.version,
        },
    )
    assert r.status_code == 302
    i.refresh_from_db()
    assert i.topic == "Site visit" and set(i.our_people.all()) == {ana, cs_people["felipe"]}
    delete = reverse("interactions:delete", args=[account.pk, i.pk])
    assert client_for(bruno).post(delete).status_code == 403
    assert client_for(ana).post(delete).status_code == 302
    assert not Interaction.objects.filter(pk=i.pk).exists()


def test_an_interaction_is_reached_only_through_its_customer(
    client_for, ana, admin, account, other_account, cs_people
):
    i = log(account, [ana], [cs_people["jorge"]])
    url = reverse("interactions:edit", args=[other_account.pk, i.pk])
    assert client_for(admin).get(url).status_code == 404


def test_filters(client_for, ana, account, cs_people):
    log(account, [ana], [cs_people["jorge"]], topic="Prices")
    log(account, [cs_people["felipe"]], [cs_people["maria"]], topic="Payment terms", kind="call")
    url = reverse("interactions:customer_tab", args=[account.pk])
    c = client_for(ana)
    html = c.get(url, {"contact": cs_people["maria"].pk}).content.decode()
    assert "Payment terms" in html and ">Prices<" not in html
    r = c.get(url, {"kind": "call"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="log")
    part = r.content.decode()
    assert "Payment terms" in part and "<html" not in part
    part = c.get(
        url, {"person": ana.pk}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="log"
    ).content.decode()
    assert "Prices" in part and "Payment terms" not in part


def test_person_page_shows_only_visible_accounts(
    client_for, member, ana, account, other_account, cs_people
):
    other_contact = ContactFactory(customer=other_account)
    log(account, [ana], [cs_people["jorge"]], topic="Seen")
    log(other_account, [ana], [other_contact], topic="Hidden")
    html = client_for(member).get(reverse("interactions:person", args=[ana.pk])).content.decode()
    assert "Seen" in html and "Hidden" not in html


def test_coverage_matrix(client_for, ana, account, cs_people):
    for d in (1, 2, 3):
        log(account, [ana], [cs_people["jorge"]], days_ago=d)
    log(account, [cs_people["felipe"]], [cs_people["maria"]], days_ago=200)
    html = client_for(ana).get(reverse("interactions:coverage", args=[account.pk])).content.decode()
    assert "strength-3" in html and "strength-1" in html
    assert "Andrés Silva" in html  # never met: listed as uncovered


# --- DMU map ------------------------------------------------------------------------------------


def test_dmu_map_shows_the_org_chart_and_gaps(client_for, ana, account, cs_people):
    cs_people["jorge"].reports_to = cs_people["andres"]
    cs_people["jorge"].save()
    html = client_for(ana).get(reverse("interactions:dmu", args=[account.pk])).content.decode()
    assert html.index("Andrés Silva") < html.index("Jorge Pérez")
    assert "Roles with nobody assigned" in html and "Gatekeeper" in html


def test_dmu_partial_for_htmx(client_for, viewer, account, cs_people):
    r = client_for(viewer).get(
        reverse("interactions:dmu", args=[account.pk]), HTTP_HX_REQUEST="true"
    )
    html = r.content.decode()
    assert 'id="dmu-map"' in html and "<html" not in html
    assert "Edit Jorge" not in html  # a viewer reads, doesn't edit


@pytest.mark.parametrize("person, status", WRITERS)
def test_who_edits_a_card(request, client_for, account, cs_people, person, status):
    url = reverse("interactions:dmu_contact", args=[account.pk, cs_people["jorge"].pk])
    assert get(client_for, request, person, url).status_code == status


def test_edit_a_card_in_place_changes_reports_to_and_roles(client_for, ana, account, cs_people):
    jorge, andres = cs_people["jorge"], cs_people["andres"]
    url = reverse("interactions:dmu_contact", args=[account.pk, jorge.pk])
    p = f"c{jorge.pk}-"
    r = client_for(ana).post(
        url,
        {
            p + "name": jorge.name,
            p + "function": "purchasing",
            p + "reports_to": andres.pk,
            p + "dmu_roles": ["buyer", "gatekeeper"],
            p + "attitude": "supporter",
            p + "influence": 4,
            p + "email": jorge.email,
            p + "active": "on",
            p + "version": jorge.version,
        },
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and 'id="dmu-map"' in r.content.decode()
    jorge.refresh_from_db()
    assert jorge.reports_to == andres and jorge.dmu_roles == ["buyer", "gatekeeper"]
    assert jorge.attitude == "supporter"
    assert AuditEvent.objects.filter(
        object_type="customers.contact", object_id=str(jorge.pk)
    ).exists()


def test_reports_to_cannot_make_a_loop(client_for, ana, account, cs_people):
    jorge, andres = cs_people["jorge"], cs_people["andres"]
    Contact.objects.filter(pk=jorge.pk).update(reports_to=andres)
    url = reverse("interactions:dmu_contact", args=[account.pk, andres.pk])
    p = f"c{andres.pk}-"
    r = client_for(ana).post(
        url,
        {
            p + "name": andres.name,
            p + "function": "management",
            p + "reports_to": jorge.pk,
            p + "attitude": "champion",
            p + "influence": 5,
            p + "active": "on",
            p + "version": andres.version,
        },
        HTTP_HX_REQUEST="true",
    )
    assert r["HX-Retarget"] == f"#contact-{andres.pk}"
    andres.refresh_from_db()
    assert andres.reports_to is None


def test_reports_to_must_be_of_the_same_customer(
    client_for, ana, account, other_account, cs_people
):
    stranger = ContactFactory(customer=other_account)
    jorge = cs_people["jorge"]
    p = f"c{jorge.pk}-"
    client_for(ana).post(
        reverse("interactions:dmu_contact", args=[account.pk, jorge.pk]),
        {
            p + "name": jorge.name,
            p + "function": "purchasing",
            p + "reports_to": stranger.pk,
            p + "attitude": "neutral",
            p + "influence": 3,
            p + "active": "on",
            p + "version": jorge.version,
        },
        HTTP_HX_REQUEST="true",
    )
    jorge.refresh_from_db()
    assert jorge.reports_to is None


def test_a_card_of_another_customer_is_404(client_for, admin, account, other_account):
    stranger = ContactFactory(customer=other_account)
    url = reverse("interactions:dmu_contact", args=[account.pk, stranger.pk])
    assert client_for(admin).get(url).status_code == 404


def test_add_a_contact_on_the_map(client_for, ana, bruno, account, cs_people):
    url = reverse("interactions:dmu_add", args=[account.pk])
    assert client_for(bruno).post(url, {"new-name": "X"}).status_code == 403
    r = client_for(ana).post(
        url,
        {
            "new-name": "Tomás Ríos",
            "new-function": "other",
            "new-reports_to": cs_people["andres"].pk,
            "new-dmu_roles": ["gatekeeper"],
            "new-attitude": "neutral",
        },
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    tomas = Contact.objects.get(name="Tomás Ríos")
    assert tomas.customer == account and tomas.reports_to == cs_people["andres"]
    assert "Gatekeeper</span>" not in r.content.decode().split("dmu-gaps")[0]


# --- Risks page and settings ----------------------------------------------------------------------


@pytest.mark.parametrize("person", ["admin", "director", "ana", "bruno", "member", "viewer"])
def test_risks_page_lists_only_visible_accounts(
    request, client_for, account, other_account, person
):
    user = request.getfixturevalue(person)
    html = client_for(user).get(reverse("interactions:risks")).content.decode()
    assert "Constructora CS" in html
    assert ("Minera Norte" in html) == (person != "member")


def test_risks_page_shows_single_thread(client_for, director, account, cs_people):
    for d in (1, 2, 3):
        log(account, [account.owner], [cs_people["jorge"]], days_ago=d)
    html = client_for(director).get(reverse("interactions:risks")).content.decode()
    assert "Single-threaded account" in html


@pytest.mark.parametrize(
    "person, status",
    [("admin", 200), ("director", 200), ("ana", 403), ("member", 403), ("viewer", 403)],
)
def test_who_changes_the_settings(request, client_for, person, status):
    assert get(client_for, request, person, reverse("interactions:settings")).status_code == status


def test_settings_change_the_analysis(client_for, director):
    r = client_for(director).post(
        reverse("interactions:settings"),
        {
            "window_days": 30,
            "min_pairs": 3,
            "single_thread_percent": 70,
            "not_met_days": 60,
            "version": 0,  # as the page shows it before the settings were first saved
        },
    )
    assert r.status_code == 302
    s = InteractionSettings.load().as_rules()
    assert (s.window_days, s.min_pairs, s.single_thread_share, s.not_met_days) == (30, 3, 0.7, 60)


# --- Query counts ---------------------------------------------------------------------------------


def _many(account, ana, cs_people, n):
    people = [ana, cs_people["felipe"], cs_people["rodrigo"]]
    contacts = [cs_people["jorge"], cs_people["maria"], cs_people["andres"]]
    for k in range(n):
        log(account, [people[k % 3]], [contacts[(k // 3) % 3]], days_ago=k % 200)


@pytest.mark.parametrize(
    "name", ["interactions:customer_tab", "interactions:coverage", "interactions:dmu"]
)
def test_query_counts_do_not_grow(
    client_for, ana, account, cs_people, django_assert_max_num_queries, name
):
    c = client_for(ana)
    url = reverse(name, args=[account.pk])
    _many(account, ana, cs_people, 5)
    c.get(url)
    with django_assert_max_num_queries(30) as small:
        c.get(url)
    n = len(small.captured_queries)  # read before the next request resets the log
    _many(account, ana, cs_people, 60)
    for k in range(10):
        ContactFactory(customer=account, name=f"Extra {k}")
    c.get(url)  # the tab's analysis of the grown account, held by the process like the first
    with django_assert_max_num_queries(n):
        assert c.get(url).status_code == 200


def test_risks_page_query_count(client_for, director, ana, django_assert_max_num_queries):
    from tests.factories import CustomerFactory

    c = client_for(director)
    first = CustomerFactory(status="key_account", owner=ana)
    log(first, [ana], [ContactFactory(customer=first)])
    c.get(reverse("interactions:risks"))
    with django_assert_max_num_queries(30) as small:
        c.get(reverse("interactions:risks"))
    for _k in range(15):
        cust = CustomerFactory(status="key_account", owner=ana)
        ct = ContactFactory(customer=cust)
        log(cust, [ana], [ct])
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get(reverse("interactions:risks"))
