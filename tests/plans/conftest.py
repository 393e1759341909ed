import pytest

from .factories import (
    ActionFactory,
    InitiativeFactory,
    ObjectiveFactory,
    PlanFactory,
    ReviewFactory,
    RiskFactory,
    WhitespaceFactory,
)


@pytest.fixture
def plan(account, ana):
    """Ana's 2026 plan for her key account, with something in every section."""
    p = PlanFactory(customer=account)
    ObjectiveFactory(plan=p, title="Share of advisory spend")
    ObjectiveFactory(
        plan=p, title="Revenue from CS", measure="MCLP", target=900, current=610, is_financial=True
    )
    ActionFactory(
        plan=p, title="Present the concession model", owner=ana, shared_with_customer=True
    )
    ActionFactory(plan=p, title="Internal pricing review", owner=ana)
    WhitespaceFactory(plan=p, buying_unit="Concessions", offering="M&A")
    InitiativeFactory(plan=p, title="ESG reporting pilot", stage="pilot")
    RiskFactory(plan=p, title="CFO may leave")
    ReviewFactory(plan=p)
    return p
