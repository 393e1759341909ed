"""The selection part of the demo: the default model, two assessors' scores for every customer,
three dated snapshots so trails show movement, and the decision history (CS made a key account
two years ago, after the lost tender; Forestal revoked last year).

The matrix tells a story: CS strategic, reciprocated and recommended (it climbed from star since
the tender); Telecomunicaciones Austral strategic but unreciprocated; Minera Altos del Norte a key
account sitting in streamline (a warning); Kronos and Inmobiliaria Cordillera candidates in star;
enough strategic, reciprocated candidates that one is beyond the cap.
"""

from __future__ import annotations

from datetime import timedelta

from kamp.core import audit
from kamp.core.demo import part
from kamp.core.models import AuditEvent

from . import engine, scoring
from .models import Assessment, Decision, Snapshot, SnapshotPoint

A_KEYS = ("profitability", "growth_potential", "strategic_value")
P_KEYS = ("customer_knowledge", "brand_image", "cost_to_serve")

# customer key -> (attractiveness level, position level, co-investment); levels on 1–10.
PROFILES = {
    "cs": (8.6, 8.2, 8.5),
    "andes_retail": (7.8, 7.4, 7.0),
    "salmones": (7.6, 7.0, 7.5),
    "energia": (8.0, 6.6, 7.0),
    "vinos": (6.8, 7.6, 6.5),
    "clinica": (6.6, 6.8, 6.0),
    "andes_logistica": (6.2, 7.2, 6.0),
    "minera_norte": (4.2, 4.6, 4.0),  # a key account in streamline
    "telecom": (7.6, 7.0, 3.0),  # strategic but unreciprocated
    "software": (7.4, 3.8, 7.0),  # star candidates
    "inmobiliaria_cordillera": (7.0, 4.2, 6.0),
    "puerto": (7.0, 6.8, 7.0),  # strategic, reciprocated candidates
    "farmacia": (6.8, 6.4, 6.5),
    "minera_cobre": (6.4, 6.2, 6.0),
    "cementos": (6.1, 6.0, 6.0),  # ranked beyond the cap
    "forestal": (3.4, 5.0, 3.0),
    "quimica": (4.6, 7.0, 5.0),  # status
    "agricola_maule": (6.4, 4.4, 5.0),
}

# The demo is a Chilean firm: what its people wrote (rationales, notes) is in Spanish, as the
# rest of its data; labels and summaries kamp writes come from the catalogues.
CS_RATIONALE = (
    "Perdimos la licitación de asesoría de 2023 frente a una firma más grande, pero lo que "
    "aprendimos ahí —las necesidades de CS, su proceso de compra y su cultura— mostró que CS es "
    "estratégico para nosotros y está dispuesto a trabajar en conjunto: su gerente general y su "
    "gerenta de finanzas pidieron trabajo conjunto. Ana liderará la cuenta con un equipo de "
    "finanzas y gerencia, y Patricia la patrocina."
)


def _clamp(x: float) -> float:
    return max(1.0, min(10.0, round(x * 2) / 2))


def _factor_scores(level_a: float, level_p: float, rng) -> dict[str, float]:
    out = {k: level_a + rng.uniform(-1.0, 1.0) for k in A_KEYS}
    for k in P_KEYS:
        target = level_p + rng.uniform(-1.0, 1.0)
        # cost to serve is lower-is-better: a strong position means a low cost to serve
        out[k] = 11 - target if k == "cost_to_serve" else target
    return out


@part(order=120)
def load(ctx) -> None:
    rng = ctx.rng
    model = engine.ensure_default_model()
    director = ctx.users["director"]
    kams = [ctx.users[k] for k in ("ana", "bruno", "carla")]
    today = ctx.today
    rows: list[Assessment] = []
    for key, customer in ctx.customers.items():
        if key in PROFILES:
            a, p, co = PROFILES[key]
        else:
            a, p = rng.uniform(2.5, 7.5), rng.uniform(2.5, 7.5)
            co = rng.uniform(2.5, 7.5)
        base = _factor_scores(a, p, rng)
        second = customer.owner or rng.choice(kams)
        for assessor, noise in ((director, 0.5), (second, 1.0)):
            on = today - timedelta(days=rng.randint(3, 60))
            for k, v in base.items():
                rows.append(
                    Assessment(
                        customer=customer,
                        factor=k,
                        assessor=assessor,
                        score=_clamp(v + rng.uniform(-noise, noise)),
                        date=on,
                    )
                )
            rows.append(
                Assessment(
                    customer=customer,
                    factor=scoring.CO_INVESTMENT,
                    assessor=assessor,
                    score=_clamp(co + rng.uniform(-0.5, 0.5)),
                    date=on,
                )
            )
    # A customer whose assessment is still incomplete: listed apart, never scored as zero.
    unfinished = ctx.customers.get("imprenta")
    if unfinished is not None:
        rows = [
            r
            for r in rows
            if not (r.customer_id == unfinished.pk and r.factor in ("brand_image", "cost_to_serve"))
        ]
    Assessment.objects.bulk_create(rows, batch_size=1000)

    # Snapshots: where customers sat 24, 12 and 6 months ago (CS climbing from star).
    run = engine.run(model, today, use_cache=False, with_robustness=False)
    drift = {key: (rng.uniform(-0.4, 0.4), rng.uniform(-0.4, 0.4)) for key in ctx.customers}
    drift["cs"] = (0.3, 1.6)  # a year's climb in position, after the tender's lessons
    drift["minera_norte"] = (-0.8, -0.6)  # sliding for two years
    drift["software"] = (0.5, 0.3)
    for months in (24, 12, 6):
        snap = Snapshot.objects.create(
            model=model,
            taken_on=today - timedelta(days=round(months * 30.4)),
            label=f"Revisión de cartera (−{months} meses)",
            taken_by=director,
        )
        points = []
        years = months / 12
        for key, customer in ctx.customers.items():
            r = run.by_id.get(customer.pk)
            # A complete result has both dimensions.
            if r is None or not r.complete or r.attractiveness is None or r.position is None:
                continue
            da, dp = drift[key]
            a = max(1.0, min(10.0, r.attractiveness - da * years))
            p = max(1.0, min(10.0, r.position - dp * years))
            past_co = (
                None
                if r.co_investment is None
                else max(1.0, min(10.0, r.co_investment - 0.5 * years * (key == "cs")))
            )
            points.append(
                SnapshotPoint(
                    snapshot=snap,
                    customer=customer,
                    attractiveness=a,
                    position=p,
                    co_investment=past_co,
                    quadrant=scoring.quadrant(a, p, model.split_value),
                    recommended=False,
                )
            )
        SnapshotPoint.objects.bulk_create(points)

    # Decision history.
    cs = ctx.customers.get("cs")
    if cs is not None:
        _decision(
            cs,
            Decision.Kind.MAKE,
            "candidate",
            "key_account",
            CS_RATIONALE,
            director,
            today - timedelta(days=730),
            "star",
            False,
            model.name,
        )
    forestal = ctx.customers.get("forestal")
    if forestal is not None:
        _decision(
            forestal,
            Decision.Kind.REVOKE,
            "key_account",
            "former",
            "Forestal Araucaria llevó su asesoría a un equipo interno y dejó de coinvertir: "
            "sin plan conjunto desde hace un año. Desde ahora se atiende con el modelo estándar.",
            director,
            today - timedelta(days=300),
            "streamline",
            True,
            model.name,
        )
    for key, years in (("andes_retail", 3), ("salmones", 3), ("energia", 2)):
        c = ctx.customers.get(key)
        if c is not None:
            _decision(
                c,
                Decision.Kind.MAKE,
                "candidate",
                "key_account",
                "Estratégico en la matriz y dispuesto a coinvertir: plan conjunto acordado con "
                "su gerencia.",
                director,
                today - timedelta(days=365 * years),
                "strategic",
                True,
                model.name,
            )


def _decision(customer, kind, old, new, rationale, who, on, quadrant, recommended, model_name):
    from datetime import datetime, time

    from django.utils import timezone

    d = Decision.objects.create(
        customer=customer,
        kind=kind,
        from_status=old,
        to_status=new,
        rationale=rationale,
        decided_by=who,
        decided_on=on,
        quadrant=quadrant,
        was_recommended=recommended,
        model_name=model_name,
    )
    event = audit.record(
        who,
        "decide",
        d,
        customer_id=customer.pk,
        object_repr=lambda: f"{customer} · {d.get_kind_display()}",
        summary=rationale,
        changes=[{"field": "status", "old": old, "new": new}],
    )
    AuditEvent.objects.filter(pk=event.pk).update(
        at=timezone.make_aware(datetime.combine(on, time(10, 0)))
    )


# Constructora CS's reciprocity evidence (docs/selection.md, "The reciprocity ledger"): what the
# customer put into the relationship since the lost tender, as its KAM recorded it. After every
# other area (order 175), so the ledger also reads the survey, the joint plan and the meetings.
CS_EVIDENCE = [
    (
        "commitment",
        200,
        "Compromiso de volumen: la auditoría de sus tres filiales con SAF durante tres años.",
    ),
    ("data_shared", 120, "Compartió su plan de obras 2027 y la proyección de licitaciones."),
    (
        "co_creation",
        150,
        "Piloto conjunto de control de costos de obra, con dos analistas de su área de finanzas.",
    ),
    ("data_shared", 30, "Entregó el pronóstico trimestral de proyectos adjudicados."),
]


@part(order=175, name="kamp.selection.demo:reciprocity")
def load_reciprocity(ctx) -> None:
    from .models import ReciprocityEvidence
    from .reciprocity_actions import refresh

    cs = ctx.customers.get("cs")
    if cs is None:
        return
    kam = cs.owner or ctx.users["director"]
    ReciprocityEvidence.objects.bulk_create(
        ReciprocityEvidence(
            customer=cs,
            kind=kind,
            happened_on=ctx.today - timedelta(days=days),
            note=note,
            recorded_by=kam,
        )
        for kind, days, note in CS_EVIDENCE
    )
    refresh(ctx.users["director"], cs, ctx.today)
