"""Reading a large read's mail in a second process, on another processor core, while the
checking process fetches and saves — no Django here (the child imports only :mod:`.parse`).

A first read of a dropbox holding thousands of messages is bound by Python's own work, and
Python's lock lets one thread of a process run Python at a time: the saving thread's matching
and writing, the reading thread's fetching and the reading of every message's headers take
turns on one core. The reading of the mail (``parse.headers``, ``parse.needs_body``,
``parse.read``: about a third of that work) needs nothing but the bytes fetched, so for a read
of at least :data:`FROM_MESSAGES` messages (``kamp.mailcapture.sync._Reading``) it is handed to
a child process: the reading thread hands it each batch of header blocks it fetched and waits
for the answer (outside Python's lock: the saving thread goes on with the chunk before), then
hands it the forwards fetched whole and goes on to the next chunk (the saving thread takes that
answer when it saves their chunk). Handing the header blocks over in runs while the rest of a
batch arrives was tried and withdrawn: the child's reading then competes with the server's
sending for the second core, and the read took longer (bench/README.md, sync). The answers are what the in-process reading gives
(``parse.Mail``, pickled), so the rows saved are the same.

The child is ``python -m kamp.mailcapture.parser_process``: frames of a 4-byte length and a
pickle each way over its standard input and output (kamp's own code at both ends: nothing
unpickled comes from outside); its first frame says it has started (:data:`READY`). It ends
when its input closes. Anything wrong with it — it cannot start, it dies, it stops answering
for :data:`TIMEOUT` seconds — is a :class:`ParserGone`: the caller reads the mail in its own
process from then on (nothing is lost or read twice: a batch without its answer is read again
there).
"""

from __future__ import annotations

import collections
import contextlib
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any, BinaryIO

from . import parse

try:
    import fcntl
except ImportError:  # not on POSIX
    fcntl = None  # type: ignore[assignment]

#: A read of at least this many new messages is read in a child process (fewer: the child's
#: start, about 0.1 s of processor time, would cost more than it saves).
FROM_MESSAGES = 2000
#: Seconds the child may take to answer one batch (at most 8 MB of mail) before it is given up.
TIMEOUT = 120.0

_LENGTH = struct.Struct("!I")
READY = "ready"  # the child's first frame


class Unreadable(Exception):
    """A message ``parse`` raised on in the child: its text is the exception's (or its class
    name when it has none), as the caller words an exception raised in its own process."""


class ParserGone(Exception):
    """The child cannot be started, died or stopped answering."""


def head_of(data: bytes) -> parse.Head | bool:
    """A header block split (``parse.headers``), or ``True`` when the whole message must be
    read (``parse.needs_body``, or headers that cannot be split: read whole, where an
    unreadable one is listed) — in the child and in the checking process alike."""
    try:
        head = parse.headers(data)
        return True if parse.needs_body(head) else head
    except Exception:
        return True


def read_heads(heads: list[bytes]) -> list[Any]:
    """For each header block: ``True`` when the whole message must be read (:func:`head_of`),
    else the message read from its headers alone (a ``parse.Mail``, or an
    :class:`Unreadable`)."""
    out: list[Any] = []
    for data in heads:
        head = head_of(data)
        out.append(True if head is True else _read(head, headers_only=True))
    return out


def read_wholes(messages: list[bytes], with_body: bool) -> list[Any]:
    """Each whole message read (a ``parse.Mail``, or an :class:`Unreadable`)."""
    return [_read(data, with_body=with_body) for data in messages]


def _read(data: Any, **options: Any) -> Any:
    try:
        return parse.read(data, **options)
    except Exception as exc:
        return Unreadable(str(exc) or exc.__class__.__name__)


class ParserProcess:
    """The parent's end: :meth:`heads` and :meth:`wholes` hand the child a batch and return at
    once with a :class:`~concurrent.futures.Future` of what :func:`read_heads` or
    :func:`read_wholes` gives for it, so that the caller fetches the next batch while the
    child reads this one. The child answers in order; a thread of the parent's receives its
    answers (so that neither end ever waits on a full pipe while the other waits on it too).
    Submitted from one thread at a time."""

    def __init__(self) -> None:
        root = str(Path(__file__).resolve().parents[2])  # the folder kamp is imported from
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        try:
            self.child = subprocess.Popen(
                [sys.executable, "-m", "kamp.mailcapture.parser_process"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                bufsize=0,  # unbuffered: the input written by os.write, bounded in time
                # (_write); the output read by frame (_exactly)
                env=env,
                close_fds=True,
            )
        except OSError as exc:
            raise ParserGone(f"cannot start: {exc}") from exc
        for pipe in (self.child.stdin, self.child.stdout):
            _widen(pipe.fileno())  # type: ignore[union-attr]
        self.waiting: collections.deque[Future] = collections.deque()
        self.lock = threading.Lock()
        self.gone: str = ""  # why the child is no more, once it is not
        # Set once the child has started (its first frame): until then the caller reads in
        # its own process rather than wait for the child's start (about 0.1 s).
        self.ready = threading.Event()
        self.receiver = threading.Thread(
            target=self._receive_all, name="kamp-mail-parser", daemon=True
        )
        self.receiver.start()

    def heads(self, heads: list[bytes]) -> Future:
        return self._submit(("heads", heads))

    def wholes(self, messages: list[bytes], with_body: bool) -> Future:
        return self._submit(("wholes", messages, with_body))

    def _submit(self, request: tuple) -> Future:
        future: Future = Future()
        with self.lock:
            if self.gone:
                future.set_exception(ParserGone(self.gone))
                return future
            self.waiting.append(future)
        try:
            _write(self.child.stdin.fileno(), _frame(request), TIMEOUT)  # type: ignore[union-attr]
        except (OSError, ValueError) as exc:  # a broken pipe (it died), a closed input
            self._fail(f"{exc.__class__.__name__}: {exc}")
        except ParserGone as exc:  # it stopped reading its input
            self._fail(str(exc))
        return future

    def _receive_all(self) -> None:
        """The receiving thread: each answer to the oldest request waiting for one."""
        try:
            if _receive(self.child.stdout) != READY:  # type: ignore[arg-type]
                self._fail(f"did not start (exit code {self.child.wait()})")
                return
            self.ready.set()
            while True:
                answer = _receive(self.child.stdout)  # type: ignore[arg-type]
                if answer is None:  # it ended (see its standard error)
                    self._fail(f"ended (exit code {self.child.wait()})")
                    return
                with self.lock:
                    future = self.waiting.popleft() if self.waiting else None
                if future is None:
                    self._fail("an answer to no request")
                    return
                future.set_result(answer)
        except Exception as exc:  # a frame cut short, a pickle that does not load
            self._fail(f"{exc.__class__.__name__}: {exc}")

    def _fail(self, why: str) -> None:
        """The child is no more: every request waiting fails with :class:`ParserGone`."""
        with self.lock:
            self.gone = self.gone or why
            waiting, self.waiting = list(self.waiting), collections.deque()
        for future in waiting:
            if not future.done():
                future.set_exception(ParserGone(self.gone))

    def close(self) -> None:
        """End the child: its input closed (it exits), killed if it does not within a second."""
        child = self.child
        with contextlib.suppress(OSError, ValueError):
            child.stdin.close()  # type: ignore[union-attr]
        try:
            child.wait(timeout=1)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        self.receiver.join(timeout=5)
        self._fail("closed")
        with contextlib.suppress(OSError, ValueError):
            child.stdout.close()  # type: ignore[union-attr]


def result(future: Future) -> Any:
    """What ``future`` holds, waiting at most :data:`TIMEOUT` seconds; :class:`ParserGone`
    when the child failed or did not answer in time."""
    try:
        return future.result(timeout=TIMEOUT)
    except FutureTimeout as exc:
        raise ParserGone(f"no answer in {TIMEOUT:g} s") from exc


#: The pipes' buffer asked for (Linux; the system's limit, by default 1 MB, caps it): a batch's
#: frame (about 0.7 MB of 1,000 header blocks) then passes in one write and one read. Through
#: the default 64 KB each end would wake up a dozen times a frame, each time to wait for
#: Python's lock, which the saving thread holds: a 10,000-mail read took a tenth longer.
PIPE_BYTES = 1024 * 1024


def _widen(fd: int) -> None:
    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if setpipe is None:
        return
    try:
        limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
    except (OSError, ValueError):
        limit = PIPE_BYTES
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, setpipe, min(PIPE_BYTES, limit))


def _frame(value: Any) -> bytes:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


def _send(stream: BinaryIO, value: Any) -> None:
    stream.write(_frame(value))
    stream.flush()


def _write(fd: int, data: bytes, timeout: float) -> None:
    """``data`` written to the pipe ``fd`` within ``timeout`` seconds, or :class:`ParserGone`:
    a batch is larger than a pipe holds, and a child that stopped reading must not hold the
    caller for ever (the pipe made non-blocking, each write as much as it takes)."""
    os.set_blocking(fd, False)
    view = memoryview(data)
    deadline = time.monotonic() + timeout
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            written = 0
        view = view[written:]
        if view:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [fd], [], left)[1]:
                raise ParserGone(f"it took no input for {timeout:g} s")


def _receive(stream: BinaryIO) -> Any:
    """The next frame's value, or ``None`` at the end of the stream."""
    head = _exactly(stream, _LENGTH.size)
    if not head:
        return None
    if len(head) != _LENGTH.size:
        raise EOFError("a frame cut short")
    (size,) = _LENGTH.unpack(head)
    data = _exactly(stream, size)
    if len(data) != size:
        raise EOFError("a frame cut short")
    return pickle.loads(data)


def _exactly(stream: BinaryIO, size: int) -> bytes:
    """``size`` bytes of ``stream``, fewer only at its end: the parent's end of the child's
    output is unbuffered, and one read of a pipe gives what the pipe holds at that moment
    (an answer of several megabytes, the bodies of a company that keeps them, comes in
    parts)."""
    first = stream.read(size)
    if not first or len(first) == size:
        return first
    parts = [first]
    left = size - len(first)
    while left:
        part = stream.read(left)
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def main() -> None:
    """The child: answer each request on standard input until it closes."""
    stdin = sys.stdin.buffer
    # The frames go out on a copy of the output; the output itself becomes the standard error,
    # so that anything printed in this process reaches the log, not the parent's frames.
    stdout = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    _send(stdout, READY)
    while True:
        request = _receive(stdin)
        if request is None:
            return
        if request[0] == "heads":
            _send(stdout, read_heads(request[1]))
        elif request[0] == "wholes":
            _send(stdout, read_wholes(request[1], request[2]))
        else:
            raise ValueError(f"unknown request {request[0]!r}")


if __name__ == "__main__":
    main()
