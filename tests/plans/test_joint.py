import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kamp.plans import actions
from kamp.plans.models import JointPlanComment, JointPlanLink
from tests import pages

from .factories import ActionFactory, LinkFactory, ObjectiveFactory, PlanFactory


def joint_url(link):
    return reverse("plans:joint", args=[link.token])


@pytest.fixture
def link(plan, ana):
    return actions.do_create_joint_link(ana, plan, days=30, label="CFO", language="en")


def test_token_is_long_and_unguessable(link):
    assert len(link.token) >= 40
    other = actions.do_create_joint_link(None, link.plan)
    assert other.token != link.token


def test_the_customer_sees_the_chosen_parts_without_logging_in(anonymous, link):
    r = anonymous.get(joint_url(link))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Constructora CS" in html
    assert "Share of advisory spend" in html  # objective
    assert "Present the concession model" in html  # shared action
    assert "Internal pricing review" not in html  # not shared
    assert "ESG reporting pilot" in html  # initiative
    assert r["X-Robots-Tag"] == "noindex, nofollow"
    link.refresh_from_db()
    assert link.view_count == 1


def test_no_money_ever(anonymous, link):
    html = pages.html(anonymous.get(joint_url(link)))
    assert "Revenue from CS" not in html  # financial objective
    for amount in ("123456789", "123,456,789", "123.456.789", "987,654,321", "987.654.321"):
        assert amount not in html
    assert "M&amp;A" not in html  # the whitespace is never shared
    assert "CFO may leave" not in html  # risks are internal
    assert "CLP" not in html and "USD" not in html


def test_parts_not_chosen_are_not_shown(anonymous, plan):
    link = actions.do_create_joint_link(
        None,
        plan,
        share_objectives=False,
        share_actions=False,
        share_initiatives=True,
        language="en",
    )
    html = anonymous.get(joint_url(link)).content.decode()
    assert "Share of advisory spend" not in html and "Present the concession model" not in html
    assert "ESG reporting pilot" in html


def test_a_token_reads_only_its_own_plan(anonymous, link, other_account):
    other = PlanFactory(customer=other_account)
    ObjectiveFactory(plan=other, title="Secret objective of Minera")
    ActionFactory(plan=other, title="Minera shared action", shared_with_customer=True)
    html = anonymous.get(joint_url(link)).content.decode()
    assert "Minera" not in html and "Secret objective" not in html


def test_expired_revoked_and_unknown_look_the_same(anonymous, plan, ana):
    expired = LinkFactory(plan=plan, expires_at=timezone.now() - datetime.timedelta(minutes=1))
    revoked = actions.do_revoke_joint_link(ana, actions.do_create_joint_link(ana, plan))
    pages = []
    for token in (expired.token, revoked.token, "no-such-token-at-all"):
        r = anonymous.get(reverse("plans:joint", args=[token]) + "?lang=en")
        assert r.status_code == 404
        html = r.content.decode()
        assert "This link is not available" in html and "Constructora" not in html
        pages.append(html)
    assert pages[0] == pages[1] == pages[2]


def test_comments_are_recorded_and_escaped(anonymous, link, client_for, ana):
    r = anonymous.post(
        joint_url(link),
        {"name": "María <b>González</b>", "text": "<script>alert(1)</script> Let's talk"},
    )
    assert r.status_code == 302
    comment = JointPlanComment.objects.get()
    assert comment.plan == link.plan and comment.link == link
    html = anonymous.get(joint_url(link)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "María &lt;b&gt;González&lt;/b&gt;" in html
    # our side reads it on the share page, escaped too
    html = client_for(ana).get(reverse("plans:share", args=[link.plan_id])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_comments_on_an_expired_link_are_refused(anonymous, plan):
    expired = LinkFactory(plan=plan, expires_at=timezone.now() - datetime.timedelta(days=1))
    r = anonymous.post(joint_url(expired), {"name": "X", "text": "Hello"})
    assert r.status_code == 404
    assert not JointPlanComment.objects.exists()


def test_comments_are_rate_limited(anonymous, link):
    for n in range(actions.COMMENTS_PER_SENDER_PER_HOUR):
        assert anonymous.post(joint_url(link), {"name": "A", "text": f"c{n}"}).status_code == 302
    r = anonymous.post(joint_url(link), {"name": "A", "text": "one too many"})
    assert r.status_code == 429
    assert JointPlanComment.objects.count() == actions.COMMENTS_PER_SENDER_PER_HOUR


def test_honeypot_drops_bots(anonymous, link):
    r = anonymous.post(joint_url(link), {"name": "Bot", "text": "spam", "website": "http://x"})
    assert r.status_code == 302
    assert not JointPlanComment.objects.exists()


def test_the_page_speaks_the_customers_language(anonymous, plan):
    link = actions.do_create_joint_link(None, plan, language="es")
    html = anonymous.get(joint_url(link)).content.decode()
    assert "Comentarios" in html or "comentario" in html.lower()
    html = anonymous.get(joint_url(link) + "?lang=en").content.decode()
    assert "Comments" in html


@pytest.mark.parametrize(
    "person, status",
    [
        ("admin", 302),
        ("director", 302),
        ("ana", 302),
        ("member", 302),
        ("bruno", 403),
        ("viewer", 403),
    ],
)
def test_who_creates_a_link(request, client_for, plan, person, status):
    user = request.getfixturevalue(person)
    r = client_for(user).post(
        reverse("plans:share", args=[plan.pk]),
        {"label": "CFO", "language": "es", "days": 14, "share_objectives": "on"},
    )
    assert r.status_code == status
    assert JointPlanLink.objects.filter(plan=plan).exists() == (status == 302)


@pytest.mark.parametrize(
    "person, status", [("ana", 200), ("member", 200), ("bruno", 200), ("viewer", 200)]
)
def test_who_sees_the_share_page(request, client_for, plan, person, status):
    user = request.getfixturevalue(person)
    r = client_for(user).get(reverse("plans:share", args=[plan.pk]))
    assert r.status_code == status
    assert ("Create the link" in r.content.decode()) == (person in ("ana", "member"))


def test_a_link_must_share_something(client_for, ana, plan):
    r = client_for(ana).post(
        reverse("plans:share", args=[plan.pk]), {"label": "x", "language": "es", "days": 14}
    )
    assert r.status_code == 400
    assert not JointPlanLink.objects.exists()


def test_revoke(client_for, ana, bruno, link, anonymous):
    assert client_for(bruno).post(reverse("plans:link_revoke", args=[link.pk])).status_code == 403
    assert anonymous.get(joint_url(link)).status_code == 200
    assert client_for(ana).post(reverse("plans:link_revoke", args=[link.pk])).status_code == 302
    assert anonymous.get(joint_url(link)).status_code == 404


def test_expiry_is_bounded(plan):
    link = actions.do_create_joint_link(None, plan, days=10_000)
    assert link.expires_at < timezone.now() + datetime.timedelta(days=366)


def test_only_editors_see_the_link_itself(client_for, viewer, bruno, member, link):
    for person, sees in ((viewer, False), (bruno, False), (member, True)):
        html = client_for(person).get(reverse("plans:share", args=[link.plan_id])).content.decode()
        assert (link.token in html) == sees


def test_ana_edits_the_period_and_deletes_a_plan(client_for, ana, plan):
    c = client_for(ana)
    r = c.post(
        reverse("plans:edit", args=[plan.pk]),
        {
            "period": "2026-H2",
            "business_and_goals": "x" * 30,
            "strategy": "y" * 30,
            "version": plan.version,
        },
    )
    assert r.status_code == 302 and "period=2026-H2" in r["Location"]
    plan.refresh_from_db()
    assert plan.period == "2026-H2"
    r = c.post(reverse("plans:edit", args=[plan.pk]), {"period": "next year", "version": 2})
    assert r.status_code == 200 and "A year such as 2026" in r.content.decode()
    assert c.post(reverse("plans:delete", args=[plan.pk])).status_code == 302
    assert not type(plan).objects.filter(pk=plan.pk).exists()


def test_the_value_for_us_stays_internal(anonymous, plan, client_for, ana):
    initiative = plan.initiatives.get(title="ESG reporting pilot")
    initiative.value_for_customer = "Reports ready for the regulator"
    initiative.value_for_us = "A reference case to sell to <b>mining</b> clients"
    initiative.save()
    link = actions.do_create_joint_link(None, plan, share_initiatives=True, language="en")
    html = anonymous.get(joint_url(link)).content.decode()
    assert "ESG reporting pilot" in html and "Reports ready for the regulator" in html
    assert "reference case" not in html and "Value for us" not in html
    # The team still reads it on the plan itself.
    page = client_for(ana).get(reverse("plans:customer_tab", args=[plan.customer.pk]))
    assert "reference case" in page.content.decode()
