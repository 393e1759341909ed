"""kamp.mailcapture.parse on its own (no server, no database): real MIME shapes, forwards as
Gmail and Outlook write them, hostile headers."""

from __future__ import annotations

from datetime import datetime

from kamp.mailcapture import parse
from tests.mailcapture import messages as m

ANA = ("Ana KAM", "ana@supplier.test")
JOSE = ("José Muñoz", "jose.munoz@cs.test")


def test_encoded_names_and_subject():
    mail = parse.read(m.plain(ANA, [JOSE, ("Muñoz, María", "maria@cs.test")], "Re: Año 2025"))
    assert mail.sender.email == "ana@supplier.test"
    assert [(p.email, p.name) for p in mail.recipients] == [
        ("jose.munoz@cs.test", "José Muñoz"),
        ("maria@cs.test", "Muñoz, María"),
    ]
    assert (mail.subject, mail.topic) == ("Re: Año 2025", "Año 2025")
    assert mail.key.startswith("<") and not mail.forwarded


def test_without_a_message_id_the_key_is_stable():
    raw = m.plain(ANA, JOSE, "Hola").replace(b"Message-ID:", b"X-Old-Id:")
    one, two = parse.read(raw), parse.read(raw)
    assert one.message_id == "" and one.key.startswith("sha256:") and one.key == two.key
    assert (
        parse.read(m.plain(ANA, JOSE, "Otro").replace(b"Message-ID:", b"X-Old-Id:")).key != one.key
    )


def test_the_body_only_when_asked_and_html_only_mail_read_as_text():
    raw = m.plain(ANA, JOSE, body="Texto\n", html="<p>Otro</p>")
    assert parse.read(raw).body == ""
    assert parse.read(raw, with_body=True).body == "Texto"
    html_only = (
        b"From: ana@supplier.test\r\nTo: jose.munoz@cs.test\r\nSubject: H\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n<p>Reuni\xc3\xb3n <b>ma\xc3\xb1ana</b></p>"
    )
    assert parse.read(html_only, with_body=True).body == "Reunión mañana"


def test_gmail_forward_in_english():
    mail = parse.read(
        m.gmail_forward(
            ANA,
            "registro@supplier.test",
            "José Muñoz <jose.munoz@cs.test>",
            "Ana KAM <ana@supplier.test>, Bruno <bruno@supplier.test>",
            "Cotización",
            "Mon, Feb 3, 2025 at 10:15 AM",
        )
    )
    assert mail.forwarded and mail.topic == "Cotización"
    assert [p.email for p in mail.correspondents] == [
        "jose.munoz@cs.test",
        "ana@supplier.test",
        "bruno@supplier.test",
    ]
    assert (mail.date.year, mail.date.month, mail.date.day) == (2025, 2, 3)


def test_outlook_forward_in_spanish_with_a_name_only_recipient():
    mail = parse.read(
        m.outlook_forward_es(
            ANA,
            "registro@supplier.test",
            "José Muñoz <jose.munoz@cs.test>",
            "Ana KAM",
            "Cotización",
            "martes, 4 de febrero de 2025 16:40",
        )
    )
    assert mail.forwarded and mail.topic == "Cotización"
    assert [p.email for p in mail.correspondents] == ["jose.munoz@cs.test"]
    assert mail.date.replace(tzinfo=None) == datetime(2025, 2, 4, 16, 40)


def test_a_reply_is_not_a_forward():
    raw = m.plain(
        JOSE,
        ANA,
        "RE: Cotización",
        body="Gracias.\n\n> On Mon, Ana wrote:\n> From: nobody\n",
        extra={"In-Reply-To": "<p1@supplier.test>"},
    )
    mail = parse.read(raw)
    assert not mail.forwarded and mail.topic == "Cotización"
    assert [p.email for p in mail.correspondents] == ["jose.munoz@cs.test", "ana@supplier.test"]


def test_header_injection_and_garbage_never_raise_nor_reach_a_topic():
    raw = m.encoded_by_hand(
        "=?x-unknown?q?=FF?= <ana@supplier.test>",
        "=?utf-8?q?evil@attacker.test?= <jose.munoz@cs.test>",
        "=?utf-8?q?Hola=0D=0ABcc:_evil@attacker.test?= =?utf-8?q?=C3=28?=",
        "<x@y>",
    )
    mail = parse.read(raw)
    assert "\n" not in mail.topic and "\r" not in mail.topic
    assert [p.email for p in mail.correspondents] == ["ana@supplier.test", "jose.munoz@cs.test"]
    assert "subject" in mail.problems or "\ufffd" in mail.subject
    junk = parse.read(b"\x00\xff\xfe\r\n\r\n\xff\xfe")
    assert junk.sender is None and junk.recipients == []


def test_mail_that_is_no_forward_reads_the_same_from_its_headers_alone():
    raw = m.plain(
        ANA,
        [JOSE, ("Muñoz, María", "maria@cs.test")],
        "Re: Año 2025",
        body="Texto\n",
        html="<p>Texto</p>",
    )
    head = parse.headers(raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n")
    assert not parse.needs_body(head)
    whole, alone = parse.read(raw), parse.read(head, headers_only=True)
    assert alone == whole and alone.key.startswith("<")


def test_a_possible_forward_needs_its_body():
    def needs(raw: bytes) -> bool:
        return parse.needs_body(parse.headers(raw))

    forward = m.gmail_forward(ANA, "r@supplier.test", "j@cs.test", "a@s.test", "Cot", "Mon")
    assert needs(forward)
    assert needs(m.plain(ANA, JOSE, "RV: Cotización")) and needs(m.plain(ANA, JOSE, "FW: x"))
    assert needs(m.plain(ANA, JOSE, "=?utf-8?q?Fwd=3A_Cotizaci=C3=B3n?="))
    # An attached message under any subject (the multipart/mixed around it says it may be one).
    attached = m.attached_forward(ANA, "r@supplier.test", m.plain(JOSE, ANA), "Contrato")
    assert needs(attached.replace(b"Subject: Fwd: ", b"Subject: "))
    assert not needs(m.plain(ANA, JOSE, "Re: Cotización"))


def test_headers_read_as_the_email_parser_reads_them_even_when_hostile():
    """The fast header reader takes the same lines and values as the standard library's
    compat32 parser (whose reading the rest of kamp relies on), on real mail and on random
    mixes of header names, folding, bare CR/LF, envelope lines and 8-bit bytes."""
    import random
    from email import policy
    from email.parser import BytesHeaderParser

    names = ("From", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "Content-Type")
    reference = BytesHeaderParser(policy=policy.compat32)
    samples = [
        m.plain(ANA, [JOSE, ("Muñoz, María", "maria@cs.test")], "Re: Año", html="<p>x</p>"),
        m.gmail_forward(ANA, "r@supplier.test", "j@cs.test", "a@s.test", "Cot", "Mon"),
        b"From foo@bar Mon\r\nSubject: hi\r\n there\r\nTo: a@b.cl\r\n\r\nbody",
        b"Subject: x\r\nbad line\r\nTo: a@b.cl\r\n\r\n",
        b"Subject: caf\xc3\xa9 \xff\r\n\tmore\r\n: noname\r\n cont\r\nTo: x@y.cl",
        b"Subject: a\rTo: b@c.cl\r\rCc: c@d.cl",
    ]
    rng = random.Random(14)
    pieces = [b"Subject", b"To", b"From ", b":", b" ", b"\t", b"\r\n", b"\r", b"\n", b"x"]
    pieces += [b"\xff", b"=?utf-8?q?a?=", b"Content-Type", b"multipart/mixed", b";"]
    samples += [
        b"".join(rng.choice(pieces) for _ in range(rng.randrange(1, 30))) for _ in range(10000)
    ]
    for raw in samples:
        fast, slow = parse.headers(raw), reference.parsebytes(raw)
        for name in names:
            assert parse._raw_header(fast, name) == parse._raw_header(slow, name), (raw, name)
        assert fast.get_content_type() == slow.get_content_type(), raw


def test_encoded_words_and_forward_dates_read_as_the_libraries_read_them():
    from email.header import decode_header, make_header

    from dateutil import parser as dateparser

    for value in [
        "Propuesta de =?utf-8?q?mantenci=C3=B3n?= 1",
        "=?UTF-8?B?Sm9zw6k=?= =?utf-8?q?_Mu=C3=B1oz?=",
        "a =?iso-8859-1?q?caf=E9?=b (=?utf-8?q?x?=)",
        "=?utf-8?q?a?=\r\n =?utf-8?q?b?= c",
    ]:
        assert parse._decoded(value) == (str(make_header(decode_header(value))), True)
    assert parse._decoded("=?utf-8?q?=C3=28?=")[1] is False  # broken bytes: replaced, flagged
    for text in [
        "Mon, Feb 3, 2025 at 10:15 AM",
        "Monday, March 3, 2025 12:05 AM",
        "lunes, 3 de marzo de 2025 10:15",
        "3 March 2025 9:05 p. m.",
        "Sept 9, 2024",
    ]:
        expected = dateparser.parser().parse(
            parse._FILLERS.sub(
                " ",
                parse._MONTHS.sub(
                    lambda mo: parse._SPANISH_MONTHS[mo.group(0).lower()],
                    parse._SPANISH_DAYS.sub("", text),
                ),
            )
            .replace(" p. m.", " PM")
            .replace(" a. m.", " AM"),
            fuzzy=True,
        )
        assert parse._loose_date(text) == expected, text
