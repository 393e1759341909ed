"""The relationships part of the demo (kam-domain.md §11): CS moving over two years from a
competitive interaction at the basic stage toward a collaborative partnership at the
interdependent stage, with three survey rounds of rising trust (our team, and Jorge, María and
Andrés at CS) and a perception gap in the first; the other key accounts spread across the types;
Minera Altos del Norte disintegrating; an open round at Energía Austral waiting for answers."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from kamp.core import audit
from kamp.core.demo import part
from kamp.customers.models import Contact

from . import access, actions, results
from .models import Answer, Assessment, Respondent, Side, StageRecord, SurveyRound


def _months_ago(today: date, months: int) -> date:
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(today.day, 28))


def _assess(ctx, key, when, ro, ds_items, db_items, note="", systems_linked=False, pairs=None):
    ds_keys = Assessment.DS_ITEMS
    db_keys = Assessment.DB_ITEMS
    actions.do_assess(
        ctx.users[_owner_key(ctx, key)],
        ctx.customers[key],
        date=when,
        ro=ro,
        note=note,
        systems_linked=systems_linked,
        functional_pairs=pairs,
        **dict(zip(ds_keys, ds_items, strict=True)),
        **dict(zip(db_keys, db_items, strict=True)),
    )


def _owner_key(ctx, customer_key) -> str:
    owner_id = ctx.customers[customer_key].owner_id
    for k, u in ctx.users.items():
        if u.pk == owner_id:
            return k
    return "director"


def _stage(ctx, key, when, suggested, stage, reasons, reason=""):
    customer = ctx.customers[key]
    user = ctx.users[_owner_key(ctx, key)]
    record = StageRecord.objects.create(
        customer=customer,
        date=when,
        suggested=suggested,
        stage=stage,
        reason=reason,
        reasons=reasons,
        created_by=user,
    )
    audit.record(
        user,
        "decide",
        record,
        customer_id=customer.pk,
        summary=f"Etapa: {record.get_stage_display()}",
    )


def _answers(ctx, rnd, respondent, level, conflict, spread=0.8):
    """A plausible answer sheet: each construct around ``level`` (conflict around
    ``conflict``), reversed items answered the other way round, clipped to 1–7."""
    rng = ctx.rng
    out = []
    for item in rnd.template.items.all():
        target = conflict if item.construct == "conflict" else level
        if item.construct in ("closeness", "information_sharing"):
            target -= 0.3
        value = target + rng.uniform(-spread, spread)
        raw = 8 - value if item.reversed else value
        out.append(Answer(respondent=respondent, item=item, value=max(1, min(7, round(raw)))))
    return out


def _round(
    ctx,
    key,
    opened,
    team,
    contacts,
    team_level,
    customer_level,
    *,
    answered=None,
    closes_in_days=21,
    comments=None,
    language="es",
):
    """A round opened in the past (or today), answered by everyone unless ``answered`` says
    which respondents (by name) answered."""
    customer = ctx.customers[key]
    template = actions.default_template()
    closes = opened + timedelta(days=closes_in_days)
    rnd = SurveyRound.objects.create(
        customer=customer,
        template=template,
        opened_on=opened,
        closes_on=closes,
        closed_at=None
        if closes >= ctx.today
        else timezone.make_aware(datetime.combine(closes, time(18))),
        created_by=ctx.users[_owner_key(ctx, key)],
    )
    people = [
        Respondent(round=rnd, side=Side.TEAM, user=u, name=str(u), email=u.email, language="es")
        for u in team
    ]
    expires = timezone.make_aware(datetime.combine(closes + timedelta(days=1), time.min))
    for c in contacts:
        r = Respondent(
            round=rnd,
            side=Side.CUSTOMER,
            contact=c,
            name=c.name,
            email=c.email,
            language=language,
            token_salt=access.new_salt(),
            expires_at=expires,
        )
        r.token_hash = access.token_hash(access.token_for(r))
        people.append(r)
    invited = timezone.make_aware(datetime.combine(opened, time(9)))
    for r in people:
        r.invited_at = invited
    Respondent.objects.bulk_create(people)
    sheets = []
    comments = comments or {}
    for r in rnd.respondents.all():
        if answered is not None and r.name not in answered:
            continue
        level = team_level if r.side == Side.TEAM else customer_level
        conflict = max(1.5, 8.5 - level - 1.2)
        sheets.extend(_answers(ctx, rnd, r, level + ctx.rng.uniform(-0.3, 0.3), conflict))
        r.responded_at = invited + timedelta(days=ctx.rng.randint(1, 10))
        r.comment = comments.get(r.name, "")
        r.save(update_fields=["responded_at", "comment"])
    Answer.objects.bulk_create(sheets)
    results.refresh_round(rnd)
    audit.record(
        ctx.users[_owner_key(ctx, key)],
        "create",
        rnd,
        customer_id=customer.pk,
        summary="Ronda de encuesta de calidad de la relación",
    )
    return rnd


@part(order=140)
def load(ctx) -> None:
    today = ctx.today
    u = ctx.users
    cs = "cs"

    # --- CS: two years from competitive interaction toward collaborative partnership ----------
    _assess(
        ctx,
        cs,
        _months_ago(today, 24),
        3.0,
        [4, 5, 4],
        [4, 4, 4, 3],
        note="Después de perder la licitación: relación de precio, un solo interlocutor (Compras).",
    )
    _assess(
        ctx,
        cs,
        _months_ago(today, 16),
        3.8,
        [5, 5, 4],
        [4, 4, 5, 4],
        note="Primer proyecto de control financiero ganado; más contactos con Finanzas.",
    )
    _assess(
        ctx,
        cs,
        _months_ago(today, 8),
        4.8,
        [5, 5, 5],
        [5, 5, 5, 4],
        pairs=3,
        note="Trabajo conjunto con Finanzas, Operaciones y la gerencia general.",
    )
    _assess(
        ctx,
        cs,
        _months_ago(today, 1),
        5.8,
        [6, 5, 5],
        [6, 5, 6, 5],
        pairs=3,
        note="Les llevamos ideas a iniciativa propia; buscamos juntos nuevas áreas de colaboración. "
        "Sistemas aún no integrados.",
    )
    _stage(
        ctx,
        cs,
        _months_ago(today, 23),
        "basic",
        "basic",
        [["irregular_orders", {"months": 4, "needed": 6}]],
    )
    _stage(
        ctx,
        cs,
        _months_ago(today, 14),
        "cooperative",
        "cooperative",
        [["few_pairs", {"pairs": 1, "needed": 3}]],
    )
    _stage(
        ctx,
        cs,
        _months_ago(today, 2),
        "interdependent",
        "interdependent",
        [["interdependent", {"pairs": 3, "systems_linked": False, "switching_high": True}]],
    )

    actions.do_save_foundations(
        u["ana"],
        ctx.customers[cs],
        date=_months_ago(today, 1),
        checks={
            "journey_mapped": True,
            "experience_known": True,
            "business_understood": True,
            "buying_process": True,
            "dmu_mapped": True,
            "buying_criteria": True,
            "kam_mandate": True,
            "team_staffed": True,
            "sponsor": True,
            "incentives": False,
        },
        note="Falta alinear los incentivos del equipo con el desarrollo de la cuenta a largo plazo.",
    )
    team = [u["ana"], u["felipe"], u["rodrigo"], u["director"]]
    cs_contacts = [ctx.contacts[k] for k in ("jorge.perez", "maria.gonzalez", "andres.silva")]
    _round(
        ctx,
        cs,
        _months_ago(today, 22),
        team,
        cs_contacts,
        5.0,
        3.4,
        comments={
            "Jorge Pérez": "Las propuestas llegan tarde y los honorarios no siempre son claros.",
        },
    )
    _round(
        ctx,
        cs,
        _months_ago(today, 11),
        team,
        cs_contacts,
        5.2,
        4.7,
        comments={
            "María González": "El equipo de Felipe entiende nuestro negocio; falta más contacto con obras.",
        },
    )
    _round(
        ctx,
        cs,
        _months_ago(today, 1),
        team,
        cs_contacts,
        5.8,
        5.7,
        comments={
            "Andrés Silva": "SAF nos trae ideas antes de que se las pidamos. Queremos seguir creciendo juntos.",
        },
    )

    # --- the other key accounts, spread across the types ---------------------------------------
    _assess(
        ctx,
        "andes_retail",
        _months_ago(today, 3),
        3.0,
        [6, 6, 5],
        [3, 4, 3, 3],
        note="Compras centralizadas licitan todo cada año: dependemos más de ellos que ellos de nosotros.",
    )
    _assess(ctx, "andes_logistica", _months_ago(today, 4), 3.5, [4, 5, 5], [5, 4, 5, 4])
    _assess(
        ctx,
        "salmones",
        _months_ago(today, 5),
        5.5,
        [6, 6, 6],
        [4, 4, 4, 4],
        note="El cliente tiene el poder, pero nos invita a planificar juntos.",
    )
    _assess(ctx, "vinos", _months_ago(today, 6), 4.0, [3, 2, 2], [3, 3, 3, 2])
    _assess(ctx, "clinica", _months_ago(today, 2), 5.2, [3, 3, 3], [5, 6, 5, 5])
    _assess(ctx, "energia", _months_ago(today, 2), 3.5, [3, 3, 3], [5, 5, 5, 5])
    for key, stage in (
        ("andes_retail", "basic"),
        ("andes_logistica", "cooperative"),
        ("salmones", "cooperative"),
        ("vinos", "basic"),
        ("clinica", "cooperative"),
        ("energia", "cooperative"),
    ):
        _stage(ctx, key, _months_ago(today, 2), stage, stage, [])

    # --- Minera Altos del Norte: disintegrating --------------------------------------------------
    _assess(ctx, "minera_norte", _months_ago(today, 14), 5.0, [6, 5, 5], [5, 5, 5, 4])
    _assess(
        ctx,
        "minera_norte",
        _months_ago(today, 1),
        3.2,
        [6, 5, 5],
        [4, 3, 4, 3],
        note="Nuevo gerente de abastecimiento: pidió cotizaciones a la competencia.",
    )
    minera_contacts = list(
        Contact.objects.filter(customer=ctx.customers["minera_norte"])
        .exclude(email="")
        .order_by("id")[:3]
    )
    # Three of ours answer, so each round reaches the minimum that makes it count.
    minera_team = [u["bruno"], u["director"], u["lucia"]]
    _round(ctx, "minera_norte", _months_ago(today, 13), minera_team, minera_contacts, 5.4, 5.1)
    _round(
        ctx,
        "minera_norte",
        _months_ago(today, 1),
        minera_team,
        minera_contacts,
        4.6,
        3.6,
        comments={minera_contacts[0].name: "Los plazos de entrega de informes se han alargado."}
        if minera_contacts
        else None,
    )
    _stage(
        ctx,
        "minera_norte",
        _months_ago(today, 1),
        "disintegrating",
        "disintegrating",
        [["rqi_drop", {"before": 5.2, "now": 4.0, "drop": 1.2}]],
    )

    # --- Energía Austral: a round open now, waiting for answers ---------------------------------
    energia_contacts = list(
        Contact.objects.filter(customer=ctx.customers["energia"])
        .exclude(email="")
        .order_by("id")[:2]
    )
    _round(
        ctx,
        "energia",
        today - timedelta(days=3),
        [u["ana"], u["felipe"]],
        energia_contacts,
        5.0,
        4.5,
        answered={u["ana"].name},
        closes_in_days=14,
    )
    ctx.log(
        f"    relationships: {Assessment.objects.count()} assessments, "
        f"{SurveyRound.objects.count()} survey rounds, "
        f"{Decimal(Answer.objects.count())} answers"
    )
