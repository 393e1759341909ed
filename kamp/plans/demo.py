"""The plans' part of the demo: CS's living 2026 plan (kam-domain.md §11 — SAF now brings CS
ideas and both keep looking for areas to collaborate), a joint-plan link with a comment from
CS's CFO, and the other key accounts' plans at varying freshness (one stale, one missing)."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from kamp.core.demo import part
from kamp.customers.models import CustomerStatus

from .models import (
    AccountPlan,
    ActionStatus,
    BuyingStep,
    Initiative,
    JointPlanComment,
    JointPlanLink,
    JourneyStage,
    Objective,
    ObjectiveMetric,
    PlanAction,
    Review,
    Risk,
    WhitespaceCell,
)

M = Decimal(1_000_000)  # CLP millions


def _at(day, hour: int = 10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


CS_BUSINESS = (
    "Constructora CS es una de las grandes constructoras del país: autopistas, hospitales y "
    "embalses en concesión, edificación y contratos EPC para la minería.\n"
    "Sus metas 2026–2028: crecer en concesiones de infraestructura pública, financiar su cartera "
    "con project finance y bonos de infraestructura, y controlar mejor los costos de obra. "
    "Necesita estructurar el financiamiento de cada concesión, due diligence para sus "
    "adquisiciones y los reportes ESG que hoy exigen bancos e inversionistas."
)
CS_STRATEGY = (
    "Pasar de asesor puntual a socio estratégico de CS: un equipo multifuncional (finanzas, "
    "riesgos, impuestos) con contrapartes directas en CS (forma diamante, no solo KAM ↔ compras); "
    "llevar ideas propias antes de cada licitación; co-crear herramientas (modelo de project "
    "finance, reporte ESG) que nos hagan difíciles de reemplazar; y el patrocinio de Patricia "
    "Rojas ante el CEO, Andrés Silva."
)
OFFERINGS = [
    "Asesoría financiera",
    "Fusiones y adquisiciones",
    "Riesgos",
    "Impuestos",
    "Reestructuración",
]
# buying unit → {offering: (status, current MCLP, potential MCLP)}
CS_WHITESPACE = {
    "Concesiones": {
        "Asesoría financiera": ("serving", 180, 260),
        "Riesgos": ("pursuing", 0, 70),
        "Impuestos": ("opportunity", 0, 45),
        "Fusiones y adquisiciones": ("no_fit", 0, 0),
    },
    "Obras civiles / EPC": {
        "Asesoría financiera": ("serving", 60, 90),
        "Riesgos": ("opportunity", 0, 55),
        "Reestructuración": ("no_fit", 0, 0),
    },
    "Edificación": {
        "Asesoría financiera": ("opportunity", 0, 40),
        "Reestructuración": ("pursuing", 0, 60),
    },
    "Corporativo (finanzas)": {
        "Fusiones y adquisiciones": ("pursuing", 35, 150),
        "Impuestos": ("serving", 80, 95),
        "Riesgos": ("opportunity", 0, 30),
    },
}


CS_JOURNEY = [
    (
        "Licitación de la asesoría",
        "Portal de compras de CS; reunión con la gerencia de finanzas",
        "Cuatro rondas de preguntas y plazos cortos para responder",
        300,
    ),
    (
        "Modelo financiero de cada concesión",
        "Talleres con la CFO y el equipo de control de gestión",
        "Los supuestos cambian con cada oferta del MOP",
        120,
    ),
    (
        "Cierre financiero con los bancos",
        "Reuniones con bancos y el directorio de CS",
        "Los bancos piden reportes ESG que CS no tiene",
        30,
    ),
]
CS_BUYING = [
    (
        "Necesidad levantada por la gerencia de finanzas",
        ["María González", "Camila Vera"],
        320,
        "",
    ),
    (
        "Aprobación del directorio de CS",
        ["Andrés Silva", "María González"],
        290,
        "La CFO decide de verdad; el directorio ratifica lo que ella propone.",
    ),
]


@part(order=150)
def load(ctx) -> None:
    today = ctx.today
    users = ctx.users
    cs = ctx.customers["cs"]
    ana = users["ana"]

    plan = AccountPlan.objects.create(
        customer=cs,
        period=str(today.year),
        business_and_goals=CS_BUSINESS,
        strategy=CS_STRATEGY,
        created_by=ana,
        created_at=_at(today.replace(month=1, day=12)),
        last_updated_at=_at(today - timedelta(days=3)),
        last_updated_by=ana,
    )
    objectives = [
        Objective.objects.create(
            plan=plan,
            title="Participación en el gasto de asesoría financiera de CS",
            measure="%",
            target=35,
            # Computed from the sales lines and CS's estimated spend (docs/figures.md): the
            # figure the Summary, the API and the QBR deck show, never a typed 27 %.
            metric=ObjectiveMetric.SHARE_OF_WALLET,
            is_financial=True,
            due=today.replace(month=12, day=31),
        ),
        Objective.objects.create(
            plan=plan,
            title="Ingresos por asesoría a CS",
            measure="CLP",
            target=420 * M,
            metric=ObjectiveMetric.REVENUE,
            is_financial=True,
            due=today.replace(month=12, day=31),
        ),
        Objective.objects.create(
            plan=plan,
            title="Concesiones asesoradas en el año",
            measure="proyectos",
            target=4,
            current=2,
        ),
        Objective.objects.create(
            plan=plan,
            title="Calidad de la relación (ICR)",
            measure="puntos (1–7)",
            target=Decimal("6.5"),
            metric=ObjectiveMetric.RQI,
        ),
    ]
    felipe, rodrigo, lucia = users.get("felipe"), users.get("rodrigo"), users.get("lucia")
    d = timedelta
    actions = [
        ("Presentar el modelo de project finance al directorio de CS", ana, -12, "open", True, 2),
        (
            "Enviar la propuesta de due diligence para la adquisición de Vial Sur",
            ana,
            -5,
            "in_progress",
            False,
            1,
        ),
        ("Conocer al nuevo gerente de riesgos de CS", ana, -2, "open", False, 3),
        ("Preparar la QBR de diciembre con María González (CFO)", ana, 10, "open", True, 3),
        ("Revisar los supuestos financieros de la concesión Ruta 5", felipe, 20, "open", True, 2),
        ("Almuerzo de patrocinio con Andrés Silva (CEO)", rodrigo, 30, "open", False, 3),
        ("Proponer a Camila Vera el alcance del piloto ESG", ana, 45, "open", True, None),
        (
            "Levantar el proceso de control de costos de obra con Paula Herrera",
            lucia,
            -30,
            "done",
            True,
            None,
        ),
        ("Actualizar el mapa DMU tras la reorganización de CS", ana, -40, "done", False, 3),
    ]
    for title, owner, days, status, shared, objective in actions:
        PlanAction.objects.create(
            plan=plan,
            title=title,
            owner=owner,
            due=today + d(days=days),
            status=status,
            shared_with_customer=shared,
            objective=objectives[objective] if objective is not None else None,
            completed_at=_at(today + d(days=days)) if status == ActionStatus.DONE else None,
        )
    for unit, cells in CS_WHITESPACE.items():
        for offering, (status, current, potential) in cells.items():
            WhitespaceCell.objects.create(
                plan=plan,
                buying_unit=unit,
                offering=offering,
                status=status,
                current_revenue=current * M,
                potential=potential * M,
            )
    Initiative.objects.create(
        plan=plan,
        title="Modelo de project finance para concesiones",
        stage="launched",
        owner=felipe,
        value_for_customer="Cierra el financiamiento de cada concesión en semanas, con mejores "
        "condiciones de los bancos.",
        value_for_us="Un mandato en cada nueva concesión y un caso de referencia en el sector.",
    )
    Initiative.objects.create(
        plan=plan,
        title="Piloto de reporte ESG para financistas",
        stage="pilot",
        owner=ana,
        value_for_customer="Cumple lo que exigen bancos y bonos verdes sin armar un equipo propio.",
        value_for_us="Una nueva línea de servicio que podemos llevar a otros clientes.",
    )
    Initiative.objects.create(
        plan=plan,
        title="Tablero de control de costos de obra",
        stage="idea",
        owner=lucia,
        value_for_customer="Ver a tiempo los desvíos de costo de cada obra.",
        value_for_us="Presencia en operaciones, más allá de finanzas.",
    )
    Risk.objects.create(
        plan=plan,
        title="La reorganización de CS cambia a la CFO, nuestra decisora",
        likelihood=2,
        impact=3,
        mitigation="Relacionar a Felipe con Camila Vera (controller) y sostener el "
        "patrocinio con el CEO.",
    )
    Risk.objects.create(
        plan=plan,
        title="Una de las cuatro grandes firmas ofrece asesoría a precio de costo",
        likelihood=3,
        impact=2,
        mitigation="Diferenciarnos con el modelo co-creado y el equipo dedicado.",
    )
    Risk.objects.create(
        plan=plan,
        title="Se retrasan las licitaciones de concesiones del MOP",
        likelihood=2,
        impact=2,
        mitigation="Crecer en edificación y EPC mientras tanto.",
    )
    Review.objects.create(
        plan=plan,
        date=today - d(days=150),
        title="QBR segundo trimestre",
        attendees="María González, Camila Vera, Ana Morales, Felipe Araya",
        outcomes="CS valida el modelo de project finance en la concesión Ruta 5.\n"
        "Se acuerda explorar un piloto de reporte ESG.",
    )
    Review.objects.create(
        plan=plan,
        date=today - d(days=60),
        title="QBR tercer trimestre",
        attendees="Andrés Silva, María González, Patricia Rojas, Ana Morales",
        outcomes="El CEO pide extender el modelo a las concesiones hospitalarias.\n"
        "Lanzamos el piloto ESG con Camila Vera; revisión en enero.",
    )
    # The foundations (kam-domain.md §4): CS's journey with us and its buying process, with who
    # decides at each step from the DMU map; the step's note is internal.
    for i, (name, touch, pain, days) in enumerate(CS_JOURNEY):
        JourneyStage.objects.create(
            plan=plan,
            position=i,
            name=name,
            touchpoints=touch,
            pain_points=pain,
            dated=today - d(days=days),
        )
    people = {c.name: c for c in cs.contacts.all()}
    for i, (name, deciders, days, note) in enumerate(CS_BUYING):
        step = BuyingStep.objects.create(
            plan=plan, position=i, name=name, dated=today - d(days=days), note=note
        )
        step.deciders.set([people[n] for n in deciders if n in people])
    link = JointPlanLink.objects.create(
        plan=plan,
        token=secrets.token_urlsafe(32),
        label="María González (CFO)",
        language="es",
        expires_at=_at(today + d(days=30)),
        created_by=ana,
        created_at=_at(today - d(days=20)),
        last_viewed_at=_at(today - d(days=2)),
        view_count=4,
    )
    JointPlanComment.objects.create(
        link=link,
        plan=plan,
        name="María González",
        created_at=_at(today - d(days=2), 17),
        text="Gracias por el modelo de concesiones, ya lo usamos con los bancos. Propongo revisar "
        "el piloto ESG con Camila en la QBR de diciembre.",
    )
    ctx.log(f"plans: CS's {plan.period} plan, a joint-plan link: /plans/joint/{link.token}/")

    # The other key accounts: plans of varying freshness, one stale and one missing.
    others = sorted(
        (
            c
            for k, c in ctx.customers.items()
            if k != "cs" and c.status == CustomerStatus.KEY_ACCOUNT
        ),
        key=lambda c: c.name,
    )
    ages = [130, 12, 60, 25, None, 8, 200]
    for i, customer in enumerate(others):
        age = ages[i % len(ages)]
        if age is None:
            continue  # a key account still without a plan: the alerts say so
        owner = customer.owner or ana
        p = AccountPlan.objects.create(
            customer=customer,
            period=str(today.year),
            created_by=owner,
            last_updated_by=owner,
            created_at=_at(today.replace(month=1, day=20)),
            last_updated_at=_at(today - d(days=age)),
            business_and_goals=f"{customer.name}: {customer.industry.lower()} en "
            f"{customer.region}. Busca crecer y ordenar su financiamiento.",
            strategy="Consolidar la relación con la gerencia de finanzas y ampliar servicios."
            if age < 100
            else "",
        )
        Objective.objects.create(
            plan=p,
            title="Participación en su gasto de asesoría",
            measure="%",
            target=25 + ctx.rng.randint(0, 15),
            current=10 + ctx.rng.randint(0, 12),
        )
        PlanAction.objects.create(
            plan=p,
            title="Reunión de planificación anual",
            owner=owner,
            due=today - d(days=age // 2 + 5),
            status="open",
        )
        PlanAction.objects.create(
            plan=p,
            title="Propuesta de servicios de riesgos",
            owner=owner,
            due=today + d(days=15 + i),
            status="open",
        )
        if age < 100:
            WhitespaceCell.objects.create(
                plan=p,
                buying_unit="Casa matriz",
                offering=OFFERINGS[i % len(OFFERINGS)],
                status="serving",
                current_revenue=40 * M,
                potential=70 * M,
            )
            Risk.objects.create(
                plan=p,
                title="Presión por bajar honorarios",
                likelihood=2,
                impact=2,
                mitigation="Mostrar el valor entregado en la QBR.",
            )
            Review.objects.create(
                plan=p,
                date=today - d(days=age + 10),
                title="QBR",
                outcomes="Revisión del avance del plan.",
            )
