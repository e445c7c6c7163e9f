"""The fast path folds into the hand-off exactly what ibapi's own decoder and our wrapper fold,
frame by frame, with whichever ibapi is installed (a second CI environment runs the other)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from ibapi.decoder import Decoder

from tests.sim.test_protocol import depth_request, hello, raw, read_frames, request, start_api
from tui.core.handoff import Handoff
from tui.ib import compat
from tui.ib.fastpath import FOLD_EVERY, BadFrame, FastPath
from tui.ib.subscriptions import Subscriptions
from tui.ib.wrapper import Wrapper
from tui.sim.protocol.codec import FrameBuffer

# request id -> con id: the edge cases' ids 1 and 7, and what ``captured_frames`` asks for
# (1 ES depth, 2 AAPL L2 depth, 10-12 quotes with RTVolume); 20-23 (tick-by-tick) map to nothing
REQUESTS = {1: 101, 2: 102, 7: 107, 10: 110, 11: 111, 12: 112}


class Sink:
    def __init__(self) -> None:
        self.subscriptions = Subscriptions(iter(range(1000, 2000)).__next__)
        self.subscriptions.market = dict(REQUESTS)

    def __getattr__(self, name: str) -> Any:
        return lambda *args: None


def wrapper() -> Wrapper:
    return Wrapper(Sink(), Handoff())  # type: ignore[arg-type]


def ibapi_cold(w: Wrapper) -> Any:
    decoder = Decoder(w, 157)

    def cold(payload: bytes) -> None:
        fields = payload.split(b"\0")
        fields.pop()
        compat.interpret(decoder, fields)
    return cold


def state(h: Handoff) -> tuple[Any, ...]:
    """All the hand-off shows the app, and its counters."""
    events, updates = h.drain()
    return events, updates, h.received, h.dropped_depth_ops, h.dropped_prints


def check_same(frames: list[bytes]) -> int:
    """Each frame both ways: through ibapi's decoder into the wrapper, and through the fast path
    (alone, and inside one batch); the hand-off must agree after every frame. Returns how many
    frames the fast path took."""
    ref, fast, batched = wrapper(), wrapper(), wrapper()
    ref_cold = ibapi_cold(ref)
    path = FastPath(fast.h, fast.subs)
    taken = 0

    def count_cold(payload: bytes) -> None:
        nonlocal taken
        taken -= 1
        ibapi_cold(fast)(payload)

    for payload in frames:
        ref_cold(payload)
        taken += 1
        path.run([payload], count_cold)
        assert state(fast.h) == state(ref.h), payload
    # the same frames as one batch: folded in runs, the result identical
    FastPath(batched.h, batched.subs).run(frames, ibapi_cold(batched))
    whole = wrapper()
    for payload in frames:
        ibapi_cold(whole)(payload)
    assert state(batched.h) == state(whole.h)
    return taken


def captured_frames(gateway) -> list[bytes]:
    """Two thousand real frames of every hot kind from a busy gateway."""
    s = raw(gateway.port)
    s.sendall(hello())
    read_frames(s, 1)
    reqs = start_api(30) + depth_request(1, "ES", "FUT", "CME", 10)
    reqs += request(10, 5, 2, 0, "AAPL", "STK", "", "", "", "", "SMART", "", "USD", "", "", 5, 1, "")
    for i, (sym, kind, ex) in enumerate([("NQ", "FUT", "CME"), ("EUR", "CASH", "IDEALPRO"),
                                         ("MSFT", "STK", "SMART")]):
        reqs += request(1, 11, 10 + i, 0, sym, kind, "", "", "", "", ex, "", "USD", "", "", 0,
                        "233", 0, 0, "")
    for i, kind in enumerate(("Last", "BidAsk", "MidPoint", "AllLast")):
        reqs += request(97, 20 + i, 0, "CL", "FUT", "", "", "", "", "NYMEX", "", "USD", "", "",
                        kind, 0, 0)
    s.sendall(reqs)
    buf = FrameBuffer()
    frames: list[bytes] = []
    s.settimeout(0.5)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and len(frames) < 2000:
        try:
            data = s.recv(1 << 16)
        except TimeoutError:
            continue
        buf.feed(data)
        frames += list(buf.frames())
    return frames


EDGE_CASES = [
    b"1\x006\x007\x001\x00100.5\x00300\x007\x00",  # every attribute bit
    b"1\x006\x007\x0066\x001.5\x00\x000\x00",  # delayed bid, empty size
    b"1\x006\x007\x009\x00100.0\x000\x000\x00",  # close: no derived size
    b"1\x006\x007\x004\x0099.25\x0012\x002\x00extra\x00",  # a field too many: ibapi ignores it
    b"2\x006\x007\x008\x00123456\x00",
    b"2\x006\x007\x008\x00123456\x00extra\x00",  # a field too many: 9.81 drops it, 10.x reads it
    b"2\x006\x007\x000\x002147483647\x00",  # 10.x: the unset size; 9.81: a number
    b"12\x001\x007\x000\x000\x001\x004500.25\x0010\x00extra\x00",  # 9.81 drops, 10.x reads
    b"99\x007\x001\x001767623400\x00100.25\x00\x003\x00NYSE\x00T\x00",  # an empty size
    b"46\x006\x007\x0045\x001767623400\x00",
    b"46\x006\x007\x0048\x00100.5;1;1767623400000;55;100.5;true\x00",
    b"45\x006\x007\x0049\x000.0\x00",
    b"12\x001\x007\x000\x000\x001\x004500.25\x0010\x00",
    b"12\x001\x007\x009\x002\x000\x004500.5\x000\x00",
    b"13\x001\x007\x002\x00NSDQ\x001\x001\x00228.51\x00300\x001\x00",
    b"99\x007\x001\x001767623400\x00100.25\x005\x003\x00NYSE\x00T\x00",
    b"99\x007\x003\x001767623400\x00100.25\x00100.5\x005\x007\x003\x00",
    b"99\x007\x004\x001767623400\x00100.375\x00",
    b"2\x006\x0099\x000\x005\x00",  # a request id nobody asked for
    b"2\x006\x007\x003\x00-4\x00",  # a negative size, as it comes
    b"1\x006\x007\x0068\x00101.25\x003\x000\x00",  # delayed last and its size
    b"1\x006\x007\x0037\x00101.0\x000\x000\x00",  # a price type the screen does not use
    b"46\x006\x007\x0048\x00;0;1767623400000;55;;true\x00",  # RTVolume without a trade
    b"46\x006\x007\x0045\x00notanumber\x00",  # an unreadable last-trade time: ignored
    b"46\x006\x007\x0032\x00\\u00e9\x00",  # another string type, with an escape
    b"12\x001\x001\x003\x002\x001\x004500.25\x000\x00",  # a delete of a row that is not there
    b"13\x001\x002\x000\x00NSDQ\x000\x000\x00228.52\x00200\x001\x00",
    b"13\x001\x002\x000\x00NSDQ\x001\x000\x00228.53\x00\x001\x00",  # an empty size
    # 10.x reads a fractional size as a Decimal (9.81's int() dies on it: see below)
    *([b"2\x006\x007\x008\x001.5\x00"] if compat.DECIMAL_SIZES else []),
]



def test_edge_cases_fold_as_ibapi_and_the_wrapper_do() -> None:
    assert check_same(EDGE_CASES) >= 10


def test_a_captured_stream_folds_as_ibapi_and_the_wrapper_do(gateway) -> None:
    frames = captured_frames(gateway)
    kinds = {f.split(b"\0", 1)[0] for f in frames}
    assert {b"1", b"2", b"12", b"13", b"46", b"99"} <= kinds, kinds
    assert len(frames) > 2 * FOLD_EVERY  # the batch is folded in several runs
    assert check_same(frames) > 500


def test_other_frames_go_to_ibapi_in_order() -> None:
    w = wrapper()
    seen: list[bytes] = []
    quote = b"1\x006\x001\x001\x00100.5\x0010\x000\x00"

    def cold(payload: bytes) -> None:
        # the tick before this frame has been folded already: what the frame does may depend on it
        seen.append(payload)
        assert w.h.received == 2

    FastPath(w.h, w.subs).run([quote, b"9\x001\x0042\x00", quote], cold)
    assert seen == [b"9\x001\x0042\x00"]
    assert w.h.received == 4


def test_frames_that_would_kill_ibapi_raise_bad_frame() -> None:
    def run(payload: bytes) -> None:
        FastPath(Handoff(), Sink().subscriptions).run([payload], ibapi_cold(wrapper()))

    if not compat.TICK_SIZE_LENIENT:  # 9.81 reads a size by int(): "100.0" kills its decoder
        with pytest.raises(BadFrame):
            run(b"2\x006\x007\x008\x00100.0\x00")
    with pytest.raises(BadFrame):
        run(b"12\x001\x007\x000\x000\x001\x00abc\x0010\x00")


def test_ticks_before_a_bad_frame_are_folded() -> None:
    h = Handoff()
    quote = b"1\x006\x007\x001\x00100.5\x0010\x000\x00"
    with pytest.raises(BadFrame):
        FastPath(h, Sink().subscriptions).run([quote, b"12\x001\x007\x000\x000\x001\x00abc\x0010\x00"],
                                              ibapi_cold(wrapper()))
    _, [u] = h.drain()
    assert (u.bid, u.bid_size) == (100.5, 10)
