"""``kamp import assessments FILE``: factor scores in bulk, through the import engine
(kamp.core.imports: the CLI, the Imports page, the report, revert).

Columns ``customer,factor,score[,assessor][,date]``: the customer by tax id, external id or exact
name; the factor by its key in the active model (``co_investment`` for the willingness to
co-invest); the score on the model's scale; the assessor by e-mail or name (default: who
imports); the date (default: today). A score outside the scale, an unknown factor, customer or
assessor: the row is reported and, as for every import, nothing is written.
"""

from __future__ import annotations

from collections import Counter

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kamp.core import audit
from kamp.core.imports import Field, ImportKind, RowError, parse_date, parse_decimal, register
from kamp.core.models import User
from kamp.customers.imports.lookup import check_may_edit, customer_index

from . import engine, scoring
from .access import can_manage_selection
from .models import Assessment


@register
class AssessmentImport(ImportKind):
    name = "assessments"
    label = gettext_lazy("Selection assessments")
    description = gettext_lazy(
        "Factor scores for key account selection: customer, factor, score, and "
        "optionally the assessor and the date."
    )
    models = [Assessment]
    batch_size = 2000
    fields = [
        Field(
            "customer", gettext_lazy("customer"), ["Cliente", "RUT", "Razón social"], required=True
        ),
        Field(
            "factor", gettext_lazy("factor"), ["Criterio", "Factor"], required=True, max_length=40
        ),
        Field(
            "score",
            gettext_lazy("score"),
            ["Puntaje", "Nota", "Puntuación"],
            parser=parse_decimal,
            required=True,
        ),
        Field("assessor", gettext_lazy("assessor"), ["Evaluador", "Evaluadora"]),
        Field("date", gettext_lazy("date"), ["Fecha"], parser=parse_date),
    ]

    def may_import(self, user) -> bool:
        return bool(
            getattr(user, "is_authenticated", False)
            and user.is_active
            and (can_manage_selection(user) or user.is_kam)
        )

    def prepare(self, ctx) -> None:
        customer_index(ctx)
        model = engine.ensure_default_model()
        factors = list(model.factors.all())
        ctx.cache["model"] = model
        ctx.cache["assessed"] = {f.key for f in factors if f.source == scoring.ASSESSED} | {
            scoring.CO_INVESTMENT
        }
        ctx.cache["derived"] = {f.key for f in factors if f.source == scoring.DERIVED}
        people: dict[str, int] = {}
        for pk, email, name in User.objects.filter(is_active=True).values_list(
            "pk", "email", "name"
        ):
            people[email.lower()] = pk
            if name:
                people.setdefault(name.strip().lower(), pk)
        ctx.cache["people"] = people
        ctx.cache["today"] = timezone.localdate()

    def clean(self, row, ctx):
        customer_id = customer_index(ctx).resolve(row.pop("customer"))
        model = ctx.cache["model"]
        factor = row.pop("factor").strip()
        if factor in ctx.cache["derived"]:
            raise RowError(
                _("“%(factor)s” is computed from the sales data, not scored.") % {"factor": factor},
                "factor",
            )
        if factor not in ctx.cache["assessed"]:
            raise RowError(
                _("Unknown factor “%(factor)s” (the model “%(model)s” has: %(known)s).")
                % {
                    "factor": factor,
                    "model": model.name,
                    "known": ", ".join(sorted(ctx.cache["assessed"])),
                },
                "factor",
            )
        score = float(row.pop("score"))
        if not (model.scale_min <= score <= model.scale_max):
            raise RowError(
                _("The score %(score)s is outside the scale %(min)s–%(max)s.")
                % {
                    "score": f"{score:g}",
                    "min": f"{model.scale_min:g}",
                    "max": f"{model.scale_max:g}",
                },
                "score",
            )
        assessor = row.pop("assessor", None)
        if assessor:
            assessor_id = ctx.cache["people"].get(assessor.strip().lower())
            if assessor_id is None:
                raise RowError(
                    _("No active user with e-mail or name “%(who)s”.") % {"who": assessor},
                    "assessor",
                )
        elif getattr(ctx.user, "pk", None):
            assessor_id = ctx.user.pk
        else:
            raise RowError(
                _("Say who scored: an assessor column, or import as a user (--user)."), "assessor"
            )
        check_may_edit(ctx, customer_id)
        on = row.pop("date", None) or ctx.cache["today"]
        if on > ctx.cache["today"]:
            raise RowError(_("The date is in the future."), "date")
        return {
            "customer_id": customer_id,
            "factor": factor,
            "score": score,
            "assessor_id": assessor_id,
            "date": on,
        }

    def write(self, rows, ctx) -> None:
        # The same score given twice in one file: the latest date wins.
        latest: dict[tuple, dict] = {}
        for r in rows:
            k = (r["customer_id"], r["factor"], r["assessor_id"])
            if k not in latest or r["date"] >= latest[k]["date"]:
                latest[k] = r
        existing = {
            (a.customer_id, a.factor, a.assessor_id): a
            for a in Assessment.objects.filter(
                customer_id__in={k[0] for k in latest}, factor__in={k[1] for k in latest}
            )
            if (a.customer_id, a.factor, a.assessor_id) in latest
        }
        ctx.remember(existing.values(), ["score", "date"])
        changed, new = [], []
        for k, r in latest.items():
            a = existing.get(k)
            if a is None:
                new.append(
                    Assessment(
                        customer_id=k[0],
                        factor=k[1],
                        assessor_id=k[2],
                        score=r["score"],
                        date=r["date"],
                        import_batch=ctx.batch,
                    )
                )
            elif a.score != r["score"] or a.date != r["date"]:
                a.score, a.date = r["score"], r["date"]
                changed.append(a)
        Assessment.objects.bulk_create(new, batch_size=1000)
        if changed:
            now = timezone.now()
            for a in changed:
                a.updated_at = now
            Assessment.objects.bulk_update(
                changed, ["score", "date", "updated_at"], batch_size=1000
            )
        ctx.created += len(new)
        ctx.updated += len(changed)
        actor = ctx.user if getattr(ctx.user, "pk", None) else None
        for customer_id, n in Counter(k[0] for k in latest).items():
            audit.record(
                actor,
                "import",
                None,
                customer_id=customer_id,
                object_type="selection.assessment",
                object_id=ctx.batch.pk,
                object_repr=ctx.batch.filename,
                summary=_("%(n)d selection scores imported from %(file)s.")
                % {"n": n, "file": ctx.batch.filename},
            )
