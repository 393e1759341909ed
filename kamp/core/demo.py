"""The demo data: SAF, a Chilean advisory firm, its people and its customer portfolio, with
Constructora CS as the key account of the story in kam-domain.md §11.

Core creates only what is core's — the company settings and SAF's people — and orchestrates:
each business app adds its part from its own ``demo`` module, a ``load(ctx)`` decorated with
:func:`part` (docs/development.md, "Demo data"). The parts run in their declared ``order``; the
*base* parts (the customers and their contacts, CS's account team, three years of sales) always
run, the others can be chosen (tests load only the areas they need). ``load()`` is idempotent:
when the demo is there it does nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from kamp.core import audit
from kamp.core.choices import Function, Role
from kamp.core.models import CompanySize, SiteSettings, User
from kamp.core.registry import discover, registry

DEMO_PASSWORD = "kamp-demo"
DEMO_COMPANY = "SAF Asesorías"
DEMO_SEED = 2026


@dataclass
class DemoContext:
    """What the demo parts of every area receive (see docs/development.md)."""

    today: date
    rng: random.Random
    users: dict[str, User] = field(default_factory=dict)
    # Customers by key (``"cs"``…) and their contacts (CS's six by their e-mail's local part,
    # "jorge.perez"; the others "<customer key>.<n>"): filled by the customers part.
    customers: dict[str, Any] = field(default_factory=dict)
    contacts: dict[str, Any] = field(default_factory=dict)
    log: Callable[[str], Any] = print
    # What the parts made, in a few words each, for the demo's audit entry.
    notes: list[str] = field(default_factory=list)


@dataclass
class DemoPart:
    """One area's part of the demo. ``order`` places it (the parts share one seeded random
    generator, so the order is part of the data: it is declared, never left to the import
    order). ``present()`` tells whether the part's data is there, ``foreign()`` names the rows of
    its area that are not the demo's (sentences for ``kamp demo``'s guard) and ``inventory()``
    counts them in a few words (for ``--reset``'s question)."""

    name: str
    load: Callable[[DemoContext], Any]
    order: int
    base: bool = False
    present: Callable[[], bool] | None = None
    foreign: Callable[[], list[str]] | None = None
    inventory: Callable[[], str] | None = None


def part(
    order: int,
    *,
    base: bool = False,
    name: str | None = None,
    present: Callable[[], bool] | None = None,
    foreign: Callable[[], list[str]] | None = None,
    inventory: Callable[[], str] | None = None,
) -> Callable[[Callable[[DemoContext], Any]], Callable[[DemoContext], Any]]:
    """Register the decorated ``load(ctx)`` as a demo part, named after its module unless
    ``name`` is given. ``base``: a part every demo needs (the others add to it)."""

    def register(load: Callable[[DemoContext], Any]) -> Callable[[DemoContext], Any]:
        key = name or load.__module__
        registry["demo_parts"][key] = DemoPart(
            key, load, order, base, present=present, foreign=foreign, inventory=inventory
        )
        return load

    return register


def parts() -> list[DemoPart]:
    """Every app's demo parts, in their order."""
    discover("demo")
    return sorted(registry["demo_parts"].values(), key=lambda p: (p.order, p.name))


# --- Our people ----------------------------------------------------------------------------
# key, e-mail, name, role, function
PEOPLE = [
    ("admin", "admin@saf.cl", "Administrador SAF", Role.ADMIN, Function.IT),
    ("director", "patricia.rojas@saf.cl", "Patricia Rojas", Role.DIRECTOR, Function.MANAGEMENT),
    ("ana", "ana.morales@saf.cl", "Ana Morales", Role.KAM, Function.SALES),
    ("bruno", "bruno.diaz@saf.cl", "Bruno Díaz", Role.KAM, Function.SALES),
    ("carla", "carla.soto@saf.cl", "Carla Soto", Role.KAM, Function.SALES),
    ("felipe", "felipe.araya@saf.cl", "Felipe Araya", Role.MEMBER, Function.FINANCE),
    ("rodrigo", "rodrigo.lagos@saf.cl", "Rodrigo Lagos", Role.MEMBER, Function.MANAGEMENT),
    ("lucia", "lucia.fuentes@saf.cl", "Lucía Fuentes", Role.MEMBER, Function.OPERATIONS),
    ("viewer", "victor.vega@saf.cl", "Víctor Vega", Role.VIEWER, Function.MARKETING),
]


def demo_exists() -> bool:
    """Whether the demo is loaded: the demo company, and the data of every base part that can
    tell."""
    if not SiteSettings.objects.filter(company_name=DEMO_COMPANY).exists():
        return False
    return all(p.present() for p in parts() if p.base and p.present is not None)


def load(
    *,
    today: date | None = None,
    seed: int = DEMO_SEED,
    log: Callable[[str], Any] = print,
    modules: list[str] | None = None,
) -> DemoContext | None:
    """Create the demo: the company and its people, the base parts (customers, contacts,
    account teams, sales), then the other parts — all of them, or those named in ``modules``.
    Returns the context, or ``None`` when the demo was already there (nothing is changed)."""
    if demo_exists():
        return None
    ctx = DemoContext(today=today or date.today(), rng=random.Random(seed), log=log)
    with transaction.atomic():
        _load_core(ctx)
        for p in parts():
            if p.base:
                p.load(ctx)
        audit.record(
            ctx.users["admin"],
            "other",
            object_type="core.demo",
            object_repr=DEMO_COMPANY,
            summary=f"Demo data: {', '.join(ctx.notes)}.",
        )
    log(f"  + {', '.join(ctx.notes)}")
    for p in parts():
        if p.base or (modules is not None and p.name not in modules):
            continue
        with transaction.atomic():
            p.load(ctx)
        log(f"  + {p.name}")
    return ctx


def _load_core(ctx: DemoContext) -> None:
    """The company settings and our people."""
    site = SiteSettings.load()
    site.company_name = DEMO_COMPANY
    site.size_class = CompanySize.SME
    site.base_currency = "CLP"
    site.save()

    for key, email, name, role, function in PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                DEMO_PASSWORD,
                name=name,
                role=role,
                function=function,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )
        ctx.users[key] = user
