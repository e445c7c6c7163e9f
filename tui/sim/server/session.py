"""One client connection: handshake, startApi, then requests until it goes.

Everything a session sends goes through ``out`` and leaves in one write per
event-loop turn. A session whose socket backs up is paused for market data
(asyncio's write-buffer high-water mark) and resynchronised when it drains;
one that still grows past a hard limit is closed. Bad input ends only the
connection that sent it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import time
from collections import deque
from typing import TYPE_CHECKING

from tui.sim.protocol import messages as msg
from tui.sim.protocol.codec import API_PREFIX, FrameBuffer, ProtocolError
from tui.sim.protocol.parsers import parse_request
from tui.sim.protocol.requests import StartApi
from tui.sim.protocol.versions import NEWEST, OLDEST, negotiate

if TYPE_CHECKING:
    from tui.sim.server.feed import DepthSub, L1Sub, TbtSub
    from tui.sim.server.gateway import Gateway

log = logging.getLogger("tui.sim")

PAUSE_MARKET_DATA_AT = 512 << 10  # bytes waiting in the transport's buffer
# the kernel's send buffer (Linux doubles it): left to itself it grows to megabytes for a client
# that reads slower than the market moves, all of it stale by the time it is read; bounded, the
# session is paused sooner and gets the current book when it drains
SEND_BUFFER = 256 << 10
HARD_LIMIT = 64 << 20
_VERSION_RE = re.compile(r"v(\d+)(?:\.\.(\d+))?")

# handshake states
PREFIX, VERSION, START, READY, CLOSED = range(5)


class Session(asyncio.Protocol):
    """One client connection: handshake, startApi, rate limit, buffered sends."""
    def __init__(self, gateway: Gateway) -> None:
        self.gw = gateway
        self.buffer = FrameBuffer()
        self.state = PREFIX
        self.client_id = -1
        self.version = OLDEST  # the server version negotiated at the handshake
        self.peer = "?"
        self.out: list[bytes] = []
        self.paused = False
        self.transport: asyncio.Transport | None = None
        self._flush_scheduled = False
        # per-client request state
        self.l1: dict[int, tuple[L1Sub, int]] = {}  # request id -> (its stream, con id)
        self.md_type = 1  # reqMarketDataType: 1 live, 2 frozen, 3 delayed, 4 delayed frozen
        self.depth: dict[int, DepthSub] = {}
        self.tbt: dict[int, TbtSub] = {}
        self.pnl: dict[int, int] = {}  # reqId -> conId (0 = account)
        self.history: dict[int, tuple[int, int]] = {}  # reqId -> (conId, bar seconds)
        self.history_bars: dict[int, list[int]] = {}  # reqId -> [start, o, h, l, c, volume at start] (ticks)
        self.rt_bars: dict[int, tuple[int, str]] = {}  # reqId -> (conId, what to show)
        self.rt_sent: dict[int, int] = {}  # reqId -> start of the last bar sent
        self.account_updates = False
        self.positions = False
        self.md_type_requested = False
        self.auto_bind = False
        self.paced = False  # +PACEAPI: TWS queues instead of rejecting bursts
        self._rate_window: deque[float] = deque()

    # --- transport ----------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if peer else "?"
        transport.set_write_buffer_limits(high=PAUSE_MARKET_DATA_AT, low=PAUSE_MARKET_DATA_AT // 4)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        self.gw.sessions_open.add(self)
        loop = asyncio.get_running_loop()
        if loop.time() < self.gw.refuse_until:
            log.info("refusing a connection from %s (fault)", self.peer)
            self.state = CLOSED
            transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self.state = CLOSED
        self.out.clear()
        self.gw.unregister(self)

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        self.gw.resume(self)

    def wake(self) -> None:
        if not self._flush_scheduled and self.transport is not None:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def send(self, frame: bytes) -> None:
        if self.state == CLOSED:
            return
        if not self.out:
            self.wake()
        self.out.append(frame)

    def error(self, req_id: int, code: int, text: str) -> None:
        """An error or notice, in this session's layout (stamped from 194 on)."""
        self.send(msg.error(self.version, req_id, code, text, int(self.gw.clock.now() * 1000)))

    def invalid(self, req_id: int, request: str, cause: str) -> None:
        """TWS's error 321 for a request it can read but will not serve."""
        self.error(req_id, 321, msg.invalid_request_text(request, cause))

    def flush(self) -> None:
        self._flush_scheduled = False
        if not self.out or self.transport is None or self.state == CLOSED:
            self.out.clear()
            return
        stalled = self.gw.stalled_until - asyncio.get_running_loop().time()
        if stalled > 0:
            # hold everything back; market data stops piling up meanwhile
            self.paused = True
            self._flush_scheduled = True
            asyncio.get_running_loop().call_later(stalled, self._end_stall)
            return
        data = b"".join(self.out)
        self.gw.frames_out += len(self.out)
        self.out.clear()
        self.transport.write(data)
        if self.transport.get_write_buffer_size() > HARD_LIMIT:
            log.warning("client %s at %s is not reading; closing it", self.client_id, self.peer)
            self.close()

    def _end_stall(self) -> None:
        self.paused = False
        self.flush()
        self.gw.resume(self)

    def over_rate(self) -> bool:
        """TWS allows 50 messages per second per client; beyond that it answers error 100."""
        if self.paced or not self.gw.enforce_pacing:
            return False
        now = time.monotonic()
        window = self._rate_window
        window.append(now)
        while window and now - window[0] > 1.0:
            window.popleft()
        return len(window) > 50

    def close(self) -> None:
        if self.transport is not None and self.state != CLOSED:
            self.state = CLOSED
            self.transport.abort()

    # --- input --------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        self.buffer.feed(data)
        try:
            self._consume()
        except ProtocolError as e:
            log.warning("client %s at %s sent bad data (%s); closing its connection",
                        self.client_id, self.peer, e)
            self.flush()
            self.close()

    def _consume(self) -> None:
        if self.state == PREFIX:
            prefix = self.buffer.take_raw(len(API_PREFIX))
            if prefix is None:
                return
            if prefix != API_PREFIX:
                raise ProtocolError("connection did not start with API\\0")
            self.state = VERSION
        for payload in self.buffer.frames():
            if self.state == CLOSED:
                return
            if self.state == VERSION:
                self._handshake(payload)
            elif self.state == START:
                request = parse_request(payload, self.version)
                if isinstance(request, StartApi):
                    self._start(request)
                else:
                    log.info("client at %s sent a request before startApi; ignored", self.peer)
            elif self.over_rate():
                self.error(-1, 100, "Max rate of messages per second has been exceeded:"
                                             f"max=50 rec={len(self._rate_window)} (1)")
            else:
                self.gw.handle(self, payload)

    def _handshake(self, payload: bytes) -> None:
        text = payload.decode("ascii", "replace").rstrip("\0")
        versions, _, options = text.partition(" ")
        self.paced = "+PACEAPI" in options
        m = _VERSION_RE.fullmatch(versions.strip())
        if not m:
            raise ProtocolError(f"unreadable version range {text[:40]!r}")
        low = int(m.group(1))
        high = int(m.group(2) or low)
        version = negotiate(low, high)
        if version is None:
            log.info("client at %s offers versions %d..%d; this gateway speaks %d..%d; closing",
                     self.peer, low, high, OLDEST, NEWEST)
            self.close()
            return
        self.version = version
        # the reply must travel alone: ibapi discards whatever follows it in the same read
        assert self.transport is not None
        self.transport.write(msg.handshake_reply(version, self.gw.connection_time()))
        self.state = START

    def _start(self, request: StartApi) -> None:
        self.client_id = request.client_id
        if not self.gw.register(self):
            self.transport.write(msg.error(  # type: ignore[union-attr]
                self.version, -1, 326,
                "Unable to connect as the client id is already in use. Retry with a unique client id.",
            ))
            log.info("client id %d from %s is already in use; refused", self.client_id, self.peer)
            self.state = CLOSED
            self.transport.close()  # type: ignore[union-attr]
            return
        self.state = READY
        self.gw.greet(self)
