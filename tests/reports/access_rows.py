"""Access rows of the plan exports (PDF, PowerPoint): see docs/roles.md."""

from tests.access_policies import NOT_ALLOWED, Api, Web

WEB = [
    Web("reports:plan_pdf", get="READ", post=NOT_ALLOWED, kwargs=lambda w: {"plan_pk": w.plan.pk}),
    Web("reports:plan_pptx", get="READ", post=NOT_ALLOWED, kwargs=lambda w: {"plan_pk": w.plan.pk}),
]

API: list[Api] = []
