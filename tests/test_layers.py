"""kamp's layers (docs/development.md, "The house"): the import-linter contracts of
``.importlinter`` hold for kamp, and each of them fails when its rule is broken.

The second half proves the checker is not a test that cannot fail: it builds a small package
with every module the contracts name (same layout, no code), checks that it passes, then breaks
one rule at a time and expects exactly that contract to fail.
"""

from __future__ import annotations

import configparser
import importlib
import itertools
import re
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".importlinter"
_names = itertools.count()


def lint(config: Path, capsys, contract: str | None = None) -> tuple[int, str]:
    """Run import-linter on ``config`` (only ``contract``, an id, when given)."""
    code = lint_imports(
        config_filename=str(config),
        limit_to_contracts=(contract,) if contract else (),
        no_cache=True,
        no_logo=True,
    )
    return code, capsys.readouterr().out


def contract_ids() -> list[str]:
    config = configparser.ConfigParser()
    config.read(CONFIG)
    prefix = "importlinter:contract:"
    return [s.removeprefix(prefix) for s in config.sections() if s.startswith(prefix)]


def test_kamp_keeps_its_layers(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out = lint(CONFIG, capsys)
    assert code == 0, out
    # Each rule of docs/development.md has its contract.
    assert {"pure", "core", "acyclic", "views-customers", "views-plans"} <= set(contract_ids())


def _contract(config: configparser.ConfigParser, cid: str, key: str) -> set[str]:
    return set(config.get(f"importlinter:contract:{cid}", key, fallback="").split())


def test_the_contracts_cover_every_kamp_app():
    """A new app is under the rules the day it is installed: core may not import it, it may
    not import another app's views nor another its views, and it has no circle inside."""
    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    config = configparser.ConfigParser()
    config.read(CONFIG)
    kamp_apps = {a.name: a for a in apps.get_app_configs() if a.name.startswith("kamp.")}
    business = set(kamp_apps) - {"kamp.core"}
    assert _contract(config, "core", "forbidden_modules") == business
    assert _contract(config, "acyclic", "ancestors") == set(kamp_apps)
    with_views = {n for n in business if module_has_submodule(kamp_apps[n].module, "views")}
    for name in sorted(business):
        label = name.removeprefix("kamp.")
        assert _contract(config, f"views-{label}", "source_modules") == {name}, (
            f".importlinter: add a contract views-{label} (see views-customers)"
        )
        assert _contract(config, f"views-{label}", "forbidden_modules") == {
            f"{other}.views" for other in with_views - {name}
        }, f".importlinter: views-{label} must forbid every other app's views"


# --- the contracts can fail ---------------------------------------------------------------------
def _modules_and_ignored(config: configparser.ConfigParser) -> tuple[set[str], list[str]]:
    modules: set[str] = set()
    ignored: list[str] = []
    for section in config.sections():
        for key in ("source_modules", "forbidden_modules", "ancestors"):
            modules.update(config.get(section, key, fallback="").split())
        ignored += [
            line.strip() for line in config.get(section, "ignore_imports", fallback="").splitlines()
        ]
    return {m for m in modules if m.startswith("kamp")}, [i for i in ignored if i]


def _write_module(base: Path, dotted: str, code: str = "", package: bool = False) -> None:
    """Create ``dotted`` (a module, or a package with ``package``) and its parent packages under
    ``base``, appending ``code`` to it."""
    parts = dotted.split(".")
    for i in range(1, len(parts) + (1 if package else 0)):
        folder = base.joinpath(*parts[:i])
        folder.mkdir(exist_ok=True)
        (folder / "__init__.py").touch()
    path = base.joinpath(*parts, "__init__.py")
    if not path.exists():
        path = base.joinpath(*parts[:-1], parts[-1] + ".py")
    with path.open("a") as f:
        f.write(code)


@pytest.fixture
def fake_kamp(tmp_path, monkeypatch, capsys):
    """A package laid out like kamp (every module the contracts name, empty), under a fresh
    name, with a copy of the contracts pointing at it. Returns ``(add, check, failing)``:
    ``add(module, code)`` appends code to a module (named ``kamp.…``: renamed on the way),
    ``check()`` runs the linter (exit code, report), ``failing()`` lists the ids of the
    contracts that fail."""
    name = f"kampfake{next(_names)}"  # nothing cached from an earlier test

    def rename(text: str) -> str:
        return re.sub(r"\bkamp\b", name, text)

    config = configparser.ConfigParser()
    config.read(CONFIG)
    modules, ignored = _modules_and_ignored(config)
    for module in sorted(modules):
        _write_module(tmp_path, rename(module), package=module.count(".") == 1)
    # kamp's known exceptions are imports that exist; they must exist here too (an exception
    # that matches nothing is an error of its own).
    for line in ignored:
        importer, imported = (part.strip() for part in line.split("->"))
        _write_module(tmp_path, rename(importer), f"import {rename(imported)}\n")
    contracts = tmp_path / "contracts.ini"
    contracts.write_text(rename(CONFIG.read_text()))
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()

    def add(module: str, code: str) -> None:
        _write_module(tmp_path, rename(module), rename(code) + "\n")

    def check() -> tuple[int, str]:
        return lint(contracts, capsys)

    def failing() -> list[str]:
        """The ids of the contracts that fail, each checked on its own."""
        return [c for c in contract_ids() if lint(contracts, capsys, c)[0] != 0]

    return add, check, failing


def test_the_copy_of_kamp_passes(fake_kamp):
    _add, check, _failing = fake_kamp
    code, out = check()
    assert code == 0 and "0 broken" in out, out


CORE, PURE = "core", "pure"


@pytest.mark.parametrize(
    "changes, contract",
    [
        pytest.param(
            [("kamp.core.views", "from kamp.customers import models")],
            CORE,
            id="core-imports-an-app",
        ),
        pytest.param(
            # Through a module that is no app: still core depending on an app.
            [("kamp.core.imports.base", "import kamp.api"), ("kamp.api", "import kamp.plans")],
            CORE,
            id="core-through-another-module",
        ),
        pytest.param(
            [("kamp.selection.scoring", "from django.db import models")],
            PURE,
            id="pure-imports-django",
        ),
        pytest.param(
            # A kamp module that imports Django is as bad for a pure module as Django itself.
            [
                ("kamp.economics.pnl", "from kamp.economics import helper"),
                ("kamp.economics.helper", "import django.db"),
            ],
            PURE,
            id="pure-through-another-module",
        ),
        pytest.param(
            [("kamp.plans.summary", "from kamp.customers.views import customer_context")],
            "views-plans",
            id="app-imports-another-apps-views",
        ),
        pytest.param(
            [
                ("kamp.economics.exports", "from kamp.economics import views"),
                ("kamp.economics.views", "from kamp.economics import exports"),
            ],
            "acyclic",
            id="circle-inside-an-app",
        ),
        pytest.param(
            # Inside a package of an app, too (the import engine's base and liveness were one).
            [
                ("kamp.core.imports.base", "from kamp.core.imports import liveness"),
                ("kamp.core.imports.liveness", "from kamp.core.imports import base"),
            ],
            "acyclic",
            id="circle-inside-a-package-of-an-app",
        ),
        pytest.param(
            # Through a function-level import: a circle still (the P&L rows' one was).
            [
                ("kamp.economics.portfolio", "def f():\n    from kamp.economics import tasks"),
                ("kamp.economics.tasks", "from kamp.economics import portfolio"),
            ],
            "acyclic",
            id="circle-through-a-late-import",
        ),
        pytest.param(
            [("kamp.core.views", "import kamp.mailcapture.models")],
            CORE,
            id="core-imports-the-newest-app",
        ),
    ],
)
def test_each_contract_fails_when_broken(fake_kamp, changes, contract):
    add, check, failing = fake_kamp
    for module, code in changes:
        add(module, code)
    exit_code, out = check()
    assert exit_code == 1, out
    assert failing() == [contract], out
