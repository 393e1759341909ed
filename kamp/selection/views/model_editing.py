"""Selection models and their factors: list, edit, load from and export to TOML, activate, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kamp.core.formatting import format_number
from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.versioning import CONFLICT_MESSAGE, VersionConflict

from .. import actions, engine
from ..access import require_manager
from ..forms import (
    FactorFormSet,
    LoadModelForm,
    SelectionModelForm,
    factor_initial,
    spec_from_forms,
)
from ..modelfile import SpecError, parse_toml, spec_of, to_toml
from ..models import EvidenceKind, SelectionModel


def model_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_manager(request.user)
    engine.ensure_default_model()
    models_ = list(SelectionModel.objects.prefetch_related("factors"))
    form = LoadModelForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            spec = parse_toml(raw.decode("utf-8"))
            existing = SelectionModel.objects.filter(name=spec.name).first()
            model = actions.do_save_model(
                request.user, spec, existing, activate=form.cleaned_data["activate"]
            )
        except UnicodeDecodeError:
            problems = [_("The file must be UTF-8 text.")]
        except SpecError as exc:
            problems = exc.problems
        else:
            messages.success(request, _("Model “%(name)s” loaded.") % {"name": model.name})
            return redirect("selection:models")
    return render(
        request,
        "selection/models.html",
        {
            "models": models_,
            "form": form,
            "problems": problems,
            "site_cap": SelectionModel().effective_cap(),
        },
    )


def weight_lines(weights: dict) -> str:
    return (
        ", ".join(
            f"{EvidenceKind(k).label}: {format_number(v, 2, trim=True)}" for k, v in weights.items()
        )
        or "—"
    )


def model_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    require_manager(request.user)
    model = get_object_or_404(SelectionModel, pk=pk) if pk else None
    form = SelectionModelForm(request.POST or None, instance=model)
    if model is None and not request.POST:
        initial = factor_initial(engine.ensure_default_model())
    else:
        initial = factor_initial(model)
    formset = FactorFormSet(request.POST or None, initial=initial, prefix="factor")
    problems: list[str] = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        version = form.take_version() if model else None
        spec = spec_from_forms(form, formset)
        fresh = SelectionModel.objects.get(pk=model.pk) if model else None
        try:
            saved = actions.do_save_model(
                request.user,
                spec,
                fresh,
                activate=bool(request.POST.get("activate")),
                version=version,
            )
        except SpecError as exc:
            problems = exc.problems
        except VersionConflict as exc:
            if exc.current is None:
                raise Http404("No such model") from None
            # Saved meanwhile by another manager: both versions (the factors too), they choose.
            theirs, yours = factor_lines(spec_of(exc.current)), factor_lines(spec)
            extra = (
                [{"label": _("Factors"), "theirs": theirs, "yours": yours}]
                if theirs != yours
                else []
            )
            if (exc.current.reciprocity_weights or {}) != spec.reciprocity_weights:
                extra.append(
                    {
                        "label": capfirst(_("weights of the reciprocity evidence")),
                        "theirs": weight_lines(exc.current.reciprocity_weights or {}),
                        "yours": weight_lines(spec.reciprocity_weights),
                    }
                )
            form.show_conflict(exc.current, CONFLICT_MESSAGE, extra)
        if not problems and not form.errors:
            messages.success(request, _("Model “%(name)s” saved.") % {"name": saved.name})
            return redirect("selection:models")
    return render(
        request,
        "selection/model_form.html",
        {
            "model": model,
            "form": form,
            "formset": formset,
            "problems": problems,
            "site_cap": SelectionModel().effective_cap(),
        },
        status=409 if form.conflicts else 200,
    )


def factor_lines(spec) -> str:
    """A model's factors as the conflict table shows them."""
    return "; ".join(f"{f.key} ({f.weight:g})" for f in spec.factors)


@require_POST
def model_activate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_manager(request.user)
    model = get_object_or_404(SelectionModel, pk=pk)
    actions.do_activate_model(request.user, model)
    messages.success(request, _("“%(name)s” is now the active model.") % {"name": model.name})
    return redirect("selection:models")


@require_POST
def model_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_manager(request.user)
    model = get_object_or_404(SelectionModel, pk=pk)
    try:
        actions.do_delete_model(request.user, model)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Model deleted."))
    return redirect("selection:models")


def model_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        raise Http404
    model = get_object_or_404(SelectionModel, pk=pk)
    response = HttpResponse(
        to_toml(model, model.effective_cap()), content_type="application/toml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="selection-model-{model.pk}.toml"'
    return response
