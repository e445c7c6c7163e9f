"""One connection to TWS: ibapi's EClient for requests, our reader and decode loop for answers."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from ibapi.client import EClient
from ibapi.decoder import Decoder

from tui.ib import compat
from tui.ib.fastpath import BadFrame, FastPath
from tui.ib.stencil import Stencils
from tui.ib.wire import Reader, Wire, handshake
from tui.ib.wrapper import Wrapper

log = logging.getLogger(__name__)

# frames the reader may hand on ahead of the decoder. Past this it stops reading: the socket
# fills and TWS holds back (the simulated gateway pauses the session's market data and, once it
# drains, sends the difference to the current book), so under more market data than this
# machine can decode the screen runs at most this far behind (about a tenth of a second of
# decoding here) and memory stays bounded, instead of both growing for as long as it lasts.
BACKLOG_FRAMES = 20_000


class Client(EClient):
    """A single TWS session. ``closed(reason)`` is called once when it ends, from any thread."""

    def __init__(self, wrapper: Wrapper, closed: Callable[[str], None]) -> None:
        super().__init__(wrapper)
        self.fast = FastPath(wrapper.h, wrapper.subs)
        self._batches: queue.SimpleQueue[list[bytes] | str] = queue.SimpleQueue()  # str: the end, why
        self._backlog = 0  # frames handed to the decoder and not decoded yet
        self._backlog_cv = threading.Condition(threading.Lock())
        self._closed_cb = closed
        self._closed_once = threading.Lock()
        self._done = False
        self.wire: Wire | None = None
        self.stencils: Stencils | None = None  # placeOrder's bytes, once the server version is known
        self.conn_time = ""
        self.messages = 0

    def open(self, host: str, port: int, client_id: int, timeout: float) -> None:
        """Handshake, start the reader and decode threads, send startApi."""
        sock, version, conn_time, leftover = handshake(host, port, timeout)
        self.host, self.port, self.clientId = host, port, client_id
        self.wire = Wire(sock)
        self.conn = self.wire
        self.serverVersion_ = version
        self.stencils = Stencils(version)
        self.conn_time = conn_time
        self.decoder = Decoder(self.wrapper, version)
        self.setConnState(EClient.CONNECTED)
        Reader(self.wire, leftover, self._deliver, self._reader_closed).start()
        threading.Thread(target=self._decode_loop, name="ib-decode", daemon=True).start()
        self.startApi()

    def sendMsg(self, *args: Any) -> None:  # type: ignore[override]  # noqa: N802 (ibapi's name)
        """Frame and send one request: ``(text)`` from 9.81, ``(msgId, text)`` from 10.x.

        ibapi's own inspects the call stack for a log line every time.
        """
        if self.conn is not None:
            self.conn.sendMsg(compat.frame(args))

    def send_frame(self, data: bytes) -> None:
        """Send one request already framed (a stencil's order)."""
        conn = self.conn
        if conn is not None:
            conn.sendMsg(data)

    def _deliver(self, batch: list[bytes]) -> None:
        """On the reader's thread: hand a batch to the decoder, then wait while it is more than
        ``BACKLOG_FRAMES`` behind (the batch itself is never held back)."""
        cv = self._backlog_cv
        with cv:
            self._batches.put(batch)
            self._backlog += len(batch)
            while self._backlog > BACKLOG_FRAMES and not self._done:
                cv.wait(0.25)
                if self.wire is not None:  # not silence from TWS: it is we who are not reading
                    self.wire.last_rx = time.monotonic()

    @property
    def backlog(self) -> int:
        """Frames read and not decoded yet."""
        return self._backlog

    def _decoded(self, n: int) -> None:
        cv = self._backlog_cv
        with cv:
            self._backlog -= n
            if self._backlog <= BACKLOG_FRAMES:
                cv.notify()

    def _reader_closed(self, reason: str) -> None:
        # through the decode queue, not at once: what arrived before the end (error 326,
        # say) is decoded first, so the reason given is the server's, not a bare "closed"
        self._batches.put(reason)

    def _decode_loop(self) -> None:
        run = self.fast.run
        decoder = self.decoder
        interpret = compat.interpret
        get = self._batches.get
        decoded = self._decoded

        def cold(payload: bytes) -> None:  # anything but hot market data: ibapi's own decoder
            fields = payload.split(b"\0")
            fields.pop()
            interpret(decoder, fields)

        try:
            while True:
                batch = get()
                if isinstance(batch, str):
                    self._finish(batch)
                    return
                self.messages += len(batch)
                run(batch, cold)
                decoded(len(batch))
        except BadFrame as e:
            log.error("%s; dropping the connection", e)
            self.close(f"garbled data from TWS ({e})")
        except Exception as e:  # ibapi's decoder raising is a broken stream, not a crash
            log.exception("decoding failed")
            self.close(f"garbled data from TWS ({type(e).__name__}: {e})")

    def close(self, reason: str = "disconnected") -> None:
        """End the session (once); ``reason`` is what the trader is told."""
        # the reason is recorded before the socket closes: otherwise the reader, seeing
        # the socket go, would report a plain "disconnected" first
        self._finish(reason)

    def _finish(self, reason: str) -> None:
        with self._closed_once:
            if self._done:
                return
            self._done = True
        with self._backlog_cv:
            self._backlog_cv.notify_all()  # a reader waiting on the decoder: the session is over
        self.setConnState(EClient.DISCONNECTED)
        if self.wire is not None:
            self.wire.disconnect()
        self._closed_cb(reason)
