"""A real Dovecot IMAP server for the tests and the benchmark: started as ``dovecot -F -c
<generated config>`` on free ports of 127.0.0.1, with a passwd-file of users (each test its own,
so each starts with an empty mailbox), maildirs under a temporary folder, and a self-signed
certificate (``cryptography``) for TLS (imaps) and STARTTLS (imap).

Run as root, Dovecot's login processes run as the package's ``dovenull`` user and the mail as
``dovecot``; run as anyone else, everything runs as that user."""

from __future__ import annotations

import datetime as dt
import imaplib
import ipaddress
import itertools
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

REASON = "dovecot is not installed (Debian: apt-get install dovecot-imapd)"


def available() -> bool:
    return shutil.which("dovecot") is not None


def require() -> None:
    """Skip the test when Dovecot is not installed — fail instead with KAMP_REQUIRE_DOVECOT=1
    (CI installs dovecot-imapd and sets it)."""
    import pytest

    if available():
        return
    if os.environ.get("KAMP_REQUIRE_DOVECOT") == "1":
        pytest.fail(REASON + " and KAMP_REQUIRE_DOVECOT=1")
    pytest.skip(REASON)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class Dovecot:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="kamp-dovecot-"))
        os.chmod(self.root, 0o755)
        self.imap_port = _free_port()
        self.imaps_port = _free_port()
        self.passwd = self.root / "passwd.d"  # one passwd-file per user: read when first used
        self.passwd.mkdir()
        self.cafile, key = _certificate(self.root)
        os.chmod(key, 0o600)
        if os.geteuid() == 0:
            mail = pwd.getpwnam("dovecot")
            self.uid, self.gid = mail.pw_uid, mail.pw_gid
            internal, login = "dovecot", "dovenull"
        else:
            self.uid, self.gid = os.getuid(), os.getgid()
            internal = login = pwd.getpwuid(self.uid).pw_name
        for sub in ("mail", "home"):
            (self.root / sub).mkdir()
            os.chown(self.root / sub, self.uid, self.gid)
        self.config = self.root / "dovecot.conf"
        self.config.write_text(
            f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{self.cafile}
ssl_key = <{key}
auth_mechanisms = plain login
disable_plaintext_auth = no
auth_failure_delay = 0
default_internal_user = {internal}
default_internal_group = {internal}
default_login_user = {login}
first_valid_uid = {self.uid}
mail_location = maildir:{self.root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {self.passwd}/%u
}}
userdb {{
  driver = static
  args = uid={self.uid} gid={self.gid} home={self.root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    port = {self.imaps_port}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
"""
        )
        self.process: subprocess.Popen | None = None
        self._names = itertools.count(1)

    def start(self) -> Dovecot:
        self.process = subprocess.Popen(
            ["dovecot", "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"dovecot stopped: {self.process.stderr.read().decode()}"  # type: ignore[union-attr]
                )
            try:
                with socket.create_connection(("127.0.0.1", self.imaps_port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("dovecot did not start listening")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        shutil.rmtree(self.root, ignore_errors=True)

    # --- users and mail ----------------------------------------------------------------------

    def new_user(self, password: str = "dropbox-secret-1") -> str:
        """A new user with an empty mailbox."""
        name = f"dropbox{next(self._names)}"
        (self.passwd / name).write_text(f"{name}:{{PLAIN}}{password}::::::\n")
        return name

    def client(self, user: str, password: str = "dropbox-secret-1") -> imaplib.IMAP4_SSL:
        ctx = ssl.create_default_context(cafile=str(self.cafile))
        conn = imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port, ssl_context=ctx)
        conn.login(user, password)
        return conn

    def append(self, user: str, *messages: bytes, folder: str = "INBOX") -> None:
        conn = self.client(user)
        try:
            for raw in messages:
                typ, data = conn.append(folder, None, None, raw)
                assert typ == "OK", data
        finally:
            conn.logout()

    def deliver_files(self, user: str, messages) -> int:
        """Put many messages straight into the user's maildir (as a delivery agent would);
        Dovecot gives them UIDs when the folder is next opened. Returns how many."""
        conn = self.client(user)
        conn.select("INBOX")  # makes the maildir
        conn.logout()
        new = self.root / "mail" / user / "new"
        n = 0
        for n, raw in enumerate(messages, start=1):
            path = new / f"{int(time.time())}.M{n}P{os.getpid()}.kamp"
            path.write_bytes(raw)
            os.chown(path, self.uid, self.gid)
        return n

    def make_folder(self, user: str, folder: str, again: bool = False) -> None:
        """Create ``folder`` (``again``: delete it first, which gives it a new UIDVALIDITY)."""
        conn = self.client(user)
        try:
            if again:
                typ, data = conn.delete(folder)
                assert typ == "OK", data
            typ, data = conn.create(folder)
            assert typ == "OK", data
        finally:
            conn.logout()
