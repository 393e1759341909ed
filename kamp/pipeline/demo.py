"""The pipeline's part of the demo: the SAF/CS story of kam-domain.md §11 — Constructora CS's
lost 2023 tender with its debrief, the seed of the candidate that became SAF's first key
account — plus a few open opportunities and a renewal coming up."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from kamp.core.choices import Function
from kamp.core.demo import part
from kamp.customers.models import Attitude, Contact, DMURole

from . import figures
from .models import Bid, Contract

TENDER_DEBRIEF = (
    "Perdimos frente a una firma más grande con un precio menor y un equipo más numeroso. "
    "El comité valoró nuestra propuesta técnica, pero no nos conocía: no habíamos hablado nunca "
    "con la gerencia general."
)
NEEDS = (
    "CS crece con obras públicas y necesita asesoría financiera continua (flujo de caja de "
    "proyectos, garantías, financiamiento de obras), no un informe anual."
)
BUYING = (
    "Licitación privada con bases técnicas y económicas; compras arma la terna, finanzas evalúa "
    "(60 % técnico, 40 % precio) y el gerente general decide con la gerenta de finanzas. Legal "
    "revisa el contrato."
)
CULTURE = (
    "Empresa familiar de ingenieros: valoran a quien conoce la obra y cumple plazos; deciden "
    "por confianza personal más que por el papel."
)
PEOPLE = (
    "Andrés Silva; Gerente General (CEO); decider\n"
    "María González; Gerenta de Finanzas (CFO); decider\n"
    "Jorge Pérez; Jefe de Compras; buyer\n"
    "Camila Vera; Controller de Proyectos; influencer\n"
    "Tomás Ríos; Fiscal; gatekeeper"
)


@part(order=170)
def load(ctx) -> None:
    today: date = ctx.today
    ana = ctx.users.get("ana")
    cs = ctx.customers["cs"]
    year = today.year - 3
    closed = date(year, 11, 15)
    created = timezone.make_aware(datetime(year, 8, 1, 9, 0))
    Bid.objects.get_or_create(
        customer=cs,
        title=f"Licitación de asesoría financiera {year}",
        defaults={
            "scope": "Asesoría financiera y tributaria para la cartera de obras públicas.",
            "value": Decimal(180_000_000),
            "currency": "CLP",
            "stage": "lost",
            "probability": 0,
            "due_on": date(year, 10, 31),
            "rivals": "Cuatro firmas de asesoría de mayor tamaño",
            "closed_on": closed,
            "reasons": ["price", "relationship", "buying_process"],
            "debrief_note": TENDER_DEBRIEF,
            "learnt_needs": NEEDS,
            "learnt_buying": BUYING,
            "learnt_culture": CULTURE,
            "learnt_people": PEOPLE,
            "seeded_on": closed + timedelta(days=20),
            "seeded_by": ana,
            "created_by": ana,
            "created_at": created,
        },
    )
    # Open opportunities (one per stage or so) and a few closed ones for the win rate.
    open_ones = [
        (
            "cs",
            "Asesoría tributaria del plan de inversiones",
            95_000_000,
            "proposal",
            60,
            "Auditora internacional",
        ),
        ("cs", "Modelo financiero de concesiones", 40_000_000, "qualifying", None, ""),
        (
            "energia",
            "Revisión de contratos de suministro",
            70_000_000,
            "negotiation",
            None,
            "Consultora regional",
        ),
        ("vinos", "Due diligence de adquisición de viña", 55_000_000, "identified", None, ""),
    ]
    for key, title, value, stage, probability, rivals in open_ones:
        customer = ctx.customers.get(key)
        if customer is None:
            continue
        Bid.objects.get_or_create(
            customer=customer,
            title=title,
            defaults={
                "value": Decimal(value),
                "currency": "CLP",
                "stage": stage,
                "probability": probability or figures.default_probability(stage),
                "due_on": today + timedelta(days=30 + 15 * len(title) % 90),
                "rivals": rivals,
                "created_by": ana,
            },
        )
    closed_ones = [
        (
            "cs",
            "Reestructuración de deuda de obras",
            60_000_000,
            "won",
            200,
            ["relationship", "capability"],
        ),
        ("energia", "Auditoría de costos de generación", 30_000_000, "won", 400, ["capability"]),
        ("vinos", "Asesoría de exportaciones", 25_000_000, "lost", 300, ["price"]),
        (
            "cs",
            "Control de gestión de proyectos",
            45_000_000,
            "won",
            90,
            ["relationship", "culture"],
        ),
    ]
    for key, title, value, stage, days_ago, reasons in closed_ones:
        customer = ctx.customers.get(key)
        if customer is None:
            continue
        Bid.objects.get_or_create(
            customer=customer,
            title=title,
            defaults={
                "value": Decimal(value),
                "currency": "CLP",
                "stage": stage,
                "probability": 100 if stage == "won" else 0,
                "closed_on": today - timedelta(days=days_ago),
                "reasons": reasons,
                "created_by": ana,
            },
        )
    # CS's framework contract, won after the tender, ends within the renewal window.
    Contract.objects.get_or_create(
        customer=cs,
        title="Contrato marco de asesoría financiera",
        defaults={
            "starts_on": today - timedelta(days=730 - 60),
            "ends_on": today + timedelta(days=60),
            "value": Decimal(240_000_000),
            "currency": "CLP",
        },
    )
    energia = ctx.customers.get("energia")
    if energia is not None:
        Contract.objects.get_or_create(
            customer=energia,
            title="Servicio de control de gestión",
            defaults={
                "starts_on": today - timedelta(days=200),
                "ends_on": today + timedelta(days=530),
                "value": Decimal(120_000_000),
                "currency": "CLP",
            },
        )
    # A champion who left a key account for another company: the Bids tab offers to follow her.
    if energia is not None:
        Contact.objects.get_or_create(
            customer=energia,
            name="Paula Muñoz",
            defaults={
                "title": "Jefa de Abastecimiento (se fue a Minera Andina)",
                "function": Function.PURCHASING,
                "attitude": Attitude.CHAMPION,
                "dmu_roles": [DMURole.CHAMPION],
                "influence": 4,
                "active": False,
                "left_on": today - timedelta(days=20),
            },
        )
    ctx.log(
        "    pipeline: CS's lost tender and its debrief, 8 other bids, 2 contracts, a departed champion"
    )
    ctx.notes.append("pipeline: 9 bids, 2 contracts")
