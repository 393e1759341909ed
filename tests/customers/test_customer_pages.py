"""Customer and contact pages: forms keep typed values with errors beside the fields, the
summary answers the five-second questions, yearly sales and sales lines, deletes confirm."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse

from kamp.customers.models import Contact, Customer, CustomerStatus
from tests.factories import ContactFactory, CustomerFactory, SalesLineFactory, TeamMemberFactory
from tests.pages import html


def test_customer_form_keeps_values_and_shows_errors(client_for, ana):
    r = client_for(ana).post(
        reverse("customers:create"),
        {
            "name": "Nueva Constructora",
            "tax_id": "76.123.456-7",
            "country": "CL",
            "status": "candidate",
            "region": "Ñuble",
        },
    )
    assert r.status_code == 200
    text = r.content.decode()
    assert "wrong check digit" in text and 'id="id_tax_id_error"' in text
    assert 'value="Nueva Constructora"' in text and 'value="Ñuble"' in text
    assert not Customer.objects.filter(name="Nueva Constructora").exists()


def test_a_kams_new_customer_is_theirs_and_the_rut_is_normalised(client_for, ana):
    r = client_for(ana).post(
        reverse("customers:create"),
        {
            "name": "Nueva SpA",
            "tax_id": "760864285",
            "country": "CL",
            "status": "candidate",
            "owner": ana.pk,
        },
    )
    customer = Customer.objects.get(name="Nueva SpA")
    assert r.status_code == 302 and customer.tax_id == "76.086.428-5" and customer.owner == ana


def test_duplicate_tax_id_is_a_form_error(client_for, director, account):
    r = client_for(director).post(
        reverse("customers:create"),
        {
            "name": "Copia",
            "tax_id": account.tax_id,
            "country": "CL",
            "status": "candidate",
        },
    )
    assert (
        r.status_code == 200
        and "Another customer already has this tax id." in r.content.decode()
        and "id_tax_id_error" in r.content.decode()
    )


def test_parent_company_by_name_or_tax_id(client_for, director, account):
    group = CustomerFactory(name="Grupo CS", tax_id="96.812.440-4")
    url = reverse("customers:edit", args=[account.pk])
    base = {"name": account.name, "tax_id": account.tax_id, "country": "CL"}

    def version():
        account.refresh_from_db()
        return account.version

    c = client_for(director)
    r = c.post(url, {**base, "parent": "Grupo CS (96.812.440-4)", "version": version()})
    assert r.status_code == 302
    account.refresh_from_db()
    assert account.parent == group
    assert c.post(url, {**base, "parent": "968124404", "version": version()}).status_code == 302
    r = c.post(url, {**base, "parent": "Nadie", "version": version()})
    assert "No customer “Nadie”" in r.content.decode()
    r = c.post(url, {**base, "parent": account.name, "version": version()})
    assert r.status_code == 200  # not its own parent
    text = c.get(url).content.decode()
    assert 'value="Grupo CS (96.812.440-4)"' in text


def test_lookup_suggests_customers(client_for, viewer, account):
    r = client_for(viewer).get(reverse("customers:lookup"), {"parent": "constru"})
    assert '<option value="Constructora CS (76.123.456-0)">' in r.content.decode()
    assert client_for(viewer).get(reverse("customers:lookup"), {"q": "c"}).content.strip() == b""


def test_contact_form_keeps_values_and_errors(client_for, ana, account):
    url = reverse("customers:contact_create", args=[account.pk])
    r = client_for(ana).post(
        url,
        {
            "name": "Tomás Ríos",
            "function": "other",
            "attitude": "critic",
            "influence": 9,
            "email": "not-an-email",
            "dmu_roles": ["gatekeeper"],
        },
    )
    text = r.content.decode()
    assert r.status_code == 200
    assert 'value="Tomás Ríos"' in text and "valid email" in text
    assert "less than or equal to 5" in text
    assert 'value="gatekeeper" checked' in text.replace("\n", " ") or "checked" in text


def test_contact_that_left_needs_a_date(client_for, ana, account):
    contact = ContactFactory(customer=account, name="Jorge Pérez")
    url = reverse("customers:contact_edit", args=[account.pk, contact.pk])
    data = {
        "name": "Jorge Pérez",
        "function": "purchasing",
        "attitude": "neutral",
        "influence": 4,
        "version": contact.version,
    }
    r = client_for(ana).post(url, data)  # "active" unticked
    assert "Say when the contact left" in r.content.decode()
    r = client_for(ana).post(url, {**data, "left_on": "2026-10-31"})
    assert r.status_code == 302
    contact.refresh_from_db()
    assert not contact.active and contact.left_on == date(2026, 10, 31)


def test_contact_edit_with_reports_to_and_roles(client_for, member, account):
    boss = ContactFactory(customer=account, name="María González")
    contact = ContactFactory(customer=account, name="Jorge Pérez")
    r = client_for(member).post(
        reverse("customers:contact_edit", args=[account.pk, contact.pk]),
        {
            "name": "Jorge Pérez",
            "title": "Gerente de Compras",
            "function": "purchasing",
            "seniority": "senior",
            "dmu_roles": ["buyer", "influencer"],
            "reports_to": boss.pk,
            "attitude": "supporter",
            "influence": 4,
            "active": "on",
            "version": contact.version,
        },
    )
    assert r.status_code == 302
    contact.refresh_from_db()
    assert contact.reports_to == boss and contact.dmu_roles == ["buyer", "influencer"]
    people = client_for(member).get(reverse("customers:people", args=[account.pk])).content.decode()
    assert "Buyer, Influencer" in people and "María González" in people


def test_delete_asks_first(client_for, director, account):
    contact = ContactFactory(customer=account)
    c = client_for(director)
    text = c.get(
        reverse("customers:contact_delete", args=[account.pk, contact.pk])
    ).content.decode()
    assert "Delete for good" in text
    text = c.get(reverse("customers:delete", args=[account.pk])).content.decode()
    assert "1 contact" in text and "cannot be undone" in text
    assert c.post(reverse("customers:delete", args=[account.pk])).status_code == 302
    assert not Customer.objects.filter(pk=account.pk).exists()
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_summary_answers_the_five_second_questions(client_for, ana, director, account):
    TeamMemberFactory(customer=account, user=director, role="sponsor")
    today = date.today()
    SalesLineFactory(
        customer=account,
        date=today.replace(day=1),
        net_amount=Decimal("1000000"),
        cost=Decimal("600000"),
        currency="CLP",
    )
    SalesLineFactory(
        customer=account,
        date=date(today.year - 1, 1, 15),
        net_amount=Decimal("500000"),
        cost=Decimal("250000"),
        currency="CLP",
    )
    text = client_for(ana).get(reverse("customers:detail", args=[account.pk])).content.decode()
    assert "Key account" in text and "KAM: Ana KAM" in text and "Sponsor" in text
    assert "Sales by year" in text and "CLP\u00a01,000,000" in text
    assert "40.0\u00a0%" in text  # this year's gross margin
    assert f"?year={today.year - 1}" in text


def test_team_members_do_not_see_money(client_for, member, account):
    SalesLineFactory(customer=account, net_amount=Decimal("777777"))
    text = html(client_for(member).get(reverse("customers:detail", args=[account.pk])))
    assert "777" not in text and "Sales by year" not in text


def test_summary_in_spanish_formats_money_and_dates(client_for, ana, account):
    SalesLineFactory(
        customer=account, date=date(2026, 3, 5), net_amount=Decimal("1234567"), currency="CLP"
    )
    c = client_for(ana)
    text = c.get(
        reverse("customers:sales", args=[account.pk]), headers={"Accept-Language": "es-CL,es;q=0.9"}
    ).content.decode()
    assert "CLP\u00a01.234.567" in text and "05-03-2026" in text and "Líneas de venta" in text


def test_sales_lines_page_by_year(client_for, director, account):
    SalesLineFactory(
        customer=account, date=date(2025, 5, 1), document_number="F-1", line_number="1"
    )
    SalesLineFactory(
        customer=account, date=date(2024, 5, 1), document_number="F-2", line_number="1"
    )
    c = client_for(director)
    r = c.get(reverse("customers:sales", args=[account.pk]), {"year": "2025"})
    assert r.context["page"].paginator.count == 1 and "F-1" in r.content.decode()


def test_status_badge_and_former_status(client_for, viewer):
    former = CustomerFactory(name="Forestal", status=CustomerStatus.FORMER)
    text = client_for(viewer).get(reverse("customers:detail", args=[former.pk])).content.decode()
    assert "Former key account" in text


def test_customer_pages_make_a_constant_number_of_queries(
    client_for, ana, account, monkeypatch, django_assert_max_num_queries
):
    from kamp.core import registry

    # Only the foundation's own parts: the other areas guard their cards themselves.
    real = registry.discover
    monkeypatch.setattr(
        registry, "discover", lambda name: [] if name in ("summary", "alerts") else real(name)
    )
    c = client_for(ana)
    urls = [
        reverse("customers:detail", args=[account.pk]),
        reverse("customers:people", args=[account.pk]),
        reverse("customers:history", args=[account.pk]),
        reverse("customers:sales", args=[account.pk]),
    ]

    def grow(n):
        for i in range(n):
            ContactFactory(customer=account)
            SalesLineFactory(customer=account, date=date(2024 + i % 3, 1 + i % 12, 1))
            CustomerFactory(parent=account)

    grow(2)
    counts = {}
    for url in urls:
        c.get(url)
        # 23: the session is read, not saved (renewed at most once a minute); three read the
        # summary's stored alerts (kamp.programme.alert_store).
        with django_assert_max_num_queries(23) as captured:
            c.get(url)
        counts[url] = len(captured.captured_queries)
    grow(30)
    c.get(urls[0])  # the first view after the writes recomputes the changed accounts' alerts
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert c.get(url).status_code == 200
