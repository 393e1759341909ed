"""The customers area's part of the demo: SAF's portfolio of ~40 Chilean customers (Constructora
CS, the key account of the story in kam-domain.md §11, first) and their people.

It runs first (``order=10``): every other part reads ``ctx.customers`` and ``ctx.contacts``. The
tables below are also what ``kamp demo``'s guard recognises as the demo's customers (by tax id).
"""

from __future__ import annotations

from datetime import date

from kamp.core.choices import Function
from kamp.core.demo import DemoContext, part

from . import membership
from .models import Attitude, Contact, Customer, CustomerSize, CustomerStatus, Seniority
from .validators import rut_check_digit

CS_TAX_ID_BODY = 76_543_210
# How many names a guard finding quotes before "…": enough to recognise the data.
SHOWN = 3


def rut(body: int) -> str:
    """A valid Chilean RUT for ``body`` in its canonical form (``76.543.210-3``)."""
    return f"{body:,}".replace(",", ".") + f"-{rut_check_digit(body)}"


# --- The portfolio -------------------------------------------------------------------------
# key, name, RUT body, industry, region, size, status, owner key, parent key, yearly revenue
# (millions of CLP, the skew: a few customers carry most sales), trend per year.
KA, CA, FO = CustomerStatus.KEY_ACCOUNT, CustomerStatus.CANDIDATE, CustomerStatus.FORMER
L, M, S, E = CustomerSize.LARGE, CustomerSize.MEDIUM, CustomerSize.SMALL, CustomerSize.ENTERPRISE
CUSTOMERS: list[tuple[str, str, int, str, str, str, str, str | None, str | None, float, float]] = [
    (
        "cs",
        "Constructora CS",
        CS_TAX_ID_BODY,
        "Construcción",
        "Metropolitana",
        L,
        KA,
        "ana",
        None,
        310,
        0.45,
    ),
    (
        "andes_holding",
        "Grupo Andes Holding",
        96_812_440,
        "Inversiones",
        "Metropolitana",
        E,
        CA,
        None,
        None,
        12,
        0.0,
    ),
    (
        "andes_retail",
        "Andes Retail S.A.",
        96_812_451,
        "Retail",
        "Metropolitana",
        E,
        KA,
        "bruno",
        "andes_holding",
        240,
        0.12,
    ),
    (
        "andes_logistica",
        "Andes Logística SpA",
        76_233_118,
        "Transporte y logística",
        "Valparaíso",
        L,
        KA,
        "bruno",
        "andes_holding",
        150,
        0.08,
    ),
    (
        "pacifico",
        "Inversiones Pacífico Sur",
        96_704_330,
        "Inversiones",
        "Biobío",
        L,
        CA,
        None,
        None,
        8,
        0.0,
    ),
    (
        "salmones",
        "Salmones del Sur S.A.",
        96_704_512,
        "Acuicultura",
        "Los Lagos",
        L,
        KA,
        "carla",
        "pacifico",
        205,
        0.18,
    ),
    (
        "pesquera",
        "Pesquera Pacífico Sur",
        96_704_623,
        "Pesca",
        "Biobío",
        M,
        CA,
        "carla",
        "pacifico",
        40,
        0.05,
    ),
    (
        "minera_norte",
        "Minera Altos del Norte",
        96_530_120,
        "Minería",
        "Antofagasta",
        E,
        KA,
        "bruno",
        None,
        280,
        0.02,
    ),
    (
        "vinos",
        "Viña Valle Central",
        79_801_245,
        "Agroindustria",
        "O'Higgins",
        M,
        KA,
        "ana",
        None,
        120,
        0.15,
    ),
    (
        "clinica",
        "Clínica Los Aromos",
        76_402_887,
        "Salud",
        "Metropolitana",
        L,
        KA,
        "carla",
        None,
        135,
        0.10,
    ),
    (
        "energia",
        "Energía Austral SpA",
        76_918_302,
        "Energía",
        "Magallanes",
        L,
        KA,
        "ana",
        None,
        160,
        0.25,
    ),
    (
        "forestal",
        "Forestal Araucaria",
        96_633_490,
        "Forestal",
        "Araucanía",
        L,
        FO,
        "bruno",
        None,
        90,
        -0.55,
    ),
    (
        "agricola_maule",
        "Agrícola Maule Sur",
        77_115_640,
        "Agroindustria",
        "Maule",
        M,
        CA,
        "carla",
        None,
        35,
        0.20,
    ),
    (
        "transportes_bio",
        "Transportes Biobío Ltda.",
        78_224_115,
        "Transporte y logística",
        "Biobío",
        M,
        CA,
        "bruno",
        None,
        28,
        0.05,
    ),
    (
        "inmobiliaria_cordillera",
        "Inmobiliaria Cordillera",
        76_551_902,
        "Inmobiliaria",
        "Metropolitana",
        M,
        CA,
        "ana",
        None,
        45,
        0.30,
    ),
    (
        "telecom",
        "Telecomunicaciones Austral",
        96_882_710,
        "Telecomunicaciones",
        "Metropolitana",
        E,
        CA,
        None,
        None,
        60,
        -0.05,
    ),
    (
        "lacteos",
        "Lácteos del Llano",
        76_030_558,
        "Alimentos y bebidas",
        "Los Ríos",
        M,
        CA,
        "carla",
        None,
        22,
        0.10,
    ),
    (
        "cementos",
        "Cementos Pacífico",
        96_510_300,
        "Materiales de construcción",
        "Valparaíso",
        L,
        CA,
        "ana",
        None,
        55,
        0.02,
    ),
    (
        "ferreteria",
        "Ferretería Industrial Norte",
        77_402_119,
        "Distribución industrial",
        "Tarapacá",
        S,
        CA,
        None,
        None,
        9,
        0.00,
    ),
    (
        "colegio",
        "Corporación Educacional Andina",
        65_102_334,
        "Educación",
        "Coquimbo",
        M,
        CA,
        None,
        None,
        7,
        0.04,
    ),
    (
        "hospital",
        "Servicios Médicos Integrales",
        76_880_441,
        "Salud",
        "Valparaíso",
        M,
        CA,
        "carla",
        None,
        18,
        0.12,
    ),
    (
        "puerto",
        "Terminal Portuario Central",
        96_908_870,
        "Transporte y logística",
        "Valparaíso",
        L,
        CA,
        "bruno",
        None,
        70,
        0.06,
    ),
    (
        "frutas",
        "Exportadora Frutas del Valle",
        77_650_228,
        "Agroindustria",
        "O'Higgins",
        M,
        CA,
        None,
        None,
        26,
        0.18,
    ),
    (
        "metalurgica",
        "Metalúrgica Santa Elena",
        78_011_540,
        "Manufactura",
        "Metropolitana",
        M,
        CA,
        None,
        None,
        16,
        -0.08,
    ),
    (
        "software",
        "Soluciones Digitales Kronos",
        76_771_902,
        "Tecnología",
        "Metropolitana",
        S,
        CA,
        "ana",
        None,
        11,
        0.40,
    ),
    (
        "quimica",
        "Química Andina S.A.",
        96_455_780,
        "Química",
        "Antofagasta",
        L,
        CA,
        "bruno",
        None,
        48,
        0.03,
    ),
    (
        "supermercados",
        "Supermercados El Trébol",
        76_204_661,
        "Retail",
        "Ñuble",
        M,
        CA,
        None,
        None,
        14,
        0.02,
    ),
    (
        "aguas",
        "Aguas del Altiplano",
        96_701_225,
        "Servicios sanitarios",
        "Arica y Parinacota",
        L,
        CA,
        None,
        None,
        30,
        0.01,
    ),
    (
        "textil",
        "Textil Los Andes",
        79_544_103,
        "Manufactura",
        "Metropolitana",
        S,
        CA,
        None,
        None,
        5,
        -0.15,
    ),
    (
        "seguros",
        "Corredora de Seguros Horizonte",
        76_390_772,
        "Servicios financieros",
        "Metropolitana",
        S,
        CA,
        "carla",
        None,
        10,
        0.06,
    ),
    ("hoteles", "Hoteles Patagonia", 76_615_334, "Turismo", "Aysén", M, CA, None, None, 12, 0.20),
    (
        "viveros",
        "Viveros del Sur",
        77_893_016,
        "Agroindustria",
        "Los Lagos",
        S,
        CA,
        None,
        None,
        4,
        0.00,
    ),
    (
        "electrica",
        "Montajes Eléctricos Atacama",
        76_142_907,
        "Construcción",
        "Atacama",
        M,
        CA,
        "bruno",
        None,
        21,
        0.09,
    ),
    (
        "cooperativa",
        "Cooperativa Agrícola Ñuble",
        70_245_300,
        "Agroindustria",
        "Ñuble",
        M,
        CA,
        None,
        None,
        9,
        0.03,
    ),
    (
        "automotriz",
        "Automotriz Cordillera",
        76_508_118,
        "Retail",
        "Biobío",
        M,
        CA,
        None,
        None,
        19,
        0.07,
    ),
    (
        "imprenta",
        "Imprenta Moderna",
        78_770_451,
        "Servicios",
        "Metropolitana",
        S,
        CA,
        None,
        None,
        3,
        -0.10,
    ),
    (
        "farmacia",
        "Laboratorio Farmacéutico Sur",
        96_622_109,
        "Farmacéutica",
        "Metropolitana",
        L,
        CA,
        "carla",
        None,
        38,
        0.11,
    ),
    (
        "ingenieria",
        "Ingeniería y Proyectos Maipo",
        76_987_220,
        "Ingeniería",
        "Metropolitana",
        M,
        CA,
        "ana",
        None,
        24,
        0.15,
    ),
    (
        "envases",
        "Envases del Pacífico",
        96_588_660,
        "Manufactura",
        "Valparaíso",
        M,
        CA,
        None,
        None,
        17,
        0.04,
    ),
    (
        "universidad",
        "Universidad Técnica del Sur",
        71_505_400,
        "Educación",
        "Los Ríos",
        L,
        CA,
        None,
        None,
        13,
        0.02,
    ),
    (
        "salmon_proc",
        "Procesadora Austral de Alimentos",
        76_321_554,
        "Alimentos y bebidas",
        "Magallanes",
        M,
        CA,
        None,
        None,
        15,
        0.05,
    ),
    (
        "minera_cobre",
        "Minera Cobre Verde",
        76_049_883,
        "Minería",
        "Coquimbo",
        L,
        CA,
        "bruno",
        None,
        52,
        0.10,
    ),
]

# CS's people (kam-domain.md §11): key, name, title, function, seniority, DMU roles,
# reports-to key, attitude toward SAF, influence.
CS_CONTACTS = [
    (
        "andres.silva",
        "Andrés Silva",
        "Gerente General (CEO)",
        Function.MANAGEMENT,
        Seniority.EXECUTIVE,
        ["decider", "champion"],
        None,
        Attitude.CHAMPION,
        5,
    ),
    (
        "maria.gonzalez",
        "María González",
        "Gerenta de Finanzas (CFO)",
        Function.FINANCE,
        Seniority.EXECUTIVE,
        ["decider"],
        "andres.silva",
        Attitude.SUPPORTER,
        5,
    ),
    (
        "jorge.perez",
        "Jorge Pérez",
        "Gerente de Compras",
        Function.PURCHASING,
        Seniority.SENIOR,
        ["buyer"],
        "maria.gonzalez",
        Attitude.NEUTRAL,
        4,
    ),
    (
        "paula.herrera",
        "Paula Herrera",
        "Gerenta de Operaciones",
        Function.OPERATIONS,
        Seniority.SENIOR,
        ["user", "influencer"],
        "andres.silva",
        Attitude.SUPPORTER,
        3,
    ),
    (
        "camila.vera",
        "Camila Vera",
        "Controller de Proyectos",
        Function.FINANCE,
        Seniority.MIDDLE,
        ["influencer"],
        "maria.gonzalez",
        Attitude.NEUTRAL,
        3,
    ),
    (
        "tomas.rios",
        "Tomás Ríos",
        "Fiscal (abogado corporativo)",
        Function.OTHER,
        Seniority.SENIOR,
        ["gatekeeper"],
        "andres.silva",
        Attitude.CRITIC,
        3,
    ),
]

FIRST_NAMES = [
    "Alejandro",
    "Beatriz",
    "Carlos",
    "Daniela",
    "Eduardo",
    "Francisca",
    "Gonzalo",
    "Hernán",
    "Isabel",
    "Javiera",
    "Luis",
    "Macarena",
    "Nicolás",
    "Óscar",
    "Pilar",
    "Raúl",
    "Sofía",
    "Valentina",
    "Ximena",
    "Cristián",
    "Constanza",
    "Matías",
    "Fernanda",
    "Sebastián",
]
LAST_NAMES = [
    "Muñoz",
    "Rojas",
    "Díaz",
    "Pérez",
    "Soto",
    "Contreras",
    "Silva",
    "Martínez",
    "Sepúlveda",
    "Morales",
    "Rodríguez",
    "López",
    "Araya",
    "Fuentes",
    "Hernández",
    "Torres",
    "Espinoza",
    "Flores",
    "Castillo",
    "Valenzuela",
    "Reyes",
    "Gutiérrez",
    "Castro",
    "Vargas",
]
# title, function, seniority, DMU roles
ROLES = [
    ("Gerente General", Function.MANAGEMENT, Seniority.EXECUTIVE, ["decider"]),
    ("Jefe de Compras", Function.PURCHASING, Seniority.MIDDLE, ["buyer"]),
    (
        "Gerente de Administración y Finanzas",
        Function.FINANCE,
        Seniority.SENIOR,
        ["decider", "influencer"],
    ),
    ("Jefa de Operaciones", Function.OPERATIONS, Seniority.MIDDLE, ["user"]),
    ("Contador General", Function.FINANCE, Seniority.MIDDLE, ["user", "influencer"]),
    ("Gerente de Logística", Function.LOGISTICS, Seniority.SENIOR, ["user"]),
    ("Asistente de Gerencia", Function.OTHER, Seniority.STAFF, ["gatekeeper"]),
]


def _slug(text: str) -> str:
    table = str.maketrans("áéíóúñÁÉÍÓÚÑü", "aeiounAEIOUNu")
    return "".join(ch for ch in text.translate(table).lower() if ch.isalnum() or ch in ".-")


def demo_tax_ids() -> set[str]:
    return {rut(row[2]) for row in CUSTOMERS}


def _present() -> bool:
    return Customer.objects.filter(tax_id=rut(CS_TAX_ID_BODY)).exists()


def _foreign() -> list[str]:
    """The customers that are not the demo's, as one sentence for the guard (none: empty)."""
    customers = Customer.objects.exclude(tax_id__in=demo_tax_ids())
    count = customers.count()
    if not count:
        return []
    names = list(customers.order_by("name").values_list("name", flat=True)[:SHOWN])
    text = ", ".join(names) + (", …" if count > SHOWN else "")
    noun = "customer that is" if count == 1 else "customers that are"
    return [f"{count} {noun} not the demo's: {text}"]


def _inventory() -> str:
    return f"{Customer.objects.count()} customer(s)"


@part(order=10, base=True, present=_present, foreign=_foreign, inventory=_inventory)
def load(ctx: DemoContext) -> None:
    """The customers (parents first), CS's story notes, and two to four contacts each (CS's
    six of the story, with who reports to whom)."""
    rng = ctx.rng
    # Customers: parents first, so subsidiaries can point at them.
    by_key: dict[str, Customer] = {}
    for number, (
        key,
        name,
        body,
        industry,
        region,
        size,
        status,
        owner,
        parent,
        _rev,
        _trend,
    ) in enumerate(sorted(CUSTOMERS, key=lambda row: row[8] is not None), start=1):
        by_key[key] = Customer(
            name=name,
            tax_id=rut(body),
            external_id=f"C-{number:04d}",
            industry=industry,
            region=region,
            country="CL",
            size=size,
            currency="CLP",
            status=status,
            owner=ctx.users[owner] if owner else None,
            parent=by_key.get(parent) if parent else None,
        )
    top = [c for k, c in by_key.items() if by_key[k].parent is None]
    Customer.objects.bulk_create(top)
    rest = [c for c in by_key.values() if c.parent is not None]
    for c in rest:
        c.parent_id = c.parent.pk  # type: ignore[union-attr]
    Customer.objects.bulk_create(rest)
    ctx.customers.update(by_key)
    # Grupo Andes is one account, not three legal entities: the holding is the account of its
    # group, and its subsidiaries' sales, people and interactions roll up to it (docs/groups.md).
    holding = by_key["andes_holding"]
    holding.is_group_account = True
    holding.save(update_fields=["is_group_account"])
    membership.sync([holding.pk], ctx.today)
    cs = by_key["cs"]
    cs.notes = (
        "Perdimos la licitación de asesoría de 2023 frente a una firma más grande. Lo que "
        "aprendimos de las necesidades, el proceso de compra y la cultura de CS, y el trabajo de "
        "Ana conectando a personas de ambos lados, la convirtieron en nuestra primera cuenta "
        "clave. Hoy le llevamos ideas que estimulan su pensamiento."
    )
    cs.save(update_fields=["notes"])
    by_key["forestal"].notes = "Cuenta clave hasta el año pasado: internalizó su asesoría."
    by_key["forestal"].save(update_fields=["notes"])

    # Contacts: CS's six of the story, then two to four for every other customer.
    contacts: list[Contact] = []
    for key, name, title, function, seniority, roles, _boss, attitude, influence in CS_CONTACTS:
        contact = Contact(
            customer=cs,
            name=name,
            title=title,
            function=function,
            seniority=seniority,
            dmu_roles=roles,
            attitude=attitude,
            influence=influence,
            email=f"{key}@cs.cl",
            phone="+56 2 2345 6700",
        )
        ctx.contacts[key] = contact
        contacts.append(contact)
    attitudes = [
        Attitude.SUPPORTER,
        Attitude.NEUTRAL,
        Attitude.NEUTRAL,
        Attitude.CRITIC,
        Attitude.CHAMPION,
    ]
    for key, customer in by_key.items():
        if key == "cs":
            continue
        domain = _slug(customer.name.split()[0] + customer.name.split()[-1].rstrip(".")) + ".cl"
        for i, (title, function, seniority, roles) in enumerate(
            rng.sample(ROLES, rng.randint(2, 4))
        ):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            contact = Contact(
                customer=customer,
                name=f"{first} {last}",
                title=title,
                function=function,
                seniority=seniority,
                dmu_roles=roles,
                attitude=rng.choice(attitudes),
                influence=rng.randint(2, 5),
                email=f"{_slug(first)}.{_slug(last)}@{domain}",
                phone=f"+56 9 {rng.randint(5000, 9999)} {rng.randint(1000, 9999)}",
            )
            if key in {"forestal"} and i == 0:
                contact.active, contact.left_on = False, date(ctx.today.year - 1, 9, 30)
            ctx.contacts[f"{key}.{i}"] = contact
            contacts.append(contact)
    Contact.objects.bulk_create(contacts)
    for key, *_rest, boss, _att, _inf in CS_CONTACTS:
        if boss:
            ctx.contacts[key].reports_to = ctx.contacts[boss]
    Contact.objects.bulk_update([ctx.contacts[k] for k, *_ in CS_CONTACTS], ["reports_to"])

    ctx.notes.append(f"{len(by_key)} customers, {len(contacts)} contacts")
