import pytest

from kamp.core.choices import Function
from tests.factories import ContactFactory, TeamMemberFactory, UserFactory


@pytest.fixture
def cs_people(account, ana, member):
    """Constructora CS's people and two more of ours: a bow-tie that became a diamond."""
    felipe = UserFactory(
        email="felipe@supplier.test", name="Felipe Finance", function=Function.FINANCE
    )
    rodrigo = UserFactory(
        email="rodrigo@supplier.test", name="Rodrigo Partner", function=Function.MANAGEMENT
    )
    TeamMemberFactory(customer=account, user=felipe)
    TeamMemberFactory(customer=account, user=rodrigo, role="sponsor")
    jorge = ContactFactory(
        customer=account,
        name="Jorge Pérez",
        function=Function.PURCHASING,
        dmu_roles=["buyer"],
        email="jorge.perez@cs.cl",
    )
    maria = ContactFactory(
        customer=account,
        name="María González",
        function=Function.FINANCE,
        dmu_roles=["decider"],
        email="maria.gonzalez@cs.cl",
        reports_to=None,
    )
    andres = ContactFactory(
        customer=account,
        name="Andrés Silva",
        function=Function.MANAGEMENT,
        dmu_roles=["decider", "champion"],
        attitude="champion",
        influence=5,
        email="andres.silva@cs.cl",
    )
    return {"felipe": felipe, "rodrigo": rodrigo, "jorge": jorge, "maria": maria, "andres": andres}
