"""``kamp model load FILE`` (makes the loaded model active) and ``kamp model show [--model NAME]``
(the active model, or the one named, as TOML; ``--name`` is its older spelling)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kamp.core.cli import add_hidden_alias, add_model_argument, add_user_argument, resolve_user
from kamp.selection import actions, engine
from kamp.selection.modelfile import SpecError, parse_toml, to_toml
from kamp.selection.models import SelectionModel


class Command(BaseCommand):
    help = "Load a selection model from a TOML file (it becomes the active one), or show the active model."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Load FILE and make it the active model.")
        load.add_argument("file")
        add_user_argument(load)
        show = sub.add_parser("show", help="Print the active model (or --model) as TOML.")
        add_model_argument(show)
        add_hidden_alias(show, "--name", dest="model")

    def handle(self, *args, **opts):
        if opts["action"] == "show":
            if opts.get("model"):
                try:
                    model = SelectionModel.objects.get(name=opts["model"])
                except SelectionModel.DoesNotExist:
                    raise CommandError(
                        f"No selection model called {opts['model']!r}.", returncode=2
                    )
            else:
                model = engine.ensure_default_model()
            self.stdout.write(to_toml(model, model.effective_cap()), ending="")
            return
        path = Path(opts["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}")
        user = resolve_user(opts.get("user"))
        try:
            spec = parse_toml(text)
            existing = SelectionModel.objects.filter(name=spec.name).first()
            model = actions.do_save_model(user, spec, existing, activate=True)
        except SpecError as exc:
            raise CommandError(
                "The model was refused:\n" + "\n".join(f"  - {p}" for p in exc.problems)
            )
        n = model.factors.count()
        self.stdout.write(
            f"Loaded selection model {model.name!r} ({n} factors); it is now the active model."
        )
