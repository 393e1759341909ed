"""gunicorn's access log without the secrets some addresses carry: a calendar feed's
(``/connect/feed/<secret>.ics``), a customer's survey or joint-plan link. A path segment or query
value that looks like a token (24 or more URL-safe characters) is written as ``…``; the rest of
the line (method, status, time, size) stays for whoever reads the log. ``kamp serve`` passes this
class to gunicorn (``--logger-class``)."""

from __future__ import annotations

import re

from gunicorn.glogging import Logger

SECRET = re.compile(r"(?<=[/=])[A-Za-z0-9_\-.:~%]{24,}")


def redact(text):
    return SECRET.sub("…", text) if isinstance(text, str) else text


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        # The request line, path, query, referrer, and the environ's copies of them.
        return {k: redact(v) for k, v in super().atoms(resp, req, environ, request_time).items()}
