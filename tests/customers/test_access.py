import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "person, status",
    [
        ("admin", 200),
        ("director", 200),
        ("ana", 200),
        ("bruno", 200),
        ("member", 200),
        ("viewer", 200),
    ],
)
def test_who_reads_a_key_account(request, client_for, account, person, status):
    user = request.getfixturevalue(person)
    assert (
        client_for(user).get(reverse("customers:detail", args=[account.pk])).status_code == status
    )


def test_anonymous_is_sent_to_login(anonymous, account):
    r = anonymous.get(reverse("customers:detail", args=[account.pk]))
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_member_cannot_see_an_account_off_their_team(client_for, member, other_account):
    assert (
        client_for(member).get(reverse("customers:detail", args=[other_account.pk])).status_code
        == 404
    )


@pytest.mark.parametrize(
    "person, status",
    [
        ("admin", 200),
        ("director", 200),
        ("ana", 200),
        ("member", 200),
        ("bruno", 403),
        ("viewer", 403),
    ],
)
def test_who_edits_a_key_account(request, client_for, account, person, status):
    user = request.getfixturevalue(person)
    assert client_for(user).get(reverse("customers:edit", args=[account.pk])).status_code == status


def test_api_requires_login(anonymous):
    r = anonymous.get("/api/v1/customers/")
    assert r.status_code == 401


@pytest.mark.parametrize("person", ["admin", "director", "ana", "bruno", "member", "viewer"])
def test_the_shortcuts_for_whole_portfolio_pages_say_what_the_queries_say(
    request, account, other_account, person
):
    """A page over the whole portfolio skips the id lists for who may read every customer (or
    every customer's money): the shortcut must agree with the rule's own query."""
    from kamp.customers.access import (
        customers_visible_to,
        customers_with_economics_for,
        sees_every_customer,
        sees_every_customers_economics,
    )
    from kamp.customers.models import Customer

    user = request.getfixturevalue(person)
    every = set(Customer.objects.values_list("pk", flat=True))
    visible = set(customers_visible_to(user).values_list("pk", flat=True))
    with_money = set(customers_with_economics_for(user).values_list("pk", flat=True))
    assert sees_every_customer(user) == (visible == every)
    assert sees_every_customers_economics(user) == (with_money == every)
    user.is_active = False
    assert not sees_every_customer(user) and not sees_every_customers_economics(user)
