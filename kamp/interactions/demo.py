"""The interactions part of the demo: CS moving from bow-tie to diamond (kam-domain.md §11), and
plausible logs for the other key accounts — some bow-tie, one single-threaded, one whose
champion has just left."""

from __future__ import annotations

from datetime import date, timedelta

from kamp.core import audit
from kamp.core.choices import Function
from kamp.core.demo import part
from kamp.customers import actions as customer_actions
from kamp.customers.models import Attitude, Contact

from .models import (
    Interaction,
    InteractionContact,
    InteractionKind,
    InteractionPerson,
    InteractionSource,
)

K = InteractionKind

BOW_TIE_TOPICS = [
    (K.CALL, "Seguimiento de la propuesta de honorarios"),
    (K.MEETING, "Revisión de condiciones comerciales"),
    (K.EMAIL, "Envío de cotización actualizada"),
    (K.CALL, "Consulta sobre facturación"),
    (K.MEETING, "Reunión mensual de servicio"),
    (K.VISIT, "Visita a oficinas centrales"),
]
CS_PAIRS = {
    "finance": [
        (K.MEETING, "Modelo de control financiero de proyectos"),
        (K.WORKSHOP, "Taller de flujo de caja de obras"),
        (K.CALL, "Revisión de covenants bancarios"),
        (K.MEETING, "Cierre trimestral y provisiones"),
    ],
    "management": [
        (K.MEETING, "Almuerzo con la gerencia general"),
        (K.MEETING, "Estrategia de crecimiento 2027"),
        (K.EVENT, "Foro de la construcción: panel conjunto"),
    ],
    "operations": [
        (K.VISIT, "Visita a obra en Puente Alto"),
        (K.WORKSHOP, "Taller de indicadores de productividad de obra"),
        (K.MEETING, "Seguimiento del piloto de control de avance"),
    ],
}


class _Log:
    """Collects interactions, then writes them with a handful of bulk queries."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.rows: list[tuple[Interaction, list, list]] = []

    def add(self, customer, when: date, kind, topic, ours, theirs, notes="", follow_up="") -> None:
        if when > self.ctx.today:
            return
        self.rows.append(
            (
                Interaction(
                    customer=customer,
                    date=when,
                    kind=kind,
                    topic=topic,
                    notes=notes,
                    follow_up=follow_up,
                    source=InteractionSource.MANUAL,
                    logged_by=ours[0],
                ),
                ours,
                theirs,
            )
        )

    def save(self) -> int:
        objs = [r[0] for r in self.rows]
        Interaction.objects.bulk_create(objs, batch_size=500)
        InteractionPerson.objects.bulk_create(
            [
                InteractionPerson(interaction=i, user=u)
                for i, ours, _t in self.rows
                for u in dict.fromkeys(ours)
            ],
            batch_size=1000,
        )
        InteractionContact.objects.bulk_create(
            [
                InteractionContact(interaction=i, contact=c)
                for i, _o, theirs in self.rows
                for c in dict.fromkeys(theirs)
            ],
            batch_size=1000,
        )
        counts: dict[int, int] = {}
        for i in objs:
            counts[i.customer_id] = counts.get(i.customer_id, 0) + 1
        for customer_id, n in counts.items():
            audit.record(
                self.ctx.users["admin"],
                "import",
                None,
                customer_id=customer_id,
                object_type="interactions.interaction",
                object_repr="demo",
                # Demo data is the Chilean firm's, in Spanish (docs/style.md).
                summary=f"Datos de demostración: {n} interacciones registradas.",
            )
        return len(objs)


def _contacts_of(ctx, key: str) -> list[Contact]:
    found = [
        c
        for k, c in ctx.contacts.items()
        if k.startswith(key + ".") and c.customer_id == ctx.customers[key].pk
    ]
    return found or list(ctx.customers[key].contacts.all())


def _purchasing(contacts: list[Contact]) -> Contact:
    return next((c for c in contacts if c.is_purchasing), contacts[0])


@part(order=130)
def load(ctx) -> None:
    rng, today, u, c = ctx.rng, ctx.today, ctx.users, ctx.contacts
    log = _Log(ctx)
    cs = ctx.customers["cs"]
    ana, felipe, rodrigo, patricia, lucia = (
        u["ana"],
        u["felipe"],
        u["rodrigo"],
        u["director"],
        u["lucia"],
    )
    jorge, maria, andres = c["jorge.perez"], c["maria.gonzalez"], c["andres.silva"]
    paula, camila = c["paula.herrera"], c["camila.vera"]

    # The lost tender, two years ago and more: the only thread was Ana and Jorge (purchasing).
    start = today - timedelta(days=800)
    log.add(
        cs,
        start,
        K.EVENT,
        "Presentación de la propuesta para la licitación de asesoría financiera",
        [ana, rodrigo],
        [jorge],
        notes="Licitación perdida frente a una firma más grande. Aprendimos cómo compra CS.",
    )
    log.add(
        cs,
        start + timedelta(days=21),
        K.MEETING,
        "Retroalimentación de la licitación perdida",
        [ana],
        [jorge],
        notes="Precio y tamaño del equipo pesaron; valoraron el conocimiento del sector.",
        follow_up="Proponer un diagnóstico acotado sin costo",
    )
    day = start + timedelta(days=40)
    while day < today:
        kind, topic = rng.choice(BOW_TIE_TOPICS)
        log.add(cs, day, kind, topic, [ana], [jorge])
        day += timedelta(days=rng.randint(14, 24))

    # Then Ana connects people on both sides: finance, management through the sponsors,
    # operations — CS becomes a diamond.
    def pair(first_day: int, every: tuple[int, int], ours, theirs, topics) -> None:
        d = today - timedelta(days=first_day)
        while d <= today:
            kind, topic = rng.choice(topics)
            log.add(cs, d, kind, topic, ours, theirs)
            d += timedelta(days=rng.randint(*every))

    pair(430, (25, 40), [felipe], [maria], CS_PAIRS["finance"])
    pair(300, (35, 55), [felipe], [camila], CS_PAIRS["finance"])
    pair(330, (40, 60), [rodrigo, ana], [andres], CS_PAIRS["management"])
    pair(200, (50, 70), [patricia, rodrigo], [andres], CS_PAIRS["management"])
    pair(170, (30, 45), [lucia], [paula], CS_PAIRS["operations"])
    log.add(
        cs,
        today - timedelta(days=12),
        K.WORKSHOP,
        "Taller conjunto de ideas: financiamiento de obras",
        [ana, felipe, rodrigo],
        [andres, maria, jorge],
        follow_up="Enviar propuesta de piloto de financiamiento",
        notes="Primera sesión de co-creación.",
    )

    # Other key accounts.
    def bow_tie(key: str, kam: str, every=(15, 30), days=420, extra=()) -> None:
        contacts = _contacts_of(ctx, key)
        if not contacts:
            return
        buyer = _purchasing(contacts)
        if not buyer.is_purchasing:
            # The KAM's counterpart in a bow-tie buys: say so on the map.
            customer_actions.do_update_contact(
                u[kam], buyer, dmu_roles=sorted(set(buyer.dmu_roles or []) | {"buyer"})
            )
        rest = [x for x in contacts if x.pk != buyer.pk and x.active]
        d = today - timedelta(days=days)
        while d <= today:
            # A bow-tie runs through the KAM; with ``extra`` the KAM also sees other contacts.
            others = [rng.choice(rest)] if extra and rest and rng.random() < 0.4 else [buyer]
            kind, topic = rng.choice(BOW_TIE_TOPICS)
            log.add(ctx.customers[key], d, kind, topic, [u[kam]], others)
            d += timedelta(days=rng.randint(*every))

    # Viña Valle Central: everything through Ana and one buyer — single-threaded.
    bow_tie("vinos", "ana", every=(10, 20))
    # Andes Retail, Andes Logística, Clínica: bow-ties with the odd extra contact.
    bow_tie("andes_retail", "bruno", extra=True)
    bow_tie("andes_logistica", "bruno", every=(20, 35), extra=True)
    bow_tie("clinica", "carla", extra=True)
    # Energía Austral: Felipe builds one finance pair — still a bow-tie.
    bow_tie("energia", "ana", every=(20, 30))
    energia = _contacts_of(ctx, "energia")
    fin = next((x for x in energia if x.function == Function.FINANCE), None)
    if fin:
        for k in range(6):
            log.add(
                ctx.customers["energia"],
                today - timedelta(days=20 + 28 * k),
                K.MEETING,
                "Modelo financiero del proyecto eólico",
                [felipe],
                [fin],
            )
    # Salmones del Sur: a diamond — Lucía with operations, Felipe with finance.
    bow_tie("salmones", "carla", every=(20, 30))
    salmones = _contacts_of(ctx, "salmones")
    for x in salmones:
        if x.is_purchasing:
            continue
        who = lucia if x.function in (Function.OPERATIONS, Function.LOGISTICS) else felipe
        for k in range(4):
            log.add(
                ctx.customers["salmones"],
                today - timedelta(days=10 + 21 * k + rng.randint(0, 6)),
                K.MEETING,
                "Mesa de trabajo de " + x.get_function_display().lower(),
                [who],
                [x],
            )
    # Minera Altos del Norte: a bow-tie whose champion left two months ago.
    minera = _contacts_of(ctx, "minera_norte")
    buyer = _purchasing(minera) if minera else None
    champion = next((x for x in minera if buyer and x.pk != buyer.pk), None)
    bow_tie("minera_norte", "bruno", every=(12, 25))
    if champion:
        for k in range(5):
            log.add(
                ctx.customers["minera_norte"],
                today - timedelta(days=80 + 45 * k),
                K.MEETING,
                "Revisión del plan de proyectos con el gerente",
                [u["bruno"]],
                [champion],
            )
        Contact.objects.filter(pk=champion.pk).update(attitude=Attitude.CHAMPION)
        champion.refresh_from_db()
        customer_actions.do_update_contact(
            u["bruno"],
            champion,
            active=False,
            left_on=today - timedelta(days=60),
            dmu_roles=sorted(set(champion.dmu_roles or []) | {"champion"}),
        )
    n = log.save()
    ctx.log(f"  + {n} interactions")
    # CS's target: the diamond, with the two pairs that carried the move from the bow-tie.
    from .actions import do_set_target

    do_set_target(
        ana,
        cs,
        form="B",
        pairs=[("finance", "finance"), ("management", "management")],
        note="La confianza de CS ya permite contrapartes por función",
    )
