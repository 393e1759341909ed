"""The programme area's part of the demo: SAF's readiness self-assessment taken twice (a year
ago and this month), so the result page shows where SAF stands and how far it has come."""

from __future__ import annotations

from datetime import timedelta

from kamp.core.demo import part
from kamp.programme import readiness
from kamp.programme.models import ReadinessAssessment
from kamp.programme.questionnaire import questions_data

# Answers (0–3) a year ago, when SAF had just made CS its first key account…
FIRST = {
    "people_kam": 2,
    "people_team": 1,
    "people_time": 1,
    "competence_training": 0,
    "competence_customer": 2,
    "sponsorship_assigned": 2,
    "sponsorship_review": 1,
    "sponsorship_resources": 1,
    "offering_tailored": 2,
    "offering_cocreation": 1,
    "technology_info": 1,
    "technology_channels": 0,
    "structure_org": 1,
    "structure_selection": 1,
    "profit_measure": 1,
    "profit_demands": 1,
    "profit_review": 1,
    "kams_profile": 1,
    "kams_retention": 1,
    "kams_incentives": 0,
    "support_functions": 1,
    "support_contacts": 1,
    "trust_measure": 0,
    "trust_sharing": 1,
    "trust_horizon": 2,
}
# …and now: teams, sponsors and measurement in place; incentives and channels still behind.
NOW = {
    **FIRST,
    "people_team": 2,
    "people_time": 2,
    "competence_training": 2,
    "sponsorship_review": 2,
    "offering_cocreation": 2,
    "technology_info": 2,
    "structure_selection": 3,
    "profit_measure": 2,
    "profit_review": 2,
    "kams_profile": 2,
    "support_contacts": 2,
    "trust_measure": 2,
    "trust_sharing": 2,
}


@part(order=160)
def load(ctx) -> None:
    director = ctx.users.get("director")
    q = questions_data()
    for answers, days, notes in (
        (FIRST, 365, "Primer año del programa KAM."),
        (NOW, 10, "Revisión anual con el comité de gerencia."),
    ):
        result = readiness.score(q, answers)
        ReadinessAssessment.objects.create(
            taken_by=director,
            taken_on=ctx.today - timedelta(days=days),
            answers=answers,
            scores=result["areas"],
            overall=result["overall"],
            level=result["level"] or "",
            steps=readiness.next_steps(q, answers),
            notes=notes,
        )
    ctx.log("    programme: 2 readiness self-assessments")
