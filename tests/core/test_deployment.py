"""The systemd units shipped in ``deploy/systemd/`` (docs/deployment.md): each parses, has what a
unit of its kind needs, and runs a ``kamp`` command that exists with options it accepts.

``systemd-analyze verify`` (Debian ``systemd``) checks them as systemd reads them when it is
installed (required under .ci/run: ``KAMP_REQUIRE_SYSTEMD_ANALYZE=1``); the keys and commands
are checked with configparser in any case.
"""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
KAMP = "/opt/kamp/venv/bin/kamp"
SERVICES = ["kamp.service", "kamp-worker.service", "kamp-backup.service"]


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string((UNITS / name).read_text())
    return parser


def test_the_units_shipped():
    assert sorted(p.name for p in UNITS.iterdir()) == sorted([*SERVICES, "kamp-backup.timer"])


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_a_kamp_command_that_exists(name):
    unit = _unit(name)
    assert unit["Unit"]["Description"]
    service = unit["Service"]
    assert service["User"] == "kamp"
    assert service["EnvironmentFile"] == "/etc/kamp/kamp.env"
    assert "KAMP_HOME=/var/lib/kamp" in service["Environment"]
    argv = shlex.split(service["ExecStart"])
    assert argv[0] == KAMP
    command = argv[1]
    commands = get_commands()
    assert command in commands, f"{name}: `kamp {command}` is no kamp command"
    parser = load_command_class(commands[command], command).create_parser("kamp", command)
    if argv[2:]:  # (the worker's parser checks its task backend, the test settings' differs)
        parser.parse_args(argv[2:])  # an error on an option the command does not take
    if name == "kamp-backup.service":
        assert service["Type"] == "oneshot"
        assert "--keep" in argv  # retention
    else:
        assert service["Restart"] in {"always", "on-failure"}
        assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_the_timer_runs_the_backup_daily():
    timer = _unit("kamp-backup.timer")
    assert timer["Timer"]["Unit"] == "kamp-backup.service"
    assert timer["Timer"]["OnCalendar"].startswith("*-*-*")
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_systemd_reads_the_units(tmp_path):
    if not shutil.which("systemd-analyze"):
        if os.environ.get("KAMP_REQUIRE_SYSTEMD_ANALYZE") == "1":  # set by .ci/run
            pytest.fail("KAMP_REQUIRE_SYSTEMD_ANALYZE=1 but systemd-analyze is not installed")
        pytest.skip("systemd-analyze not installed (Debian package systemd)")
    # The units name kamp where the deployment guide installs it; here, the one of this checkout.
    here = str(Path(sys.executable).with_name("kamp"))
    for unit in UNITS.iterdir():
        (tmp_path / unit.name).write_text(unit.read_text().replace(KAMP, here))
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    problems = [
        line
        for line in done.stderr.splitlines()
        # the machine running the tests has no user "kamp" and no /etc/kamp: not the units' fault
        if "kamp.env" not in line and "User" not in line
    ]
    assert done.returncode == 0 or not problems, done.stderr
    assert problems == [], done.stderr
