"""The screener in a process of its own, fed in micro-batches over a pipe.

In one process, the web server's event loop parses each request, screens, logs and answers on
one core: at 1,000 payments/s that core is full (docs/screening.md, "Speed") and the p99
follows whatever else runs. ``ScreeningProcess`` starts a child process (``spawn``: nothing
of the server's threads, sockets or database connections is inherited) that builds the
screener from the workspace and holds the party state; ``ProcessBatcher`` sends it the
payments that waited while it screened the previous batch, so HTTP work and screening run on
two cores at once and the batches grow with the load. One batch is in flight at a time: the
state sees the payments in the order they arrived, as in one process.

Decisions come back as plain data (an ``InputError`` as its message); the server logs them
and answers. The server does not wait for the child to build its state: payments meanwhile get
``ScreeningStarting`` (503, retry). When the child dies, the requests waiting get a
``ScreeningUnavailable`` (503) and the next request starts a new child.

The server's end of the pipe is read and written without blocking (``PipeEnd``): uvloop, which
uvicorn runs, makes a file descriptor non-blocking when a reader is added to it, and
``Connection.send_bytes``/``recv_bytes`` then raised EAGAIN on a message larger than the
socket's buffer or an answer not yet fully written, and the server took the process for dead
(issue 16: a 400 kB memo, a burst of 200 payments). Messages are bounded: at most
``MAX_BATCH`` payments, each with its text fields bounded (``batching.FIELD_LIMITS``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
import pickle
import signal
import struct
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NoReturn

from dentrace.errors import InputError
from dentrace.screen.batching import (
    MAX_BATCH,
    MAX_WAIT,
    MAX_WAITING,
    ScreeningStarting,
    ScreeningUnavailable,
    Waiting,
    enqueue,
    fail,
    settle,
)
from dentrace.screen.log import ScreeningLog

_STOP = b""
_POLL = 0.5  # seconds between checks that a starting child is still alive
# the frames of ``multiprocessing.Connection`` (which the child uses): a 4-byte big-endian
# signed length, then the message; our messages stay far below its 2 GiB limit
_HEADER = struct.Struct("!i")
MAX_MESSAGE = 1 << 30
_READ = 1 << 18  # bytes asked of the pipe per read
# a child that could not start is not started again for this long: the requests meanwhile are
# told why at once, rather than each starting a process that fails the same way
FAILED_HOLD = 30.0


class BatchFailed(ScreeningUnavailable):
    """The screening process could not screen one batch; it goes on with the next (503)."""


def _child(connection: Connection, workspace: str, review_ratio: float) -> None:
    """The child: build the screener, say so, then screen each batch received until told to
    stop or the server goes away."""
    from dentrace.screen.setup import screener_from_workspace

    # Ctrl-C reaches the whole process group: the server stops this process itself (or its
    # pipe closes), so no KeyboardInterrupt here
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    try:
        screener = screener_from_workspace(Path(workspace), review_ratio=review_ratio)
    except Exception as error:  # told to the server, which answers 503 with it
        connection.send(("error", str(error) or type(error).__name__))
        return
    # the party state is long-lived: out of the garbage collector's full passes
    gc.collect()
    gc.freeze()
    connection.send(("ready", screener.size()))
    while True:
        try:
            message = connection.recv_bytes()
        except (EOFError, OSError):  # the server went away
            return
        if message == _STOP:
            return
        payments = pickle.loads(message)
        try:
            outcomes: Any = [("input", str(o)) if isinstance(o, InputError) else ("ok", o)
                             for o in screener.screen_many(payments)]
        except Exception as error:  # the batch failed as a whole: the server answers 503
            outcomes = ("failed", f"{type(error).__name__}: {error}")
        try:
            connection.send_bytes(pickle.dumps(outcomes, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:  # the server closed its end (it stopped, or stopped this process)
            return


class PipeEnd:
    """The server's end of the pipe to the screening process, made non-blocking: ``write``
    keeps what the pipe does not take now (``flush`` when it is writable again), ``read``
    keeps a message that is still arriving, so neither waits nor fails on a full or partly
    written pipe."""

    def __init__(self, fd: int) -> None:
        os.set_blocking(fd, False)  # uvloop does it anyway: be explicit, on every loop
        self.fd = fd
        self._out = b""
        self._sent = 0
        self._in = bytearray()

    @property
    def pending(self) -> bool:
        """True while part of a written message has not reached the pipe."""
        return self._sent < len(self._out)

    def write(self, message: bytes) -> bool:
        """Queue ``message`` as one frame and write what the pipe takes; True when all of it
        is written, False when ``flush`` must be called once the pipe is writable."""
        if len(message) > MAX_MESSAGE:
            raise ValueError(f"a message of {len(message):,} bytes to the screening process")
        self._out = self._out[self._sent:] + _HEADER.pack(len(message)) + message
        self._sent = 0
        return self.flush()

    def flush(self) -> bool:
        """Write what the pipe takes now; True when nothing is left (raises ``OSError`` when
        the process closed its end)."""
        with memoryview(self._out) as view:
            while self._sent < len(view):
                try:
                    self._sent += os.write(self.fd, view[self._sent:])
                except BlockingIOError:
                    return False
        self._out, self._sent = b"", 0
        return True

    def read(self) -> bytes | None:
        """The next whole message, or None while it is still arriving (raises ``EOFError``
        when the process closed its end, ``OSError`` on a broken pipe or frame)."""
        while True:
            try:
                chunk = os.read(self.fd, _READ)
            except BlockingIOError:
                break
            if not chunk:
                raise EOFError("the pipe was closed")
            self._in += chunk
            if len(chunk) < _READ:
                break
        if len(self._in) < _HEADER.size:
            return None
        (size,) = _HEADER.unpack_from(self._in)
        if not 0 <= size <= MAX_MESSAGE:
            raise OSError(f"a frame of {size} bytes from the screening process")
        end = _HEADER.size + size
        if len(self._in) < end:
            return None
        message = bytes(self._in[_HEADER.size:end])
        del self._in[:end]
        return message


class ScreeningProcess:
    """A child process holding the screener of ``workspace``. ``launch`` returns at once;
    the child then builds the state (seconds per 100k scanned payments, ~4 min on a 100M
    history), and ``ready`` says, without waiting, whether it has; ``start`` launches and
    waits (before serving)."""

    def __init__(self, workspace: Path, review_ratio: float = 0.5) -> None:
        self.workspace = Path(workspace)
        self.review_ratio = review_ratio
        self.summary: dict[str, int] = {}
        self.failure: str | None = None  # why the child could not start
        self.launched_at = self.failed_at = 0.0
        self._connection: Connection | None = None
        self._pipe: PipeEnd | None = None
        self._process: Any = None

    def launch(self) -> ScreeningProcess:
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe(duplex=True)
        process = context.Process(target=_child, name="dentrace-screening", daemon=True,
                                  args=(theirs, str(self.workspace), self.review_ratio))
        process.start()
        theirs.close()
        self._connection, self._process, self._pipe = ours, process, None
        self.launched_at = time.monotonic()
        return self

    def start(self) -> ScreeningProcess:
        """Launch and wait until the state is built (raises ``ScreeningUnavailable``)."""
        return self.launch().wait()

    def wait(self) -> ScreeningProcess:
        """Wait until the launched child has built its state (raises ``ScreeningUnavailable``
        when it cannot)."""
        while not self.ready(wait=_POLL):
            pass
        return self

    def ready(self, wait: float = 0.0) -> bool:
        """True once the child has built its state; False while it builds (waiting up to
        ``wait`` seconds for it); raises ``ScreeningUnavailable`` when it could not."""
        if self.summary:
            return True
        if self.failure is not None:
            raise ScreeningUnavailable(self.failure)
        connection, process = self._connection, self._process
        if connection is None or process is None:
            raise ScreeningUnavailable("the screening process is not running")
        try:
            if not connection.poll(wait):
                if process.is_alive():
                    return False
                raise ScreeningUnavailable(
                    f"the screening process exited with code {process.exitcode}")
            kind, detail = connection.recv()
            if kind != "ready":
                raise ScreeningUnavailable(str(detail))
        except (EOFError, OSError) as error:
            self._failed(f"the screening process stopped: {error}")
        except ScreeningUnavailable as error:
            self._failed(str(error))
        self.summary = dict(detail)
        return True

    def _failed(self, reason: str) -> NoReturn:
        self.failure, self.failed_at = reason, time.monotonic()
        self.close()
        raise ScreeningUnavailable(reason)

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else int(self._process.pid)

    def pipe(self) -> PipeEnd:
        """The non-blocking end of the pipe, once the child is ready (the handshake before
        reads the blocking ``Connection``)."""
        if self._connection is None:
            raise ScreeningUnavailable("the screening process is not running")
        if self._pipe is None:
            self._pipe = PipeEnd(self._connection.fileno())
        return self._pipe

    def send(self, payments: list[dict[str, Any]]) -> bool:
        """Send one batch; True when it is all in the pipe, False when the rest must be
        flushed (``pipe().flush()``) once the pipe is writable."""
        return self.pipe().write(pickle.dumps(payments, protocol=pickle.HIGHEST_PROTOCOL))

    def receive(self) -> list[dict[str, Any] | InputError] | None:
        """The outcomes of the batch sent last, or None while they are still arriving (raises
        ``ScreeningUnavailable``, ``BatchFailed``)."""
        try:
            message = self.pipe().read()
        except (EOFError, OSError) as error:
            raise ScreeningUnavailable(f"the screening process stopped: {error}") from error
        if message is None:
            return None
        answer = pickle.loads(message)
        if isinstance(answer, tuple):
            raise BatchFailed(f"screening failed: {answer[1]}")
        return [InputError(value) if kind == "input" else value for kind, value in answer]

    def close(self, timeout: float = 5.0) -> None:
        """Ask the child to stop, and make sure it does."""
        connection, process, pipe = self._connection, self._process, self._pipe
        self._connection = self._process = self._pipe = None
        if connection is not None:
            with contextlib.suppress(OSError, ValueError):
                if pipe is None:
                    connection.send_bytes(_STOP)
                elif not pipe.pending:  # not inside a half-written batch
                    pipe.write(_STOP)
            # otherwise the child sees the pipe close: the end of its input as well
            connection.close()
        if process is not None:
            process.join(timeout)
            if process.is_alive():
                process.kill()
                process.join(timeout)


class ProcessBatcher:
    """Payments waiting for the screening process: sent as one batch whenever it is free,
    decisions logged before the answers (a ``batching.Batcher``)."""

    def __init__(self, process: ScreeningProcess, log: ScreeningLog,
                 max_batch: int = MAX_BATCH, max_waiting: int = MAX_WAITING,
                 max_wait: float = MAX_WAIT) -> None:
        self.process = process
        self.log = log
        self.max_batch = max_batch
        self.max_waiting = max_waiting
        self.max_wait = max_wait
        self._waiting: list[Waiting] = []
        self._in_flight: list[Waiting] | None = None
        self._scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._fd = -1  # the pipe's descriptor the loop watches
        self.batches = 0
        self.screened = 0

    @property
    def alive(self) -> bool:
        return self.process.alive

    @property
    def serving(self) -> bool:
        """Still the batcher to use: its process runs (or builds its state), or it could not
        start less than ``FAILED_HOLD`` seconds ago."""
        if self.process.failure is not None:
            return time.monotonic() - self.process.failed_at < FAILED_HOLD
        return self.process.alive

    def wait_ready(self) -> dict[str, int]:
        """Wait until the process has built its state; its size."""
        return self.process.wait().summary

    def health(self) -> dict[str, Any]:
        process = self.process
        if process.failure is not None:
            state = "failed"
        elif not process.alive:
            state = "stopped"
        else:
            try:
                state = "ready" if process.ready() else "starting"
            except ScreeningUnavailable:
                state = "failed"
        return {"state": state, "pid": process.pid, "failure": process.failure,
                "waiting": len(self._waiting) + len(self._in_flight or []),
                "screened": self.screened, "batches": self.batches, **process.summary}

    async def screen(self, payment: dict[str, Any], actor: str, origin: str) -> dict[str, Any]:
        """The decision on ``payment`` (raises ``InputError``, ``ScreeningOverloaded``,
        ``ScreeningStarting`` while the process builds its state, or ``ScreeningUnavailable``
        when it could not start or has stopped)."""
        if not self.process.ready():
            built = time.monotonic() - self.process.launched_at
            raise ScreeningStarting("the screening process is building the party state from "
                                    f"the last scan ({built:.0f} s so far)")
        if not self.process.alive:
            raise ScreeningUnavailable("the screening process has stopped")
        loop = asyncio.get_running_loop()
        answer = enqueue(self._waiting, self.max_waiting, Waiting(payment, actor, origin,
                                                                  loop.create_future()),
                         self.max_wait)
        if self._loop is not loop:  # first use on this loop: read answers when they come
            self._watch(loop)
        if self._in_flight is None and not self._scheduled:
            # after the requests already read in this turn of the loop: they join the batch
            self._scheduled = True
            loop.call_soon(self._send)
        return await answer

    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        self._stop_watching()
        pipe = self.process.pipe()
        loop.add_reader(pipe.fd, self._answered)
        if pipe.pending:  # a batch was half written when the last loop stopped
            loop.add_writer(pipe.fd, self._writable)
        self._loop, self._fd = loop, pipe.fd

    def _send(self) -> None:
        self._scheduled = False
        if self._in_flight is not None or not self._waiting:
            return
        batch = self._waiting[:self.max_batch]
        del self._waiting[:self.max_batch]
        try:
            written = self.process.send([w.payment for w in batch])
        except (OSError, ScreeningUnavailable) as error:
            self._stopped(batch, error)
            return
        self._in_flight = batch
        if not written and self._loop is not None:  # the pipe is full: the rest when it drains
            self._loop.add_writer(self._fd, self._writable)

    def _writable(self) -> None:
        try:
            written = self.process.pipe().flush()
        except (OSError, ScreeningUnavailable) as error:
            self._stopped(self._in_flight or [], error)
            return
        if written and self._loop is not None:
            self._loop.remove_writer(self._fd)

    def _answered(self) -> None:
        try:
            outcomes = self.process.receive()
        except BatchFailed as error:  # the process screens the next batches
            batch, self._in_flight = self._in_flight or [], None
            fail(batch, error)
            self._send()
            return
        except ScreeningUnavailable as error:
            batch, self._in_flight = self._in_flight or [], None
            self._stopped(batch, error)
            return
        if outcomes is None:  # the answer is still arriving
            return
        batch, self._in_flight = self._in_flight or [], None
        if len(outcomes) != len(batch):
            self._stopped(batch, ScreeningUnavailable(
                f"{len(outcomes)} outcomes for a batch of {len(batch)}"))
            return
        settle(batch, outcomes, self.log)
        self.batches += 1
        self.screened += len(batch)
        self._send()  # what waited meanwhile

    def _stopped(self, batch: list[Waiting], error: BaseException) -> None:
        """The process is gone: every request waiting or in flight gets a 503."""
        self._stop_watching()
        waiting, self._waiting = self._waiting, []
        stopped = (error if isinstance(error, ScreeningUnavailable)
                   else ScreeningUnavailable(f"the screening process stopped: {error}"))
        fail(batch + waiting, stopped)
        self.process.close(timeout=1.0)

    def _stop_watching(self) -> None:
        loop, self._loop = self._loop, None
        if loop is not None:  # a closed loop has nothing to remove
            for remove in (loop.remove_reader, loop.remove_writer):
                with contextlib.suppress(ValueError, OSError, RuntimeError):
                    remove(self._fd)

    def close(self) -> None:
        """Stop reading answers and stop the process (server shutdown, or a new process)."""
        self._stop_watching()
        waiting, self._waiting = (self._in_flight or []) + self._waiting, []
        self._in_flight = None
        with contextlib.suppress(RuntimeError):  # their event loop is closed already
            fail(waiting, ScreeningUnavailable("the screening process was stopped"))
        self.process.close()
