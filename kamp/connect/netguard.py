"""Outgoing connections to addresses people type (a CalDAV server, a secret calendar address, a
webhook receiver, the mail dropbox's IMAP server) reach only the public internet: never this
machine (loopback), link-local
addresses (169.254.169.254 is a cloud's metadata service, which hands out credentials), private
networks (10/8, 172.16/12, 192.168/16, fc00::/7…), other reserved ranges, or kamp's own server.
Otherwise a calendar "address" would let any user read kamp's internal services.

The check is made twice:

- when the address is saved (:func:`check_url`): the host is resolved and every address it
  names must be allowed; the form says why beside the field;
- at every connection (:func:`create_connection`, :class:`GuardedResolver`): the host is
  resolved again, every address checked, and the socket opened to an address just checked — a
  name that resolved to a public address when saved and to 127.0.0.1 now (DNS rebinding) is
  refused, and so is a redirect to a private address (the redirected request is a new
  connection, checked the same way).

An operator whose calendar server or receiver is on the company network allows it:
``KAMP_CONNECT_ALLOWED_NETWORKS=10.20.0.0/16,192.168.5.7`` (those networks only) or
``KAMP_CONNECT_ALLOW_PRIVATE=1`` (every address: a server on this machine, as in the tests).
No proxy from the environment is used for these connections: the address checked must be the
one connected to."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import threading
import time
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

OWN_TTL = 300  # seconds the server's own addresses are kept


class Blocked(OSError):
    """A connection refused because ``host`` leads to ``address``, which is not allowed."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} resolves to {address}, a private or local address")
        self.host = host
        self.address = address

    def message(self) -> str:
        """For the person who typed the address (the host and its address are not secrets)."""
        return _(
            "%(host)s leads to %(address)s, an address of a private network or of this server: "
            "kamp does not connect there. If it is your company's server, an administrator can "
            "allow its network (KAMP_CONNECT_ALLOWED_NETWORKS)."
        ) % {"host": self.host, "address": self.address}


class Unresolvable(OSError):
    def __init__(self, host: str) -> None:
        super().__init__(f"{host} could not be found")
        self.host = host

    def message(self) -> str:
        return _("The host %(host)s could not be found.") % {"host": self.host}


# --- what is allowed ---------------------------------------------------------------------------


def allow_private() -> bool:
    return bool(getattr(settings, "KAMP_CONNECT_ALLOW_PRIVATE", False))


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    raw = getattr(settings, "KAMP_CONNECT_ALLOWED_NETWORKS", "") or ""
    items = raw.replace(";", ",").split(",") if isinstance(raw, str) else list(raw)
    return [ipaddress.ip_network(str(i).strip(), strict=False) for i in items if str(i).strip()]


def _plain(ip: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv6 one that carries it (::ffff:127.0.0.1, 6to4, NAT64's
    well-known prefix): checked as itself."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in ipaddress.ip_network("64:ff9b::/96"):
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def is_public(ip: IPAddress) -> bool:
    """Reachable on the public internet: not loopback, link-local, private, shared (CGNAT),
    multicast, reserved or unspecified (``ipaddress``'s ``is_global`` from IANA's registries)."""
    ip = _plain(ip)
    return ip.is_global and not ip.is_multicast


_own: dict[str, tuple[float, frozenset[IPAddress]]] = {}
_own_lock = threading.Lock()


def own_addresses() -> frozenset[IPAddress]:
    """This server's addresses: its host name's and KAMP_BASE_URL's (a public kamp must not be
    made to call itself), kept a few minutes."""
    base = urllib.parse.urlsplit(getattr(settings, "KAMP_BASE_URL", "") or "").hostname or ""
    key = f"{socket.gethostname()}|{base}"
    now = time.monotonic()
    with _own_lock:
        cached = _own.get(key)
        if cached and now - cached[0] < OWN_TTL:
            return cached[1]
    found: set[IPAddress] = set()
    for name in {socket.gethostname(), base} - {""}:
        try:
            for info in socket.getaddrinfo(name, None, type=socket.SOCK_STREAM):
                found.add(_plain(ipaddress.ip_address(str(info[4][0]).split("%")[0])))
        except (OSError, UnicodeError, ValueError):
            continue
    result = frozenset(found)
    with _own_lock:
        _own[key] = (now, result)
    return result


def permitted(address: str | IPAddress) -> bool:
    ip = ipaddress.ip_address(str(address).split("%")[0])
    if allow_private():
        return True
    if any(_plain(ip) in net or ip in net for net in allowed_networks()):
        return True
    return is_public(ip) and _plain(ip) not in own_addresses()


# --- resolving and connecting ------------------------------------------------------------------


def checked(host: str, records: list[Any]) -> list[Any]:
    """``records`` (getaddrinfo's) if every address they name is allowed; else :class:`Blocked`
    for the first that is not. Every one, not the first: a connection may try any of them."""
    for record in records:
        address = str(record[4][0])
        if not permitted(address):
            raise Blocked(host, address)
    return records


def resolve(host: str, port: int | None, kind: int = socket.SOCK_STREAM) -> list[Any]:
    """The host's addresses, each checked (:class:`Blocked`, :class:`Unresolvable`)."""
    try:
        records = socket.getaddrinfo(host, port, type=kind)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolvable(host) from exc
    if not records:
        raise Unresolvable(host)
    return checked(host, records)


def check_url(url: str) -> None:
    """When an address is saved: its host must lead only to allowed addresses
    (``ValidationError`` with the reason otherwise). A name that cannot be found yet passes:
    each connection checks again, and a receiver's name may be registered in DNS later."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        raise ValidationError(_("This is not a web address.")) from None
    try:
        resolve(host, port or (443 if parts.scheme == "https" else 80))
    except Unresolvable:
        return
    except Blocked as exc:
        raise ValidationError(exc.message()) from None


def check_host(host: str, port: int | None) -> None:
    """:func:`check_url` for a server given by host and port (the mail dropbox's IMAP server):
    ``ValidationError`` with the reason when the host leads to an address not allowed; a name
    that cannot be found yet passes (each connection checks again)."""
    try:
        resolve(host.strip(), port)
    except Unresolvable:
        return
    except Blocked as exc:
        raise ValidationError(exc.message()) from None


_DEFAULT = object()


def create_connection(
    address: tuple[str, int], timeout: Any = _DEFAULT, source_address: Any = None, **_kw: Any
) -> socket.socket:
    """``socket.create_connection`` that connects only to addresses it has just checked."""
    host, port = address
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in resolve(host, port):
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not _DEFAULT and timeout is not getattr(
                socket, "_GLOBAL_DEFAULT_TIMEOUT", _DEFAULT
            ):
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    raise error or Unresolvable(host)


class GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = create_connection


class GuardedHTTPSConnection(http.client.HTTPSConnection):
    """TLS still checks the certificate against the host name (not the address connected to)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = create_connection


def connection_class(scheme: str) -> type[http.client.HTTPConnection]:
    return GuardedHTTPSConnection if scheme == "https" else GuardedHTTPConnection


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(GuardedHTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(GuardedHTTPSConnection, req, context=self._context)


def opener() -> urllib.request.OpenerDirector:
    """``urllib`` following redirects over http(s) only, each connection checked; no proxy
    from the environment, no ftp:// or file:// a redirect could lead to."""
    director = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.UnknownHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
        _HTTPHandler(),
        _HTTPSHandler(),
    ):
        director.add_handler(handler)
    return director


def niquests_session() -> Any:
    """A niquests session (caldav's HTTP library) whose resolver checks every address it hands
    to a connection: redirects and the calendars a server names on other hosts included."""
    import niquests
    from niquests.packages.urllib3.contrib.resolver.system import SystemResolver

    class GuardedResolver(SystemResolver):
        def getaddrinfo(self, host, port, family, type, proto=0, flags=0, **kwargs):  # noqa: A002
            name = host.decode() if isinstance(host, bytes) else str(host or "")
            try:
                records = super().getaddrinfo(host, port, family, type, proto, flags, **kwargs)
            except (socket.gaierror, UnicodeError) as exc:
                raise Unresolvable(name) from exc
            return checked(name, records)

    session = niquests.Session(resolver=GuardedResolver(), disable_http3=True)
    session.trust_env = False  # no proxy nor .netrc from the environment
    return session


def blocked_in(exc: BaseException | None) -> Blocked | Unresolvable | None:
    """The refusal behind an HTTP library's wrapped error, if that is what it was."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, (Blocked, Unresolvable)):
            return exc
        reason = getattr(exc, "reason", None)
        if isinstance(reason, (Blocked, Unresolvable)):
            return reason
        for arg in getattr(exc, "args", ()):
            if isinstance(arg, (Blocked, Unresolvable)):
                return arg
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None
