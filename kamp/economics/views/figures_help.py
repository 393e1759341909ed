"""How is this computed? — the definition of each headline figure, in the reader's language,
from the same text as docs/figures.md (``kamp.economics.figures.DEFINITIONS``)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from kamp.core.http import AuthenticatedHttpRequest

from .. import figures


@require_GET
def figures_help(request: AuthenticatedHttpRequest):
    rows = [
        {"key": key, "label": label, "definition": figures.DEFINITIONS[key]}
        for key, label, _kind in figures.FIGURES
    ]
    return render(request, "economics/figures_help.html", {"rows": rows})
