"""Every ``kamp`` command speaks one dialect: a shared flag has the same name, destination and
help in every command's parser; old spellings are only hidden aliases; ``kamp --help`` lists
every command."""

from __future__ import annotations

import argparse
import io
import sys

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError

from kamp import cli as kamp_cli
from kamp.core import cli

SHARED_BY_NAME = {f.name: f for f in cli.SHARED}
SHARED_BY_DEST = {f.dest: f for f in cli.SHARED}


def kamp_commands() -> list[tuple[str, str]]:
    return sorted(
        (name, app) for name, app in get_commands().items() if app.split(".")[0] == "kamp"
    )


def parsers(name: str, app: str):
    """The command's parser and each of its sub-commands' parsers, with a label."""
    top = load_command_class(app, name).create_parser("kamp", name)
    todo = [(name, top)]
    while todo:
        label, parser = todo.pop()
        yield label, parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo += [(f"{label} {sub}", p) for sub, p in action.choices.items()]


def options(parser: argparse.ArgumentParser):
    return [a for a in parser._actions if a.option_strings]


def test_the_walk_sees_kamps_commands():
    names = {name for name, _app in kamp_commands()}
    assert {"import", "pnl", "select", "relationships", "interactions", "programme"} <= names
    assert "migrate" not in names  # Django's own commands are not ours to rename


@pytest.mark.parametrize("name, app", kamp_commands())
def test_shared_flags_have_one_name_dest_and_help(name, app):
    for label, parser in parsers(name, app):
        for action in options(parser):
            hidden = action.help == argparse.SUPPRESS
            for spelling in action.option_strings:
                if spelling in cli.RETIRED:
                    assert hidden, (
                        f"kamp {label}: {spelling} is retired, use {cli.RETIRED[spelling]}"
                    )
                    shared = SHARED_BY_NAME[cli.RETIRED[spelling]]
                    assert action.dest == shared.dest, f"kamp {label}: {spelling} → {action.dest}"
                if spelling in SHARED_BY_NAME and not hidden:
                    shared = SHARED_BY_NAME[spelling]
                    assert (action.dest, action.help) == (shared.dest, shared.help), (
                        f"kamp {label}: {spelling} is not declared through kamp.core.cli"
                    )
            # The same meaning under another name: a visible flag that fills a shared
            # destination must be spelled as the shared flag.
            if not hidden and action.dest in SHARED_BY_DEST:
                assert SHARED_BY_DEST[action.dest].name in action.option_strings, (
                    f"kamp {label}: {action.option_strings} fills {action.dest}"
                )


def test_every_shared_flag_is_in_use():
    """Otherwise the test above passes over a flag that nobody declares."""
    used = {
        spelling
        for name, app in kamp_commands()
        for _label, parser in parsers(name, app)
        for action in options(parser)
        if action.help != argparse.SUPPRESS
        for spelling in action.option_strings
    }
    assert set(SHARED_BY_NAME) <= used


def test_an_old_spelling_still_works():
    parser = load_command_class("kamp.interactions", "interactions").create_parser(
        "kamp", "interactions"
    )
    opts = parser.parse_args(["import", "x.ics", "--as", "ana@example.com"])
    assert opts.user == "ana@example.com"
    assert "--as" not in parser._subparsers._group_actions[0].choices["import"].format_help()


def test_as_of_rejects_a_bad_date_with_a_message():
    with pytest.raises(CommandError, match="“2025-13-01” is not a date \\(YYYY-MM-DD\\)"):
        call_command("programme", "--as-of", "2025-13-01", stdout=io.StringIO())


def test_kamp_help_lists_every_command_by_area(monkeypatch):
    for name, _app in kamp_commands():
        assert f"\n  kamp {name}" in kamp_cli.USAGE, f"kamp --help does not list kamp {name}"
    areas = ["Running kamp", "Data in", "Selection", "Economics", "Programme"]
    positions = [kamp_cli.USAGE.index(f"\n{a}\n") for a in areas]
    assert positions == sorted(positions)

    out = io.StringIO()
    monkeypatch.setattr(sys, "argv", ["kamp", "--help"])
    monkeypatch.setattr(sys, "stdout", out)
    kamp_cli.main()
    assert out.getvalue().startswith(kamp_cli.USAGE)


def commands_taking(flag: str) -> list[str]:
    """The commands (with their sub-command: "interactions analyse") that take ``flag``."""
    return sorted(
        label
        for name, app in kamp_commands()
        for label, parser in parsers(name, app)
        if any(flag in a.option_strings and a.help != argparse.SUPPRESS for a in options(parser))
    )


# What a command needs besides --customer to run at all.
REQUIRED = {"pnl": ["--period", "2025"]}


def test_every_customer_option_is_walked():
    assert {"pnl", "select", "relationships", "interactions analyse", "check_data"} <= set(
        commands_taking("--customer")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("label", commands_taking("--customer"))
def test_every_customer_option_takes_any_identity(label, account, other_account):
    """Each command's --customer is read by the one resolver: kamp's id, the tax id with or
    without dots and dash, the external id; an unknown one is refused naming it, exit 2."""
    account.external_id = "ERP-17"
    account.save()
    args = [*label.split(), *REQUIRED.get(label, [])]
    for given in (str(account.pk), "76.123.456-0", "761234560", "ERP-17", "external_id:ERP-17"):
        call_command(*args, "--customer", given, stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="No customer “ERP-404”") as refused:
        call_command(*args, "--customer", "ERP-404", stdout=io.StringIO(), stderr=io.StringIO())
    assert refused.value.returncode == 2


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    """`kamp … | head`: when the reader closes the pipe, kamp stops quietly (exit status 1),
    with no BrokenPipeError traceback on stderr."""
    import subprocess
    from pathlib import Path

    from tests.core.processes import site_env

    kamp = Path(sys.executable).with_name("kamp")
    proc = subprocess.Popen(
        [str(kamp), "--help"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=site_env(tmp_path, None),
    )
    proc.stdout.close()  # the reader is gone before kamp writes its first line
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
