"""A real HTTP receiver for webhook tests: ``http.server`` in a thread on 127.0.0.1, checking
each request's signature as a customer's system would (``kamp.connect.webhooks.verify`` is
not used: the check is written out here from docs/api.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, secret: str = ""):
        self.secret = secret
        self.received: list[dict] = []
        self.bad_signatures = 0
        # What the next requests get: "ok", "fail" (500) or "hang" (no answer for hang_seconds).
        self.script: list[str] = []
        self.default = "ok"
        self.hang_seconds = 5.0
        self._stop = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                timestamp = self.headers.get("X-Kamp-Timestamp", "")
                signature = self.headers.get("X-Kamp-Signature", "")
                expected = (
                    "sha256="
                    + hmac.new(
                        receiver.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
                    ).hexdigest()
                )
                fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) < 300
                mode = receiver.script.pop(0) if receiver.script else receiver.default
                if not (hmac.compare_digest(expected, signature) and fresh):
                    receiver.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                receiver.received.append(
                    {
                        "headers": dict(self.headers),
                        "json": json.loads(body),
                        "mode": mode,
                        "path": self.path,
                    }
                )
                if mode == "hang":
                    receiver._stop.wait(receiver.hang_seconds)
                    return
                if mode == "drip":
                    # An answer that never ends, a header line every 0.2 s: each read gets
                    # something, so only a limit on the whole exchange stops it.
                    self.send_response(200)
                    self.flush_headers()
                    for i in range(int(receiver.hang_seconds / 0.2)):
                        if receiver._stop.wait(0.2):
                            return
                        try:
                            self.wfile.write(f"X-Drip-{i}: .\r\n".encode())
                            self.wfile.flush()
                        except OSError:
                            return
                    return
                self.send_response(500 if mode == "fail" else 204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/kamp"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
