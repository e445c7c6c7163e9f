"""Hand-written decoders for the hot market-data messages.

ibapi's generic decoder costs about 10 us per depth or size tick (reflection
over the wrapper's signature, a field iterator, per-message objects). These
decoders read the same fields in the same way and make the same wrapper calls
(a test checks it message by message), in a fraction of the time. Every other
message still goes to ibapi's own decoder.
"""

from __future__ import annotations

import logging

from ibapi.common import TickAttrib, TickAttribBidAsk, TickAttribLast
from ibapi.wrapper import EWrapper

from tui.ib import compat
from tui.ib.compat import decode_size as _size

log = logging.getLogger(__name__)


class BadFrame(ValueError):
    """A frame ibapi itself could not survive: the connection cannot be trusted."""


def _tick_attrib(mask: int) -> TickAttrib:
    a = TickAttrib()
    a.canAutoExecute = mask & 1 != 0
    a.pastLimit = mask & 2 != 0
    a.preOpen = mask & 4 != 0
    return a


# TickAttrib objects are only read by wrappers, so one per mask value serves all messages
_ATTRIBS = [_tick_attrib(m) for m in range(8)]
# 10.x reads tickSize and depth with a reader (extra trailing fields ignored, sizes as Decimal);
# 9.81 by signature (a wrong field count drops the message, an empty size is an error)
_TICK_SIZE_LENIENT = compat.TICK_SIZE_LENIENT
_DEPTH_LENIENT = compat.DEPTH_LENIENT
_tick_size_value = _size if _TICK_SIZE_LENIENT else int
_depth_size_value = _size if _DEPTH_LENIENT else int
# tickPrice implies a tickSize for these types, as in ibapi
_SIZE_FOR = {1: 0, 2: 3, 4: 5, 66: 69, 67: 70, 68: 71}


def _text(b: bytes) -> str:
    try:
        return b.decode("unicode-escape")
    except UnicodeDecodeError:
        return b.decode("latin-1")


class FastPath:
    """Decodes hot frames straight into wrapper calls; ``handle`` says whether it took the frame."""

    __slots__ = ("w", "dropped", "_table")

    def __init__(self, wrapper: EWrapper) -> None:
        self.w = wrapper
        self.dropped = 0  # frames ibapi would have dropped for their field count
        self._table = {
            b"1": self.tick_price, b"2": self.tick_size, b"46": self.tick_string,
            b"45": self.tick_generic, b"12": self.depth, b"13": self.depth_l2,
            b"99": self.tick_by_tick,
        }

    def handle(self, payload: bytes) -> bool:
        cut = payload.find(b"\0")
        fn = self._table.get(payload[:cut])
        if fn is None:
            return False
        fields = payload.split(b"\0")
        try:
            fn(fields)
        except (ValueError, IndexError) as e:
            raise BadFrame(f"unreadable market-data frame {payload[:60]!r}: {e}") from None
        return True

    # fields still hold the trailing empty string after the last NUL

    def tick_price(self, f: list[bytes]) -> None:
        if len(f) < 8:
            self.dropped += 1  # ibapi's decoder raises BadMessage and skips it
            return
        req_id = int(f[2] or 0)
        tick_type = int(f[3] or 0)
        self.w.tickPrice(req_id, tick_type, float(f[4] or 0), _ATTRIBS[int(f[6] or 0) & 7])
        size_type = _SIZE_FOR.get(tick_type)
        if size_type is not None:
            self.w.tickSize(req_id, size_type, _size(f[5]))

    def tick_size(self, f: list[bytes]) -> None:
        if len(f) != 6 and not (_TICK_SIZE_LENIENT and len(f) > 6):
            self.dropped += 1
            return
        self.w.tickSize(int(f[2]), int(f[3]), _tick_size_value(f[4]))

    def tick_string(self, f: list[bytes]) -> None:
        if len(f) != 6:
            self.dropped += 1
            return
        self.w.tickString(int(f[2]), int(f[3]), _text(f[4]))

    def tick_generic(self, f: list[bytes]) -> None:
        if len(f) != 6:
            self.dropped += 1
            return
        self.w.tickGeneric(int(f[2]), int(f[3]), float(f[4]))

    def depth(self, f: list[bytes]) -> None:
        if len(f) != 9 and not (_DEPTH_LENIENT and len(f) > 9):
            self.dropped += 1
            return
        self.w.updateMktDepth(int(f[2]), int(f[3]), int(f[4]), int(f[5]), float(f[6]), _depth_size_value(f[7]))

    def depth_l2(self, f: list[bytes]) -> None:
        if len(f) < 11:
            self.dropped += 1
            return
        self.w.updateMktDepthL2(
            int(f[2] or 0), int(f[3] or 0), f[4].decode(errors="backslashreplace"),
            int(f[5] or 0), int(f[6] or 0), float(f[7] or 0), _size(f[8]), int(f[9] or 0) != 0,
        )

    def tick_by_tick(self, f: list[bytes]) -> None:
        if len(f) < 5:
            self.dropped += 1
            return
        req_id = int(f[1] or 0)
        kind = int(f[2] or 0)
        t = int(f[3] or 0)
        if kind in (1, 2):
            mask = int(f[6] or 0)
            attrib = TickAttribLast()
            attrib.pastLimit = mask & 1 != 0
            attrib.unreported = mask & 2 != 0
            self.w.tickByTickAllLast(req_id, kind, t, float(f[4] or 0), _size(f[5]), attrib,
                                     f[7].decode(errors="backslashreplace"),
                                     f[8].decode(errors="backslashreplace"))
        elif kind == 3:
            mask = int(f[8] or 0)
            attrib_ba = TickAttribBidAsk()
            attrib_ba.bidPastLow = mask & 1 != 0
            attrib_ba.askPastHigh = mask & 2 != 0
            self.w.tickByTickBidAsk(req_id, t, float(f[4] or 0), float(f[5] or 0), _size(f[6]),
                                    _size(f[7]), attrib_ba)
        elif kind == 4:
            self.w.tickByTickMidPoint(req_id, t, float(f[4] or 0))
