"""The socket to TWS: handshake, a locked send path, and a linear-time frame reader.

ibapi's stock EReader appends each ``recv`` to a bytes buffer and re-slices it
per message, which is quadratic in the backlog; this reader keeps one
bytearray and an offset, and hands the decode thread whole batches of frames.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
import time
from collections.abc import Callable

from tui.core.priority import UI

log = logging.getLogger(__name__)

HEADER = struct.Struct(">I")
MAX_FRAME = 0xFFFFFF
MIN_VERSION, MAX_VERSION = 100, 157  # what ibapi 9.81 speaks
# the kernel's receive buffer (Linux doubles it: 512 KB, ~19,000 quote ticks) and the most one
# read takes. Left to itself the kernel grows the buffer to megabytes when the reader falls
# behind, which is seconds of market data queued ahead of what the screen shows; bounded, TWS
# holds the rest back (see ``tui.ib.client.BACKLOG_FRAMES``). A 512 KB window still carries
# 500 MB a second over a 1 ms round trip, 5 MB (about 190,000 ticks) over a 100 ms one.
RECEIVE_BUFFER = 256 << 10


class HandshakeError(ConnectionError):
    """The server did not complete the API handshake."""

    pass


def _frame(text: str) -> bytes:
    data = text.encode()
    return HEADER.pack(len(data)) + data


def handshake(host: str, port: int, timeout: float) -> tuple[socket.socket, int, str, bytes]:
    """Connect and negotiate; returns (socket, server version, connection time, leftover bytes)."""
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        sock.sendall(b"API\0" + _frame(f"v{MIN_VERSION}..{MAX_VERSION}"))
        buf = bytearray()
        deadline = time.monotonic() + timeout
        while True:
            if len(buf) >= 4:
                (size,) = HEADER.unpack_from(buf)
                if size > MAX_FRAME:
                    raise HandshakeError("the server's first frame is not a TWS version reply")
                if len(buf) >= 4 + size:
                    break
            left = deadline - time.monotonic()
            if left <= 0:
                raise HandshakeError("no version reply from the server")
            sock.settimeout(left)
            data = sock.recv(65536)
            if not data:
                raise HandshakeError("the server closed the connection during the handshake "
                                     "(version mismatch, or too many connections)")
            buf += data
        fields = bytes(buf[4 : 4 + size]).split(b"\0")
        try:
            version = int(fields[0])
            conn_time = fields[1].decode("ascii", "replace")
        except (ValueError, IndexError):
            raise HandshakeError("unreadable version reply") from None
        if not MIN_VERSION <= version <= MAX_VERSION:
            raise HandshakeError(f"server version {version} is outside {MIN_VERSION}..{MAX_VERSION}")
        sock.settimeout(None)
        return sock, version, conn_time, bytes(buf[4 + size :])
    except BaseException:
        sock.close()
        raise


class Wire:
    """The send side, shaped like ibapi's Connection so EClient can use it."""

    def __init__(self, sock: socket.socket) -> None:
        self.socket: socket.socket | None = sock
        self.lock = threading.Lock()
        self.last_rx = time.monotonic()
        self.bytes_in = 0
        self.frames_in = 0
        self.wrapper = None

    def sendMsg(self, data: bytes) -> int:  # noqa: N802 (ibapi's name)
        with self.lock:
            if self.socket is None:
                return 0
            try:
                self.socket.sendall(data)
            except OSError:
                return 0
            return len(data)

    def isConnected(self) -> bool:  # noqa: N802
        return self.socket is not None

    def disconnect(self) -> None:
        with self.lock:
            sock, self.socket = self.socket, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


class Reader(threading.Thread):
    """Reads frames and hands batches to ``deliver``; calls ``closed(reason)`` once at the end."""

    def __init__(self, wire: Wire, leftover: bytes, deliver: Callable[[list[bytes]], None],
                 closed: Callable[[str], None]) -> None:
        super().__init__(name="ib-reader", daemon=True)
        self.wire = wire
        self.leftover = leftover
        self.deliver = deliver
        self.closed = closed

    def run(self) -> None:
        wire = self.wire
        sock = wire.socket
        # what is received stays immutable bytes and each frame is one slice of it (a bytearray
        # costs a second copy per frame); only an unfinished frame is carried over
        buf = self.leftover
        pos = 0
        unpack = HEADER.unpack_from
        ui = UI
        reason = "connection closed by the server"
        try:
            while sock is not None:
                batch: list[bytes] = []
                end = len(buf)
                while end - pos >= 4:
                    if ui.pending:  # the UI claimed the interpreter (tui.core.priority)
                        ui.step_aside()
                    (size,) = unpack(buf, pos)
                    if size > MAX_FRAME:
                        raise ValueError(f"a frame of {size} bytes")
                    if end - pos - 4 < size:
                        break
                    start = pos + 4
                    pos = start + size
                    batch.append(buf[start:pos])
                if batch:
                    wire.frames_in += len(batch)
                    self.deliver(batch)
                rest = buf[pos:] if pos < end else b""
                buf = self._receive(sock, rest)
                pos = 0
                if len(buf) == len(rest):
                    break
        except (OSError, ValueError) as e:
            reason = f"connection lost: {e}"
        if wire.socket is None:
            reason = "disconnected"
        self.closed(reason)

    def _receive(self, sock: socket.socket, rest: bytes) -> bytes:
        """``rest`` (an unfinished frame) and what arrives next, at least one frame's worth if
        ``rest`` says how long its frame is; ``rest`` alone when the connection has ended."""
        need = 4 + HEADER.unpack_from(rest)[0] if len(rest) >= 4 else 0
        parts = [rest]
        have = len(rest)
        while True:
            data = sock.recv(RECEIVE_BUFFER)
            if not data:
                break
            self.wire.last_rx = time.monotonic()
            self.wire.bytes_in += len(data)
            parts.append(data)
            have += len(data)
            if have >= need:  # a long frame's pieces are joined once, not once per piece
                break
        return parts[1] if len(parts) == 2 and not rest else b"".join(parts)

