"""The people and the objects the access matrix (tests/test_access_all_urls.py) requests every
URL with: one of each thing a URL takes an id of, all hanging off Ana's key account ``account``
(so "own team", "other's account" and "another's team" are about the same object), built once
per test module.

The people are the columns of the table in docs/roles.md:

- ``anonymous`` (no login), ``viewer``, ``director``, ``admin``;
- ``member``: on ``account``'s team; ``member_other``: a member on another account's team only;
- ``kam_own``: Ana, who owns ``account``; ``kam_other``: Bruno, who owns ``other_account`` and
  has nothing to do with ``account``; ``kam_team``: Carla, a KAM on ``account``'s team (Ana's
  account, not hers).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kamp.core.choices import Function, Role
from kamp.customers.models import CustomerStatus
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    SalesLineFactory,
    TeamMemberFactory,
    UserFactory,
)

PEOPLE = [
    "anonymous",
    "viewer",
    "member",
    "member_other",
    "kam_own",
    "kam_other",
    "kam_team",
    "director",
    "admin",
]


@dataclass
class World:
    users: dict[str, Any]
    account: Any
    other_account: Any
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    from kamp.core.models import ImportBatch
    from kamp.economics import actions as eco_actions
    from kamp.economics.models import ActivityRecord, InvestmentKind
    from kamp.programme.actions import do_take_readiness
    from kamp.programme.models import AlertDismissal
    from kamp.relationships import access as rel_access
    from kamp.relationships import actions as rel_actions
    from kamp.selection.engine import ensure_default_model
    from kamp.team.models import AccountTeamMember
    from tests.economics.factories import ActivityTypeFactory, month
    from tests.interactions.factories import log
    from tests.plans.factories import (
        ActionFactory,
        InitiativeFactory,
        LinkFactory,
        ObjectiveFactory,
        PlanFactory,
        ReviewFactory,
        RiskFactory,
        WhitespaceFactory,
    )
    from tests.selection.factories import HIGH, LOW, score
    from tests.team.factories import HatAssessmentFactory

    today = timezone.localdate()
    users = {
        "admin": UserFactory(
            email="admin@supplier.test",
            name="Admin",
            role=Role.ADMIN,
            function=Function.MANAGEMENT,
            is_staff=True,
            is_superuser=True,
        ),
        "director": UserFactory(
            email="director@supplier.test",
            name="Diana Director",
            role=Role.DIRECTOR,
            function=Function.MANAGEMENT,
        ),
        "kam_own": UserFactory(email="ana@supplier.test", name="Ana KAM", role=Role.KAM),
        "kam_other": UserFactory(email="bruno@supplier.test", name="Bruno KAM", role=Role.KAM),
        "kam_team": UserFactory(email="carla@supplier.test", name="Carla KAM", role=Role.KAM),
        "member": UserFactory(
            email="member@supplier.test",
            name="Marta Logistics",
            role=Role.MEMBER,
            function=Function.LOGISTICS,
        ),
        "member_other": UserFactory(
            email="lucia@supplier.test",
            name="Lucía Operations",
            role=Role.MEMBER,
            function=Function.OPERATIONS,
        ),
        "viewer": UserFactory(email="viewer@supplier.test", name="Victor Viewer", role=Role.VIEWER),
    }
    ana, bruno = users["kam_own"], users["kam_other"]
    account = CustomerFactory(
        name="Constructora CS",
        tax_id="76.123.456-0",
        status=CustomerStatus.KEY_ACCOUNT,
        owner=ana,
        currency="CLP",
        is_group_account=True,  # so its Group tab and the group roll-up API are reached
    )
    other_account = CustomerFactory(
        name="Minera Norte", status=CustomerStatus.KEY_ACCOUNT, owner=bruno, currency="CLP"
    )
    TeamMemberFactory(customer=account, user=users["member"])
    TeamMemberFactory(customer=account, user=users["kam_team"])
    TeamMemberFactory(customer=other_account, user=users["member_other"])
    team_member = AccountTeamMember.objects.get(customer=account, user=users["member"])

    contact = ContactFactory(customer=account, name="Jorge Pérez", email="jorge.perez@cs.cl")
    contact2 = ContactFactory(customer=account, name="María González", email="maria.gonzalez@cs.cl")
    ContactFactory(customer=other_account, name="Pedro Rojas")
    for customer in (account, other_account):
        for m in range(1, 7):
            SalesLineFactory(
                customer=customer,
                date=today - datetime.timedelta(days=30 * m),
                net_amount=Decimal("1000000") * m,
                cost=Decimal("600000") * m,
            )

    activity = ActivityTypeFactory(name="Visit")
    record = ActivityRecord.objects.create(
        customer=account,
        activity=activity,
        month=month(today.year, today.month),
        count=Decimal("3"),
        cost=Decimal("1500"),
        currency="CLP",
    )
    director = users["director"]
    investment = eco_actions.do_record_investment(
        director,
        customer=account,
        kind=InvestmentKind.PEOPLE,
        amount=Decimal("123457"),
        date=today,
    )
    programme_investment = eco_actions.do_record_investment(
        director,
        customer=None,
        kind=InvestmentKind.COMPETENCES,
        amount=Decimal("500000"),
        date=today,
    )
    spend = eco_actions.do_set_category_spend(
        director, account, str(today.year), Decimal("98765432")
    )
    rate = eco_actions.do_set_exchange_rate(director, "USD", str(today.year), Decimal("950"))

    score(account, director, HIGH)
    score(other_account, director, LOW)
    selection_model = ensure_default_model()
    from kamp.selection.models import ReciprocityEvidence

    reciprocity_evidence = ReciprocityEvidence.objects.create(
        customer=account, kind="commitment", happened_on=today, note="Volume commitment"
    )

    interaction = log(account, [ana, users["member"]], [contact, contact2], topic="Quarterly")
    rnd = rel_actions.do_start_round(
        ana,
        account,
        closes_on=today + datetime.timedelta(days=14),
        team_users=[ana, users["member"]],
        contacts=[(contact, "es")],
        send=False,
    )
    respondent = rnd.respondents.get(contact=contact)

    plan = PlanFactory(customer=account)
    items = {
        "objectives": ObjectiveFactory(plan=plan),
        "actions": ActionFactory(plan=plan, owner=ana, shared_with_customer=True),
        "whitespace": WhitespaceFactory(plan=plan),
        "initiatives": InitiativeFactory(plan=plan),
        "risks": RiskFactory(plan=plan),
        "reviews": ReviewFactory(plan=plan),
    }
    link = LinkFactory(plan=plan)

    HatAssessmentFactory(kam=ana)
    readiness = do_take_readiness(director, {})
    dismissal = AlertDismissal.objects.create(
        key=f"test:{account.pk}",
        area="plans",
        kind="test",
        customer_id=account.pk,
        customer_name=account.name,
        reason="Seen",
        dismissed_by=director,
    )
    import_batch = ImportBatch.objects.create(
        kind="customers",
        filename="customers.csv",
        created_by=ana,
        status=ImportBatch.Status.FAILED,
        stored_file="imports/access-matrix-customers.csv",
    )
    from kamp.core.models import SavedMapping

    saved_mapping = SavedMapping.objects.create(
        name="ERP de Ana",
        kind="customers",
        columns={"RUT": "tax_id"},
        header=["RUT"],
        created_by=ana,
    )
    calendar_batch = ImportBatch.objects.create(
        kind="interactions_calendar",
        filename="calendar.ics",
        created_by=ana,
        status=ImportBatch.Status.DONE,
        options={"plan": {}},
    )

    from kamp.core.alerts import collect
    from kamp.customers.models import Customer

    alert = next(
        a
        for a in collect(Customer.objects.filter(pk__in=[account.pk, other_account.pk]), today)
        if a.customer_id
    )

    from kamp.connect import actions as connect_actions

    api_token, _secret = connect_actions.do_create_token(
        users["kam_own"], name="Matrix", scope="read", days=30
    )
    webhook, _secret = connect_actions.do_create_webhook(
        users["director"],
        name="CRM",
        url="https://crm.example/hook",
        events=["survey.answered"],
        finance=False,
    )
    feed_token = connect_actions.do_regenerate_feed(users["kam_own"])
    from kamp.connect import crypto
    from kamp.connect.models import CalendarConnection

    calendar_connection = CalendarConnection.objects.create(
        user=users["kam_own"],
        name="Google",
        kind="feed",
        host="calendar.google.com",
        secret=crypto.encrypt({"url": "https://calendar.google.com/calendar/ical/x/basic.ics"}),
    )

    from kamp.mailcapture.models import CapturedMessage

    mail_message = CapturedMessage.objects.create(
        key="<matrix@mail.test>",
        status="unmatched",
        subject="Visita a obra",
        addresses=[{"email": "new.person@cs.test", "name": "New Person"}],
        sender=users["kam_own"],
    )

    from kamp.pipeline.models import Bid, Contract

    # Amounts the matrix looks for (SECRET_AMOUNTS): a bid and a contract show them only to
    # who may see the account's economics.
    bid = Bid.objects.create(
        customer=account, title="Tender", stage="lost", value=Decimal("123457"), currency="CLP"
    )
    contract = Contract.objects.create(
        customer=account,
        title="Framework",
        starts_on=today,
        ends_on=today,
        value=Decimal("98765432"),
        currency="CLP",
    )

    return World(
        users=users,
        account=account,
        other_account=other_account,
        objects={
            "team_member": team_member,
            "contact": contact,
            "bid": bid,
            "pipeline_contract": contract,
            "activity": activity,
            "record": record,
            "investment": investment,
            "programme_investment": programme_investment,
            "spend": spend,
            "rate": rate,
            "selection_model": selection_model,
            "reciprocity_evidence": reciprocity_evidence,
            "interaction": interaction,
            "round": rnd,
            "survey_token": rel_access.token_for(respondent),
            "plan": plan,
            "items": items,
            "link": link,
            "readiness": readiness,
            "dismissal": dismissal,
            "alert_key": alert.key,
            "import_batch": import_batch,
            "saved_mapping": saved_mapping,
            "calendar_batch": calendar_batch,
            "api_token": api_token,
            "webhook": webhook,
            "feed_token": feed_token,
            "calendar_connection": calendar_connection,
            "mail_message": mail_message,
        },
    )
