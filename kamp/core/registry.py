"""Where the business apps plug their parts into core, so that core imports none of them (the
layer rule of docs/development.md, kept by tests/test_layers.py).

Modelled on NetBox's ``registry.py`` (a fixed set of named stores, filled by the apps) and
Wagtail's hooks (each app's module of a given name discovered once):

- **import kinds**: each app's ``imports`` module (or package) registers its kinds with
  :func:`kamp.core.imports.register`; the engine imports those modules through :func:`discover`.
- **demo parts**: each app's ``demo`` module decorates its ``load(ctx)`` with
  :func:`kamp.core.demo.part` (an explicit ``order``); ``kamp demo`` runs them in that order.
- **hooks**: a named function an app provides from its ``AppConfig.ready()`` with
  :func:`provide` and core calls when present (:func:`hook`): ``customer_by_id(pk)`` (the
  audit trail's customer filter).
- **list labels**: how the audit trail names the values of a list field (``dmu_roles``), set by
  the app that owns the field.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from types import ModuleType
from typing import Any

from django.apps import apps
from django.utils.module_loading import module_has_submodule

#: The stores. Fixed: a typo in a store's name is an error, not a new store.
registry: dict[str, dict[str, Any]] = {
    "demo_parts": {},  # name → kamp.core.demo.DemoPart
    "hooks": {},  # name → function
    "list_labels": {},  # JSON list field's name → {value: label}, for the audit trail
}


def kamp_apps() -> list:
    """kamp's own app configs (not Django's or third parties'), in INSTALLED_APPS order."""
    return [a for a in apps.get_app_configs() if a.name.startswith("kamp.")]


def discover(module_name: str) -> list[ModuleType]:
    """Import ``<app>.<module_name>`` of every kamp app that has one, in INSTALLED_APPS order
    (an error inside an existing module is not hidden)."""
    found = []
    for app in kamp_apps():
        if module_has_submodule(app.module, module_name):
            found.append(import_module(f"{app.name}.{module_name}"))
    return found


def provide(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Register ``function`` as the hook ``name`` (the last registration wins, so a test can
    replace one)."""
    registry["hooks"][name] = function
    return function


def hook(name: str) -> Callable[..., Any] | None:
    """The function registered as ``name``, or ``None`` when no app provides it."""
    return registry["hooks"].get(name)
