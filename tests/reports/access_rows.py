"""Access rows of the plan exports (PDF, PowerPoint): see docs/roles.md. They answer a POST
like a GET (an export is recorded in the audit log either way)."""

from tests.access_policies import Api, Web

WEB = [
    Web("reports:plan_pdf", get="READ", post="READ", kwargs=lambda w: {"plan_pk": w.plan.pk}),
    Web("reports:plan_pptx", get="READ", post="READ", kwargs=lambda w: {"plan_pk": w.plan.pk}),
]

API: list[Api] = []
