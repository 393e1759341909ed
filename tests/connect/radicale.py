"""A real Radicale CalDAV server on 127.0.0.1 for the calendar sync tests and bench/sync.py: a
process of its own on a free port, one htpasswd user, its storage in a temporary folder."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

USER = "kam"
PASSWORD = "app-pass-Ω-123"


@dataclass
class Radicale:
    url: str
    user: str
    password: str
    folder: Path
    process: subprocess.Popen

    def calendar_url(self, name: str = "work") -> str:
        return f"{self.url}/{self.user}/{name}/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def radicale(folder: Path) -> Iterator[Radicale]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "users").write_text(f"{USER}:{PASSWORD}\n", encoding="utf-8")
    port = free_port()
    log = open(folder / "radicale.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--auth-type",
            "htpasswd",
            "--auth-htpasswd-filename",
            str(folder / "users"),
            "--auth-htpasswd-encryption",
            "plain",
            "--storage-filesystem-folder",
            str(folder / "collections"),
            "--rights-type",
            "owner_only",
            "--logging-level",
            "warning",
            "--server-max-content-length",
            "200000000",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/.web/", timeout=1).close()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "Radicale did not start: "
                        + (folder / "radicale.log").read_text(errors="replace")[-2000:]
                    ) from None
                time.sleep(0.1)
        yield Radicale(url=url, user=USER, password=PASSWORD, folder=folder, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
