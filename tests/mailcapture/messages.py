"""Real MIME messages as mail programs send them (built with the standard library's ``email``,
or written out byte for byte where a program's own shape matters)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

WHEN = datetime(2025, 3, 3, 13, 15, tzinfo=UTC)


def plain(
    sender,
    to,
    subject: str = "Propuesta de mantención 2025",
    *,
    cc=(),
    when: datetime = WHEN,
    msgid: str | None = None,
    body: str = "Hola, adjunto la propuesta.\n",
    html: str | None = None,
    extra: dict | None = None,
) -> bytes:
    """``sender``/``to``: an address or (name, address)."""
    msg = EmailMessage()
    msg["From"] = _addr(sender)
    msg["To"] = [_addr(a) for a in _list(to)]
    if cc:
        msg["Cc"] = [_addr(a) for a in _list(cc)]
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = msgid or make_msgid(domain="mail.test")
    for k, v in (extra or {}).items():
        msg[k] = v
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg.as_bytes()


def _list(x):
    return [x] if isinstance(x, str | tuple) else list(x)


def _addr(a) -> Address:
    if isinstance(a, tuple):
        name, email = a
    else:
        name, email = "", a
    user, domain = email.split("@")
    return Address(name, user, domain)


def gmail_forward(forwarder, dropbox, original_from, original_to, subject, date_line) -> bytes:
    body = (
        "Para el registro.\n\n"
        "---------- Forwarded message ---------\n"
        f"From: {original_from}\n"
        f"Date: {date_line}\n"
        f"Subject: {subject}\n"
        f"To: {original_to}\n\n"
        "Estimada Ana, le confirmo la reunión.\n"
    )
    return plain(forwarder, dropbox, f"Fwd: {subject}", body=body)


def outlook_forward_es(forwarder, dropbox, original_from, original_to, subject, date_line) -> bytes:
    """Outlook in Spanish: the block in bold in HTML and as text in the plain part."""
    text = (
        "Reenvío para registro.\n\n"
        "________________________________\n"
        f"De: {original_from}\n"
        f"Enviado el: {date_line}\n"
        f"Para: {original_to}\n"
        f"Asunto: {subject}\n\n"
        "Quedamos atentos.\n"
    )
    html = (
        "<html><body><p>Reenvío para registro.</p><hr>"
        f"<p><b>De:</b> {original_from}<br><b>Enviado el:</b> {date_line}<br>"
        f"<b>Para:</b> {original_to}<br><b>Asunto:</b> {subject}</p>"
        "<p>Quedamos atentos.</p></body></html>"
    )
    return plain(forwarder, dropbox, f"RV: {subject}", body=text, html=html)


def outlook_forward_en(forwarder, dropbox, original_from, original_to, subject, date_line) -> bytes:
    body = (
        "FYI\n\n"
        "-----Original Message-----\n"
        f"From: {original_from}\n"
        f"Sent: {date_line}\n"
        f"To: {original_to}\n"
        f"Subject: {subject}\n\n"
        "Please find the quote attached.\n"
    )
    return plain(forwarder, dropbox, f"FW: {subject}", body=body)


def attached_forward(forwarder, dropbox, inner: bytes, subject: str) -> bytes:
    """A forward "as attachment" (Thunderbird, Outlook): the original as message/rfc822."""
    from email import message_from_bytes, policy

    msg = EmailMessage()
    msg["From"] = _addr(forwarder)
    msg["To"] = _addr(dropbox)
    msg["Subject"] = f"Fwd: {subject}"
    msg["Date"] = format_datetime(datetime(2025, 3, 10, 9, 0, tzinfo=UTC))
    msg["Message-ID"] = make_msgid(domain="mail.test")
    msg.set_content("Forwarding as attachment.\n")
    msg.add_attachment(message_from_bytes(inner, policy=policy.default))
    return msg.as_bytes()


def encoded_by_hand(sender_header: str, to: str, subject_header: str, msgid: str) -> bytes:
    """A message written byte for byte (RFC 2047 words as some programs write them)."""
    return (
        f"From: {sender_header}\r\n"
        f"To: {to}\r\n"
        f"Subject: {subject_header}\r\n"
        "Date: Tue, 04 Mar 2025 09:30:00 -0300\r\n"
        f"Message-ID: {msgid}\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        "Reuni=F3n confirmada.\r\n"
    ).encode("ascii")
