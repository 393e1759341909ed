"""kamp.mailcapture.parse on its own (no server, no database): real MIME shapes, forwards as
Gmail and Outlook write them, hostile headers."""

from __future__ import annotations

from datetime import UTC, datetime

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


def test_a_usual_header_block_is_read_at_once_as_line_by_line_and_as_the_email_parser():
    """The usual block (CRLF lines, named headers and their continuations) is read with one
    regular expression: the same headers, values and body start as the line-by-line reading
    and the ``email`` parser, on blocks of real header lines in random orders with folding,
    repeated names, empty values, tabs and 8-bit bytes — and on near-misses (a bare LF, a
    nameless or envelope line) that go line by line."""
    import random
    from email import policy
    from email.parser import BytesParser

    rng = random.Random(2047)
    lines = [
        b"From: Ana KAM <ana@supplier.test>",
        b"To: =?utf-8?q?Jos=C3=A9_Mu=C3=B1oz?= <jose@cs.test>",
        b"to: second@cs.test",
        b"Cc:",
        b"Subject:   Propuesta de =?utf-8?q?mantenci=C3=B3n?= 5",
        b"Subject:\tcaf\xc3\xa9 \xff",
        b"Date: Mon, 03 Mar 2025 13:15:00 +0000",
        b"Message-ID: <bench5@supplier.test>",
        b"Content-Type: multipart/alternative;",
        b"X-Odd!#$%&'*+-./;<=>?@[]^_`{|}~: value",
        b"Received: from x by y;",
    ]
    folds = [b" boundary=b", b"\t(folded)", b" ", b"\t"]
    misses = [b"From nobody Mon", b": nameless", b"bad line", b"Sub ject: x", b"To: a\nCc: b"]
    names = ("From", "To", "Cc", "Subject", "Date", "Message-ID", "Content-Type", "Received")
    reference = BytesParser(policy=policy.compat32)
    at_once = 0
    for k in range(6000):
        block = []
        for _ in range(rng.randrange(1, 12)):
            block.append(rng.choice(lines))
            while rng.random() < 0.3:
                block.append(rng.choice(folds))
        if k % 3 == 0:
            block.insert(rng.randrange(len(block) + 1), rng.choice(misses))
        raw = b"\r\n".join(block) + b"\r\n\r\nthe body\r\n"
        fast, body_at = parse._split(raw)
        end = raw.find(b"\r\n\r\n")
        slow, slow_body_at = parse._split_lines(
            raw[: end + 2].decode("ascii", "surrogateescape"), end, 4
        )
        assert (fast.first, body_at) == (slow.first, slow_body_at), raw
        text = raw[: end + 2].decode("ascii", "surrogateescape")
        usual = bool(parse._PLAIN_BLOCK.fullmatch(text))
        # Read in one pass (no rest after its headers) exactly when it is a usual block.
        assert (not parse._PLAIN_FIELD_OR_REST.findall(text)[-1][2]) == usual, raw
        at_once += usual
        msg = reference.parsebytes(raw)
        for name in names:
            assert parse._raw_header(fast, name) == parse._raw_header(msg, name), (raw, name)
        if body_at >= 0 and not msg.is_multipart():
            assert raw[body_at:].decode("ascii", "surrogateescape") == msg.get_payload(), raw
    assert at_once > 3000  # most blocks took the one-expression reading


def test_encoded_words_decoded_in_c_give_the_email_packages_text():
    """One-line headers whose encoded words are UTF-8 or Latin-1 are decoded without
    ``email.header``: the same text as ``str(make_header(decode_header(…)))`` on random mixes
    of plain text, spaces, Q and B words (upper and lower case, underscores, escapes of '_'
    and '=', broken escapes, missing padding, bad base64, a UTF-8 character split across two
    words, other charsets); what this reading does not take goes to ``email.header``."""
    import base64
    import random
    from email.header import decode_header, make_header

    rng = random.Random(2047)
    pieces = [
        "Propuesta de ",
        "Re: ",
        " ",
        "  ",
        "(",
        ")",
        "x",
        "=?utf-8?q?mantenci=C3=B3n?=",
        "=?UTF-8?Q?Jos=C3=A9_Mu=C3=B1oz?=",
        "=?utf-8?q?a_b=5F=3D?=",
        "=?utf-8?q?=C3?=",
        "=?utf-8?q?=B3?=",
        "=?utf-8?q?bad=?=",
        "=?utf-8?q?bad=ZZ?=",
        "=?utf-8?q?=3d=e9?=",
        "=?iso-8859-1?q?caf=E9?=",
        "=?ISO-8859-1?Q?Mar=EDa?=",
        "=?utf-8?b?" + base64.b64encode("Ñuñoa".encode()).decode() + "?=",
        "=?UTF-8?B?" + base64.b64encode(b"Fwd").decode().rstrip("=") + "?=",
        "=?utf-8?b?!!!?=",
        "=?utf-8?b?QQ?=",
        "=?windows-1252?q?x=80?=",
        "=?utf-8*es?q?hola?=",
        "=?utf-8?q? ?=",
        "=?utf-8?x?nope?=",
        "=?",
        "?=",
    ]
    quick = single = 0
    for _ in range(20000):
        value = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 7)))
        fast = parse._quick_decoded(value)
        if fast is None:
            continue
        quick += 1
        single += len(parse._ENCODED_WORD.split(value)) == 5
        assert fast == str(make_header(decode_header(value))), value
        assert parse._decoded(value) == (fast, True), value
    assert quick > 5000  # most took the quick reading
    assert single > 2000  # and many the one-word reading (parse._one_word)


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


def _outlook_en_latin1_qp() -> bytes:
    """Outlook (English) forwarding as quoted-printable Latin-1, as Exchange sends it."""
    return (
        b"From: =?iso-8859-1?Q?Ana_Mar=EDa_Kam?= <ana@supplier.test>\r\n"
        b"To: registro@supplier.test\r\n"
        b"Subject: FW: =?iso-8859-1?Q?Cotizaci=F3n_n=BA_12?=\r\n"
        b"Date: Tue, 4 Mar 2025 10:02:11 +0000\r\n"
        b"Message-ID: <DB9PR01MB1234@eurprd01.prod.exchangelabs.com>\r\n"
        b'Content-Type: text/plain; charset="iso-8859-1"\r\n'
        b"Content-Transfer-Encoding: quoted-printable\r\n"
        b"MIME-Version: 1.0\r\n\r\n"
        b"FYI\r\n\r\n"
        b"-----Original Message-----\r\n"
        b"From: Jos=E9 Mu=F1oz <jose.munoz@cs.test>\r\n"
        b"Sent: Monday, March 3, 2025 5:40 PM\r\n"
        b"To: Ana Mar=EDa Kam <ana@supplier.test>; Mar=EDa Gonz=E1lez <maria@cs.test>\r\n"
        b"Subject: Cotizaci=F3n n=BA 12\r\n\r\n"
        b"Adjunto la cotizaci=F3n, quedo atento a sus comentarios. Saludos cordiales, Jos=\r\n"
        b"=E9\r\n"
    )


def _gmail_es_base64() -> bytes:
    """Gmail in Spanish forwarding as base64 UTF-8 (a long line makes Gmail pick base64)."""
    import base64

    text = (
        "Para el registro.\r\n\r\n"
        "---------- Mensaje reenviado ---------\r\n"
        "De: María González <maria@cs.test>\r\n"
        "Date: lun, 3 mar 2025 a las 17:40\r\n"
        "Subject: Re: Visita técnica a la obra de Ñuñoa\r\n"
        "To: Ana KAM <ana@supplier.test>\r\n"
        "Cc: José Muñoz <jose.munoz@cs.test>\r\n\r\n"
        "Confirmamos la visita del jueves.\r\n"
    )
    return (
        b"From: Ana KAM <ana@supplier.test>\r\n"
        b"To: registro@supplier.test\r\n"
        b"Subject: =?UTF-8?B?Rndk?=: =?UTF-8?Q?Re=3A_Visita_t=C3=A9cnica_a_la_obra_de_=C3=91u=C3=B1oa?=\r\n"
        b"Date: Mon, 3 Mar 2025 18:01:12 -0300\r\n"
        b"Message-ID: <CAB+gmail-es-1@mail.gmail.com>\r\n"
        b'Content-Type: text/plain; charset="UTF-8"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(text.encode()).replace(b"\n", b"\r\n")
    )


def _full_parse(raw: bytes, **kw) -> parse.Mail:
    """What :func:`parse.read` gives with the ``email`` parser reading the whole message."""
    single = parse._single_part
    parse._single_part = lambda *a: None  # type: ignore[assignment]
    try:
        return parse.read(raw, **kw)
    finally:
        parse._single_part = single  # type: ignore[assignment]


def test_a_single_part_forward_is_read_without_the_mime_parser_as_with_it():
    """A single-part message (most forwards: text/plain, quoted-printable or base64, UTF-8 or
    Latin-1) is read whole without ``email``'s line-by-line parser: the same mail — the
    original correspondents, names, topic, date, body — as with it, in English and Spanish."""
    samples = [
        m.gmail_forward(
            ANA,
            "r@supplier.test",
            "José Muñoz <jose.munoz@cs.test>",
            "Ana KAM <ana@supplier.test>",
            "Cotización",
            "Mon, Feb 3, 2025 at 10:15 AM",
        ),
        m.outlook_forward_en(
            ANA,
            "r@supplier.test",
            "José Muñoz <jose.munoz@cs.test>",
            "Ana KAM <ana@supplier.test>",
            "Quote",
            "Monday, March 3, 2025 5:40 PM",
        ),
        m.plain(
            ANA,
            JOSE,
            "RV: Año nuevo",
            body="Reenvío.\n\nDe: María <maria@cs.test>\nEnviado el: "
            "lunes, 3 de marzo de 2025 10:15\nPara: Ana <ana@supplier.test>\nAsunto: Año nuevo\n",
        ),
        m.encoded_by_hand(
            "=?utf-8?q?Jos=C3=A9?= <jose.munoz@cs.test>",
            "ana@supplier.test",
            "=?iso-8859-1?q?Reuni=F3n?=",
            "<h1@x>",
        ),
        _outlook_en_latin1_qp(),
        _gmail_es_base64(),
        # HTML only, LF line endings, an 8-bit body with a wrong charset, an attachment part.
        b"From: ana@supplier.test\nTo: jose.munoz@cs.test\nSubject: Fwd: H\n"
        b"Content-Type: text/html; charset=utf-8\n\n<p>De: Jos\xc3\xa9 &lt;jose.munoz@cs.test&gt;"
        b"<br>Para: ana@supplier.test<br>Asunto: Hola</p>",
        b"From: ana@supplier.test\r\nTo: j@cs.test\r\nSubject: Fwd: x\r\n"
        b"Content-Type: text/plain; charset=x-unknown\r\n\r\nDe: j@cs.test\r\nPara: a@s.test\r\n"
        b"Asunto: \xff\xfe caf\xe9\r\n",
        b"From: ana@supplier.test\r\nTo: j@cs.test\r\nSubject: Fwd: pdf\r\n"
        b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n",
    ]
    for raw in samples:
        for body in (False, True):
            assert parse.read(raw, with_body=body) == _full_parse(raw, with_body=body), raw
    gmail = parse.read(_gmail_es_base64(), with_body=True)
    assert gmail.forwarded and gmail.topic == "Visita técnica a la obra de Ñuñoa"
    assert [(p.email, p.name) for p in gmail.correspondents] == [
        ("maria@cs.test", "María González"),
        ("ana@supplier.test", "Ana KAM"),
        ("jose.munoz@cs.test", "José Muñoz"),
    ]
    outlook = parse.read(_outlook_en_latin1_qp())
    assert outlook.forwarded and outlook.topic == "Cotización nº 12"
    assert outlook.date == datetime(2025, 3, 3, 17, 40, tzinfo=outlook.date.tzinfo)
    assert [p.name for p in outlook.correspondents] == [
        "José Muñoz",
        "Ana María Kam",
        "María González",
    ]


def test_the_single_part_reading_gives_what_the_parser_gives_on_hostile_mail():
    """Random mixes of header lines, blank lines, bare CR/LF, 8-bit bytes, encodings and
    forward blocks: the same mail with and without the ``email`` parser (which is still used
    where the header block does not end with its blank line, and for multipart mail)."""
    import random

    rng = random.Random(1405)
    heads = [
        b"From: ana@supplier.test",
        b"To: j@cs.test, =?utf-8?q?Mar=C3=ADa?= <m@cs.test>",
        b"Subject: Fwd: caf\xc3\xa9",
        b"Content-Type: text/plain; charset=utf-8",
        b"Content-Type: text/html",
        b"Content-Type: multipart/mixed; boundary=b",
        b"Content-Type: message/rfc822",
        b"Content-Transfer-Encoding: quoted-printable",
        b"Content-Transfer-Encoding: base64",
        b"Content-Disposition: attachment",
        b" folded",
        b"bad line",
        b"From x",
        b"\xff: y",
        b"Date: Mon, 3 Mar 2025 10:00 +0000",
    ]
    bodies = [
        b"De: Jos=C3=A9 <j@cs.test>",
        b"Para: a@supplier.test",
        b"Asunto: Hola",
        b"From: x@cs.test",
        b"To: y@cs.test",
        b"Subject: s",
        b"Sent: 3 March 2025 9:05",
        b"\xff\xfe",
        b"=",
        b"=E9",
        b"Zm9v",
        b"--b",
        b"",
        b"<p>x</p>",
        b"\r",
        b"\t",
    ]
    for _ in range(4000):
        ending = rng.choice([b"\r\n", b"\n", b"\r\n", b"\r"])
        lines = [rng.choice(heads) for _ in range(rng.randrange(0, 8))]
        lines += [b""] * rng.choice([0, 1, 1, 2])
        lines += [rng.choice(bodies) for _ in range(rng.randrange(0, 12))]
        raw = ending.join(lines)
        assert parse.read(raw, with_body=True) == _full_parse(raw, with_body=True), raw
    # And byte soup where the header block ends in odd ways (envelope lines, bare CR, none).
    pieces = [b"Subject", b"To", b"From ", b":", b" ", b"\t", b"\r\n", b"\r", b"\n", b"x"]
    pieces += [b"\r\n\r\n", b"\n\n", b"\xff", b"=?utf-8?q?a?=", b"Content-Type", b";"]
    pieces += [b"multipart/mixed", b"message/rfc822", b"text/html", b"base64", b"=E9"]
    pieces += [b"Content-Transfer-Encoding", b"quoted-printable", b"De: a@b.cl", b"Para: c@d.cl"]
    for _ in range(4000):
        raw = b"".join(rng.choice(pieces) for _ in range(rng.randrange(1, 40)))
        assert parse.read(raw, with_body=True) == _full_parse(raw, with_body=True), raw


def test_a_forwarded_time_in_the_afternoon_keeps_its_pm():
    """Outlook's "Sent: Monday, March 3, 2025 5:40 PM": the RFC 5322 date reader takes it
    without its PM; the forward's date is 17:40."""
    assert parse._date("Monday, March 3, 2025 5:40 PM") == datetime(2025, 3, 3, 17, 40, tzinfo=UTC)
    assert parse._date("Monday, March 3, 2025 12:05 AM") == datetime(2025, 3, 3, 0, 5, tzinfo=UTC)
    assert parse._date("Mon, 03 Mar 2025 13:15:00 +0000") == datetime(
        2025, 3, 3, 13, 15, tzinfo=UTC
    )
    # A zone no date can be in (dateutil takes it): no date rather than one that cannot be
    # saved (it stopped every check of the mailbox at that mail).
    assert parse._date("03 Mar 2025 13:15:00 +2500") is None
    assert parse._date("Mon, 03 Mar 2025 13:15 +9999") is None


def test_the_usual_date_header_is_read_as_the_rfc_reader_reads_it():
    """The usual "Mon, 03 Mar 2025 13:15:00 +0000" is read without ``parsedate_to_datetime`` (a tenth of
    a header's reading): the same instant and the same zone, on 20,000 shapes and near-misses
    (no zone, -0000, impossible days, odd spacing and case, two-digit years)."""
    import random

    def slow(value: str):
        fast = parse._rfc_date
        parse._rfc_date = lambda v: None  # type: ignore[assignment]
        try:
            return parse._date(value)
        finally:
            parse._rfc_date = fast  # type: ignore[assignment]

    rng = random.Random(5322)
    days = ["Mon, ", "tue,", "WED, ", "", "Sun ,", "Xyz, "]
    months = ["Jan", "feb", "MAR", "Sep", "Dec", "Foo", "June"]
    zones = ["+0000", "-0000", "-0300", "+0530", "+1400", "-1259", "GMT", "", "+000", "+9999"]
    for _ in range(20000):
        value = "{}{}{}{} {}{} {}:{}{} {}{}".format(
            rng.choice(["", " ", "  "]),
            rng.choice(days),
            rng.choice(["", " "]),
            rng.choice(["1", "03", "29", "31", "0", "123"]),
            rng.choice(months),
            rng.choice(["", " "]) + " " + rng.choice(["2025", "1999", "25", "0001", "9999"]),
            rng.choice(["00", "13", "23", "24", "7"]),
            rng.choice(["00", "15", "59", "60"]),
            rng.choice(["", ":00", ":59", ":60"]),
            rng.choice(zones),
            rng.choice(["", " ", " (UTC)"]),
        )
        fast, reference = parse._date(value), slow(value)
        assert fast == reference, value
        if fast is not None:
            assert fast.utcoffset() == reference.utcoffset(), value
