"""The team area's part of the demo: account teams for every key account, KAM hat assessments
(by each KAM and by the director — Bruno's profile is only the salesperson hat), and the KAM
ownership history (Clínica Los Aromos changed KAM twice in two years)."""

from __future__ import annotations

from datetime import date, timedelta

from kamp.core.demo import DemoContext, part
from kamp.team.models import AccountTeamMember, HatAssessment, OwnershipChange, TeamRole


def _ago(ctx, days: int) -> date:
    return ctx.today - timedelta(days=days)


@part(order=20, base=True, name="kamp.team.demo:base")
def load_base(ctx: DemoContext) -> None:
    """CS's account team of the story (Patricia and Rodrigo its sponsors, Felipe a member),
    Lucía on Salmones and Felipe on Energía: what every other part may count on."""
    c = ctx.customers
    AccountTeamMember.objects.bulk_create(
        [
            AccountTeamMember(
                customer=c["cs"],
                user=ctx.users["director"],
                role=TeamRole.SPONSOR,
                responsibility="Patrocinadora ejecutiva",
                since=date(ctx.today.year - 2, 3, 1),
            ),
            AccountTeamMember(
                customer=c["cs"],
                user=ctx.users["rodrigo"],
                role=TeamRole.SPONSOR,
                responsibility="Socio a cargo de la relación con la gerencia general",
                since=date(ctx.today.year - 2, 3, 1),
            ),
            AccountTeamMember(
                customer=c["cs"],
                user=ctx.users["felipe"],
                role=TeamRole.MEMBER,
                responsibility="Control financiero de proyectos",
                since=date(ctx.today.year - 2, 6, 1),
            ),
            AccountTeamMember(
                customer=c["salmones"],
                user=ctx.users["lucia"],
                role=TeamRole.MEMBER,
                responsibility="Operaciones",
                since=date(ctx.today.year - 1, 1, 1),
            ),
            AccountTeamMember(
                customer=c["energia"],
                user=ctx.users["felipe"],
                role=TeamRole.MEMBER,
                responsibility="Modelos financieros",
                since=date(ctx.today.year - 1, 4, 1),
            ),
        ]
    )


@part(order=100)
def load(ctx) -> None:
    u, c = ctx.users, ctx.customers
    have = set(AccountTeamMember.objects.values_list("customer_id", "user_id"))
    rows = [
        # (customer, person, role, role on the account, since days ago)
        ("cs", "lucia", TeamRole.MEMBER, "Operaciones: coordinación con las obras", 420),
        ("andes_retail", "rodrigo", TeamRole.SPONSOR, "Socio patrocinador ante el directorio", 700),
        ("andes_retail", "felipe", TeamRole.MEMBER, "Modelos financieros y reportes", 500),
        ("andes_logistica", "director", TeamRole.SPONSOR, "Patrocinadora ejecutiva", 600),
        ("salmones", "rodrigo", TeamRole.SPONSOR, "Socio patrocinador", 380),
        ("salmones", "felipe", TeamRole.MEMBER, "Finanzas: covenants bancarios", 300),
        ("vinos", "director", TeamRole.SPONSOR, "Patrocinadora ejecutiva", 450),
        ("vinos", "lucia", TeamRole.MEMBER, "Operaciones: cosecha y exportación", 400),
        ("clinica", "rodrigo", TeamRole.SPONSOR, "Socio patrocinador", 250),
        ("energia", "director", TeamRole.SPONSOR, "Patrocinadora ejecutiva", 330),
        ("energia", "lucia", TeamRole.MEMBER, "Operaciones en Magallanes", 200),
        # Minera Altos del Norte is left without a sponsor: the dashboard flags it.
    ]
    new = []
    for ckey, ukey, role, resp, days in rows:
        if ckey not in c or ukey not in u or (c[ckey].pk, u[ukey].pk) in have:
            continue
        new.append(
            AccountTeamMember(
                customer=c[ckey],
                user=u[ukey],
                role=role,
                responsibility=resp,
                since=_ago(ctx, days),
            )
        )
    AccountTeamMember.objects.bulk_create(new)

    # Ownership history: when each key account got its KAM; Clínica Los Aromos changed twice.
    director = u["director"]
    changes = [
        ("cs", None, "ana", 700, "Primera KAM de CS tras la licitación perdida"),
        ("vinos", None, "ana", 900, ""),
        ("energia", None, "ana", 480, ""),
        ("andes_retail", None, "bruno", 1100, ""),
        ("andes_logistica", None, "bruno", 800, ""),
        ("minera_norte", None, "bruno", 1300, ""),
        ("salmones", None, "carla", 600, ""),
        ("clinica", None, "bruno", 1000, ""),
        ("clinica", "bruno", "ana", 600, "Bruno pasa a la zona norte"),
        ("clinica", "ana", "carla", 150, "Equilibrar la carga de Ana"),
    ]
    OwnershipChange.objects.bulk_create(
        [
            OwnershipChange(
                customer=c[ck],
                previous_owner=u[p] if p else None,
                new_owner=u[n],
                changed_on=_ago(ctx, days),
                changed_by=director,
                reason=reason,
            )
            for ck, p, n, days, reason in changes
            if ck in c
        ]
    )

    # The four hats: each KAM's own view and the director's (levels: S, C, St, I).
    hats = [
        ("ana", "self", 400, (4, 4, 3, 3), "Me falta sistematizar el plan de cuenta."),
        ("ana", "director", 380, (4, 4, 4, 3), "Conectó a la gerencia de CS con nuestros socios."),
        ("ana", "self", 30, (4, 5, 5, 4), "CS: nuevas iniciativas con finanzas y operaciones."),
        ("ana", "director", 20, (4, 5, 5, 4), "Directora de orquesta ejemplar en CS."),
        ("bruno", "self", 60, (5, 3, 3, 2), "Cierro los negocios grandes del norte."),
        (
            "bruno",
            "director",
            45,
            (5, 2, 2, 1),
            "Excelente vendedor; trabaja solo, sin plan ni equipo.",
        ),
        ("carla", "self", 90, (3, 3, 4, 4), ""),
        ("carla", "director", 80, (3, 3, 3, 4), "Trae ideas nuevas a Salmones del Sur."),
    ]
    HatAssessment.objects.bulk_create(
        [
            HatAssessment(
                kam=u[k],
                assessor=u[k] if src == "self" else director,
                source=src,
                assessed_on=_ago(ctx, days),
                salesperson=lv[0],
                conductor=lv[1],
                strategist=lv[2],
                innovator=lv[3],
                notes=notes,
            )
            for k, src, days, lv, notes in hats
            if k in u
        ]
    )
    ctx.log(
        f"    team: {len(new)} team members, {len(changes)} KAM changes, {len(hats)} hat assessments"
    )
