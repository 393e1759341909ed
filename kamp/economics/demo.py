"""The economics part of the demo (kam-domain.md §11): what it costs SAF to serve its customers,
what it invests in KAM, and the customers' category spend.

- Constructora CS (Ana): after the lost tender SAF invests — a dedicated KAM, training on the
  construction business, Patricia's sponsorship, a tailored cost-control model — and CS pays:
  profitable after KAM, with a share of wallet rising year after year.
- Viña Valle Central (Ana): field support grew out of hand; profit after KAM has been negative
  for the last two quarters → the "unprofitable key account" alert.
- A few small candidates cost more to serve than they bring: the tail of the whale curve.
- A programme-wide CRM paid in USD (rates kept per quarter) and a new KAM sales structure,
  allocated to the key accounts.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kamp.core.demo import DemoContext, part
from kamp.customers.demo import CUSTOMERS, FO
from kamp.customers.models import CustomerStatus

from . import actions, sales_months
from .models import ActivityRecord, ActivityType, AllocationRule, Driver, SalesLine
from .pnl import Period

# name, driver, rate (CLP per minute or per event), KAM time, description
ACTIVITIES = [
    ("Visita del KAM", Driver.MINUTE, 1_400, True, "Reunión presencial del KAM con el cliente"),
    (
        "Reunión del equipo de cuenta",
        Driver.MINUTE,
        1_100,
        False,
        "Coordinación interna del equipo multifuncional",
    ),
    ("Informe de gestión mensual", Driver.EVENT, 180_000, False, "Reporte a la medida del cliente"),
    ("Soporte en terreno", Driver.MINUTE, 950, False, "Consultor en faena u oficina del cliente"),
    ("Gestión de licitación", Driver.EVENT, 1_200_000, True, "Preparar y presentar una propuesta"),
    ("Atención de reclamos", Driver.EVENT, 85_000, False, "Resolver un reclamo o incidencia"),
    (
        "Cobranza y condiciones de pago",
        Driver.EVENT,
        60_000,
        False,
        "Costo financiero y gestión de plazos extendidos",
    ),
]


def _months(today: date, n: int) -> list[date]:
    """The first day of each of the ``n`` whole months before ``today``'s, oldest first."""
    out = []
    y, m = today.year, today.month
    for _ in range(n):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append(date(y, m, 1))
    return out[::-1]


SERVICES = [
    ("Asesoría financiera", "Finanzas corporativas"),
    ("Auditoría de estados financieros", "Auditoría"),
    ("Planificación tributaria", "Impuestos"),
    ("Control de gestión de proyectos", "Consultoría de gestión"),
    ("Due diligence", "Finanzas corporativas"),
    ("Reestructuración de deuda", "Finanzas corporativas"),
]


@part(order=30, base=True, name="kamp.economics.demo:sales")
def load_sales(ctx: DemoContext) -> None:
    """Three years of monthly sales lines in CLP for every customer: revenue skewed (a few
    customers carry most of it), CS only after the lost tender, the former key account
    stopping early this year."""
    rng = ctx.rng
    by_key = ctx.customers
    # Monthly invoices in CLP: one to three lines a month, revenue skewed.
    months = _months(ctx.today, 36)
    lines: list[SalesLine] = []
    invoice = 10_000
    for key, _name, _body, _ind, _reg, _size, status, _own, _par, revenue, trend in CUSTOMERS:
        customer = by_key[key]
        for index, month in enumerate(months):
            years_back = (len(months) - 1 - index) // 12  # 2, 1, 0
            level = revenue * 1_000_000 / 12 / (1 + trend) ** years_back
            if key == "cs" and index < 8:
                continue  # the lost tender: no work for CS in the first months
            if status == FO and years_back == 0 and month.month > 3:
                continue  # the former key account stopped buying
            if revenue < 10 and rng.random() < 0.4:
                continue  # small customers buy irregularly
            invoice += 1
            amount = level * rng.uniform(0.7, 1.3)
            parts = rng.randint(1, 3)
            for line_no in range(1, parts + 1):
                product, category = rng.choice(SERVICES)
                net = Decimal(round(amount / parts))
                margin = rng.uniform(0.28, 0.48) if key != "forestal" else rng.uniform(0.05, 0.2)
                lines.append(
                    SalesLine(
                        customer=customer,
                        date=month.replace(day=rng.randint(1, 28)),
                        net_amount=net,
                        cost=Decimal(round(net * Decimal(1 - margin))),
                        currency="CLP",
                        product=product,
                        category=category,
                        quantity=Decimal(rng.randint(10, 160)),
                        document_number=f"F-{invoice}",
                        line_number=str(line_no),
                    )
                )
    SalesLine.objects.bulk_create(lines, batch_size=2000)
    sales_months.rebuild()  # bulk_create bypasses the per-save refresh
    ctx.notes.append(f"{len(lines)} sales lines")


@part(order=110)
def load(ctx) -> None:
    rng = ctx.rng
    admin, director, ana = ctx.users["admin"], ctx.users["director"], ctx.users["ana"]
    types = {}
    for name, driver, rate, kam_time, description in ACTIVITIES:
        types[name] = ActivityType.objects.create(
            name=name,
            driver=driver,
            rate=Decimal(rate),
            currency="CLP",
            kam_time=kam_time,
            description=description,
        )
    months = _months(ctx.today, 36)
    last_quarters = {str(p) for p in _last_quarters(ctx.today, 2)}
    records: list[ActivityRecord] = []

    def add(customer, month, activity, count, minutes=None, note=""):
        a = types[activity]
        count = Decimal(count)
        minutes = Decimal(minutes) if minutes is not None else None
        records.append(
            ActivityRecord(
                customer=customer,
                activity=a,
                month=month,
                count=count,
                minutes=minutes if a.driver == Driver.MINUTE else None,
                cost=a.cost(count, minutes),
                currency="CLP",
                note=note,
            )
        )

    cs = ctx.customers["cs"]
    keys = [c for c in ctx.customers.values() if c.status == CustomerStatus.KEY_ACCOUNT]
    for i, month in enumerate(months):
        quarter = str(Period.containing("quarter", month))
        # CS: the lost tender at the start, then a KAM who connects people on both sides.
        if i in (2, 3):
            add(
                cs,
                month,
                "Gestión de licitación",
                1,
                note="Licitación de asesoría financiera (perdida)",
            )
        if i >= 8:
            add(cs, month, "Visita del KAM", 3 + (i > 20), 120)
            add(cs, month, "Reunión del equipo de cuenta", 2, 90)
            add(cs, month, "Informe de gestión mensual", 1)
            if rng.random() < 0.3:
                add(cs, month, "Atención de reclamos", 1)
        for c in keys:
            if c.pk == cs.pk:
                continue
            add(c, month, "Visita del KAM", rng.randint(1, 3), 90)
            add(c, month, "Informe de gestión mensual", 1)
            if rng.random() < 0.25:
                add(c, month, "Atención de reclamos", rng.randint(1, 2))
        # Viña Valle Central: field support out of control in the last two quarters.
        vinos = ctx.customers.get("vinos")
        if vinos is not None:
            heavy = quarter in last_quarters or i == len(months) - 1
            add(
                vinos,
                month,
                "Soporte en terreno",
                26 if heavy else 4,
                240,
                note="Soporte de vendimia y cierre contable" if heavy else "",
            )
            if heavy:
                add(
                    vinos,
                    month,
                    "Cobranza y condiciones de pago",
                    3,
                    note="Plazo de pago extendido a 120 días",
                )
        # The tail of the whale: small customers that cost more than they bring.
        for key in ("textil", "imprenta", "viveros", "colegio", "telecom"):
            c = ctx.customers.get(key)
            if c is not None and rng.random() < 0.8:
                add(c, month, "Soporte en terreno", rng.randint(2, 5), 180)
                add(c, month, "Atención de reclamos", rng.randint(0, 2))
    ActivityRecord.objects.bulk_create(records, batch_size=2000)

    # KAM investments in CS (§6), from the lost tender on.
    first = months[8]
    for i, month in enumerate(months[8:]):
        actions.do_record_investment(
            director,
            customer=cs,
            kind="people",
            amount=Decimal(1_500_000),
            date=month,
            note="KAM dedicado (Ana Morales, 50 % de su tiempo)",
            audit_it=False,
        )
        if i % 3 == 0:
            actions.do_record_investment(
                director,
                customer=cs,
                kind="sponsorship",
                amount=Decimal(600_000),
                date=month.replace(day=15),
                note="Patricia Rojas, sponsor ejecutiva: reuniones con la gerencia de CS",
                audit_it=False,
            )
    actions.do_record_investment(
        director,
        customer=cs,
        kind="competences",
        amount=Decimal(6_000_000),
        date=months[6].replace(day=20),
        note="Tras la licitación perdida: formación del equipo en el negocio de la construcción",
        audit_it=False,
    )
    actions.do_record_investment(
        ana,
        customer=cs,
        kind="tailored_offer",
        amount=Decimal(9_000_000),
        date=months[20].replace(day=10),
        note="Modelo de control de costos de obra hecho a la medida de CS",
        audit_it=False,
    )
    actions.do_record_investment(
        ana,
        customer=cs,
        kind="competences",
        amount=Decimal(2_500_000),
        date=months[26].replace(day=5),
        note="Taller de financiamiento de proyectos",
        audit_it=False,
    )
    for c in keys:
        if c.pk == cs.pk:
            continue
        for month in months[::3]:
            actions.do_record_investment(
                director,
                customer=c,
                kind="people",
                amount=Decimal(2_400_000),
                date=month,
                note="Tiempo del KAM asignado a la cuenta (trimestre)",
                audit_it=False,
            )
    vinos = ctx.customers.get("vinos")
    if vinos is not None:
        for q in _last_quarters(ctx.today, 2):
            actions.do_record_investment(
                director,
                customer=vinos,
                kind="tailored_offer",
                amount=Decimal(4_000_000),
                date=q.start.replace(day=20),
                note="Panel de costos de vendimia a la medida",
                audit_it=False,
            )

    # Rates kept per quarter (USD → CLP), and a CRM paid in USD for the whole programme.
    rate_quarter = Period.containing("quarter", months[0])
    while rate_quarter.start <= ctx.today:
        usd_rate = Decimal(880 + rng.randint(0, 90))
        actions.do_set_exchange_rate(admin, "USD", str(rate_quarter), usd_rate)
        rate_quarter = rate_quarter.next()
    actions.do_record_investment(
        director,
        customer=None,
        kind="technology_channels",
        amount=Decimal("18000.00"),
        currency="USD",
        date=months[12].replace(day=1),
        allocation=AllocationRule.REVENUE,
        note="CRM para el programa KAM (licencia anual)",
        audit_it=False,
    )
    actions.do_record_investment(
        director,
        customer=None,
        kind="sales_structure",
        amount=Decimal(24_000_000),
        date=first.replace(day=1),
        allocation=AllocationRule.EQUAL,
        note="Nueva estructura comercial: gerencia de cuentas clave",
        audit_it=False,
    )
    actions.do_record_investment(
        director,
        customer=None,
        kind="competences",
        amount=Decimal(8_000_000),
        date=months[24].replace(day=1),
        allocation=AllocationRule.KAM_TIME,
        note="Programa de formación de KAMs",
        audit_it=False,
    )

    # CS's spend in our category (estimated by Ana with CS's CFO): our share keeps rising.
    years = sorted({m.year for m in months})
    for n, year in enumerate(years):
        actions.do_set_category_spend(
            ana,
            cs,
            str(year),
            Decimal(1_100_000_000 + 60_000_000 * n),
            "CLP",
            note="Estimación con la gerencia de finanzas de CS",
            audit_it=False,
        )
    for key, base in (
        ("andes_retail", 900),
        ("salmones", 700),
        ("minera_norte", 2_400),
        ("energia", 500),
        ("vinos", 300),
        ("clinica", 420),
    ):
        c = ctx.customers.get(key)
        if c is None:
            continue
        for year in years:
            actions.do_set_category_spend(
                admin,
                c,
                str(year),
                Decimal(base * 1_000_000),
                "CLP",
                note="Estimación del KAM",
                audit_it=False,
            )
    ctx.log(
        f"  + economics: {len(types)} activities, {len(records)} cost-to-serve records, "
        "KAM investments, rates, category spend"
    )


def _last_quarters(today: date, n: int) -> list[Period]:
    current = Period.containing("quarter", today)
    return [current.shift(-k) for k in range(n, 0, -1)]
