"""The hot market-data frames, decoded straight into the hand-off.

ibapi's generic decoder costs about 10 us per depth or size tick (reflection over
the wrapper's signature, a field iterator, per-message objects), and even a
hand-written decoder calling the wrapper, which calls the hand-off, which takes its
lock, cost 2.9-3.2 us a tick here: four calls and a lock for three or four fields.
This reads a run of frames into compact ticks (``tui.core.handoff`` ``PRICE`` ...)
and folds them with one call and one lock: 1.7-1.9 us a tick in the same harness
(the gateway's frames at the bench's subscriptions; README, "Hot market data").

It reads the fields exactly as the installed ibapi does (a wrong field count drops
the frame as ibapi's decoder does; a field ibapi cannot read is a broken stream) and
folds exactly what ``tui.ib.wrapper.Wrapper``'s market-data callbacks fold: a test
feeds the same frames both ways, ibapi's decoder into the wrapper and this, and
compares the hand-off after every frame, under 9.81 and 10.x. Frames of any other
kind go to ``cold`` (ibapi's decoder), in order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui.core.handoff import DEPTH, PRICE, SIZE, TIME, TRADE, Handoff
from tui.core.priority import UI
from tui.ib import compat, ticks
from tui.ib.subscriptions import Subscriptions

FOLD_EVERY = 256  # ticks decoded before they are folded: the hand-off's lock is held ~0.2 ms at most


class BadFrame(ValueError):
    """A frame ibapi itself could not survive: the connection cannot be trusted."""


# 10.x reads tickSize and depth with a reader (extra trailing fields ignored, sizes as Decimal);
# 9.81 by signature (a wrong field count drops the message, an empty size is an error)
_TICK_SIZE_LENIENT = compat.TICK_SIZE_LENIENT
_DEPTH_LENIENT = compat.DEPTH_LENIENT
# tickPrice implies a tickSize for these types, as in ibapi
_SIZE_FOR = {1: 0, 2: 3, 4: 5, 66: 69, 67: 70, 68: 71}
_PRICES, _SIZES = ticks.PRICES, ticks.SIZES
_DELAYED_FIRST, _DELAYED_LAST = ticks.DELAYED_FIRST, ticks.DELAYED_LAST
_RT_VOLUMES, _LAST_TIMESTAMPS = ticks.RT_VOLUMES, ticks.LAST_TIMESTAMPS
_parse_rt_volume = ticks.parse_rt_volume
_MAX_DEPTH_FIELDS = 9
_HOT = frozenset({b"1", b"2", b"46", b"12", b"13"})  # the message ids decoded here


def _count(value: object) -> int | None:
    """A decoded size as the wrapper folds it: an int, or None for ibapi's "no value"."""
    return None if compat.is_unset(value) else int(value)  # type: ignore[call-overload]


def _strict_size(text: bytes) -> int | None:
    """A size read as tickSize and depth read it: ``int()`` in 9.81 (so an empty one is an
    error), a Decimal in 10.x."""
    return _count(compat.decode_size(text) if compat.DECIMAL_SIZES else int(text))


def _loose_size(text: bytes) -> int | None:
    """A size read as tickPrice's implied size and L2 depth read it (empty is 0 in 9.81)."""
    return _count(compat.decode_size(text))


def _text(b: bytes) -> str:
    """A string field as ibapi decodes it."""
    if b"\\" not in b:
        return b.decode("latin-1")  # what unicode-escape gives for bytes without an escape
    try:
        return b.decode("unicode-escape")
    except UnicodeDecodeError:
        return b.decode("latin-1")


class FastPath:
    """Decodes batches of frames: hot market data folded into ``handoff``, the rest to ``cold``."""

    __slots__ = ("h", "subs", "dropped")

    def __init__(self, handoff: Handoff, subscriptions: Subscriptions) -> None:
        self.h = handoff
        self.subs = subscriptions  # its ``market`` map is replaced whole: read per frame, no lock
        self.dropped = 0  # frames ibapi would have dropped for their field count

    def run(self, batch: list[bytes], cold: Callable[[bytes], None]) -> None:
        """Decode ``batch`` in order. Ticks are folded every ``FOLD_EVERY``, at the end, before a
        cold frame (whose handling may depend on them) and before stepping aside for the UI."""
        ops: list[tuple[Any, ...]] = []
        add = ops.append
        fold = self.h.fold
        subs = self.subs
        ui = UI

        def flush() -> None:
            if ops:
                fold(ops)
                ops.clear()

        for payload in batch:
            if ui.pending:  # a key, frame or paint is running: let it have the interpreter
                flush()
                ui.step_aside()
            f = payload.split(b"\0")  # fields, and the empty string after the last NUL
            k = f[0]
            if k not in _HOT:
                flush()
                cold(payload)
                continue
            n = len(f)
            try:
                if k == b"2":  # tickSize: 2, version, request id, tick type, size
                    if n != 6 and not (_TICK_SIZE_LENIENT and n > 6):
                        self.dropped += 1
                        continue
                    req_id, tick_type, t = int(f[2]), int(f[3]), f[4]
                    # a plain count below every "no value" marker reads the same in both clients
                    size = int(t) if t.isdigit() and len(t) < 10 else _strict_size(t)
                    con = subs.market.get(req_id)
                    field = _SIZES.get(tick_type)
                    if con is not None and field is not None and size is not None:
                        add((SIZE, con, field, size))
                elif k == b"1":  # tickPrice: 1, version, request id, tick type, price, size, attributes
                    if n < 8:
                        self.dropped += 1
                        continue
                    req_id = int(f[2] or 0)
                    tick_type = int(f[3] or 0)
                    price = float(f[4] or 0)
                    int(f[6] or 0)  # the attribute mask: unused, but ibapi reads it
                    con = subs.market.get(req_id)
                    field = _PRICES.get(tick_type)
                    if con is not None and field is not None:
                        add((PRICE, con, field, price, _DELAYED_FIRST <= tick_type <= _DELAYED_LAST))
                    size_type = _SIZE_FOR.get(tick_type)
                    if size_type is not None:
                        t = f[5]
                        size = int(t) if t.isdigit() and len(t) < 10 else _loose_size(t)
                        if con is not None and size is not None:
                            add((SIZE, con, _SIZES[size_type], size))
                elif k == b"46":  # tickString: 46, version, request id, tick type, value
                    if n != 6:
                        self.dropped += 1
                        continue
                    req_id, tick_type = int(f[2]), int(f[3])
                    if tick_type in _RT_VOLUMES:
                        con = subs.market.get(req_id)
                        trade = _parse_rt_volume(_text(f[4])) if con is not None else None
                        if trade is not None:
                            add((TRADE, con, *trade))
                    elif tick_type in _LAST_TIMESTAMPS:
                        con = subs.market.get(req_id)
                        if con is not None:
                            try:
                                add((TIME, con, float(_text(f[4]))))
                            except ValueError:
                                pass
                elif k == b"12":  # depth: 12, version, request id, position, operation, side, price, size
                    if n != _MAX_DEPTH_FIELDS and not (_DEPTH_LENIENT and n > _MAX_DEPTH_FIELDS):
                        self.dropped += 1
                        continue
                    req_id, position, operation, side = int(f[2]), int(f[3]), int(f[4]), int(f[5])
                    price = float(f[6])
                    t = f[7]
                    size = int(t) if t.isdigit() and len(t) < 10 else _strict_size(t)
                    con = subs.market.get(req_id)
                    if con is not None:
                        add((DEPTH, con, position, operation, side, price, 0 if size is None else size))
                else:  # 13, L2 depth: ..., position, market maker, operation, side, price, size, smart
                    if n < 11:
                        self.dropped += 1
                        continue
                    req_id, position = int(f[2] or 0), int(f[3] or 0)
                    operation, side = int(f[5] or 0), int(f[6] or 0)
                    price = float(f[7] or 0)
                    t = f[8]
                    size = int(t) if t.isdigit() and len(t) < 10 else _loose_size(t)
                    int(f[9] or 0)  # smart depth or not: unused, but ibapi reads it
                    con = subs.market.get(req_id)
                    if con is not None:
                        add((DEPTH, con, position, operation, side, price, 0 if size is None else size))
            except (ValueError, IndexError, ArithmeticError) as e:
                flush()  # what came before it stands
                raise BadFrame(f"unreadable market-data frame {payload[:60]!r}: {e}") from None
            if len(ops) >= FOLD_EVERY:
                flush()
        flush()
