"""TWS API framing and field codec, server side.

A frame is a 4-byte big-endian length and a payload of NUL-terminated ASCII
fields. Requests are read with a tolerant cursor (other clients encode unset
numbers as ``""``, ``1.7976931348623157e+308``, ``2147483647`` or ``Infinite``);
replies are written strictly, the way ibapi parses them (sizes as integers).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterator

HEADER = struct.Struct(">I")
MAX_FRAME = 0xFFFFFF
API_PREFIX = b"API\0"
UNSET_DOUBLE = 1.7976931348623157e308
UNSET_INTEGER = 2**31 - 1
UNSET_DOUBLE_TEXT = "1.7976931348623157E308"


class ProtocolError(Exception):
    """The peer broke the framing or sent a request we cannot read."""


class FrameTooLarge(ProtocolError):
    """A frame header announcing more than a TWS frame may hold."""

    pass


def frame(payload: bytes) -> bytes:
    """Prefix a payload with its length."""
    return HEADER.pack(len(payload)) + payload


def field_text(value: object) -> str:
    """One field as TWS writes it: bools as 0/1, None as empty."""
    if value is None:
        return ""
    if value is True:
        return "1"
    if value is False:
        return "0"
    if isinstance(value, float) and value == UNSET_DOUBLE:
        return UNSET_DOUBLE_TEXT
    return str(value)


def encode(*fields: object) -> bytes:
    """A whole frame from fields."""
    payload = "\0".join(map(field_text, fields)) + "\0"
    return frame(payload.encode("ascii", "replace"))


class FrameBuffer:
    """Accumulates bytes and yields whole frames in linear time.

    The consumed prefix is dropped only when it outweighs what is left, so a
    backlog of many small frames is never copied once per frame.
    """

    __slots__ = ("_buf", "_pos", "max_frame")

    def __init__(self, max_frame: int = MAX_FRAME) -> None:
        self._buf = bytearray()
        self._pos = 0
        self.max_frame = max_frame

    def feed(self, data: bytes) -> None:
        self._buf += data

    @property
    def pending(self) -> int:
        return len(self._buf) - self._pos

    def take_raw(self, n: int) -> bytes | None:
        """The next n unframed bytes (the handshake's ``API\\0``), or None if not yet here."""
        if self.pending < n:
            return None
        out = bytes(self._buf[self._pos : self._pos + n])
        self._pos += n
        return out

    def frames(self) -> Iterator[bytes]:
        buf = self._buf
        end = len(buf)
        pos = self._pos
        try:
            while end - pos >= 4:
                (size,) = HEADER.unpack_from(buf, pos)
                if size > self.max_frame:
                    raise FrameTooLarge(f"frame of {size} bytes exceeds {self.max_frame}")
                if end - pos - 4 < size:
                    break
                start = pos + 4
                pos = start + size
                self._pos = pos
                yield bytes(buf[start:pos])
        finally:
            if self._pos > 65536 and self._pos * 2 > len(buf):
                del buf[: self._pos]
                self._pos = 0


def split_fields(payload: bytes) -> list[str]:
    """Payload to field strings; the trailing terminator yields no field."""
    text = payload.decode("ascii", "replace")
    parts = text.split("\0")
    if parts and parts[-1] == "":
        parts.pop()
    return parts


class Fields:
    """A cursor over one request's fields with tolerant number parsing."""

    __slots__ = ("_fields", "_i", "msg_id", "version")

    def __init__(self, fields: list[str], version: int = 157) -> None:
        if not fields:
            raise ProtocolError("empty message")
        self._fields = fields
        self._i = 1
        self.version = version  # the session's server version: layouts differ by it
        try:
            self.msg_id = int(fields[0])
        except ValueError:
            raise ProtocolError(f"message id {fields[0][:20]!r} is not a number") from None

    @classmethod
    def parse(cls, payload: bytes, version: int = 157) -> Fields:
        return cls(split_fields(payload), version)

    @property
    def remaining(self) -> int:
        return len(self._fields) - self._i

    def str(self) -> str:
        try:
            value = self._fields[self._i]
        except IndexError:
            raise ProtocolError(
                f"message {self.msg_id} ended after {len(self._fields)} fields"
            ) from None
        self._i += 1
        return value

    def skip(self, n: int = 1) -> None:
        for _ in range(n):
            self.str()

    def float(self) -> float | None:
        """A number, or None when unset (``""`` or the max double)."""
        text = self.str().strip()
        if text == "":
            return None
        low = text.lower()
        if low in ("infinite", "inf", "infinity"):
            return math.inf
        if low in ("-infinite", "-inf", "-infinity"):
            return -math.inf
        try:
            value = float(text)
        except ValueError:
            raise ProtocolError(f"field {self._i - 1} of message {self.msg_id}: {text[:20]!r} is not a number") from None
        if value >= UNSET_DOUBLE or math.isnan(value):
            return None
        return value

    def int(self, default: int = 0) -> int:
        """An integer; ``""`` and the unset integer give ``default``; ``100.0`` gives 100."""
        value = self.float()
        if value is None or value == UNSET_INTEGER or math.isinf(value):
            return default
        if not value.is_integer():
            raise ProtocolError(f"field {self._i - 1} of message {self.msg_id}: {value} is not a whole number")
        return int(value)

    def bool(self) -> bool:
        text = self.str().strip().lower()
        return text not in ("", "0", "false", "0.0")
