"""The fast paths make exactly the wrapper calls ibapi's own decoder makes, frame by frame."""

from __future__ import annotations

import time
from typing import Any

import pytest
from ibapi.decoder import Decoder
from ibapi.wrapper import EWrapper

from tests.sim.test_protocol import depth_request, hello, raw, read_frames, request, start_api
from tui.ib import compat
from tui.ib.fastpath import BadFrame, FastPath
from tui.sim.protocol.codec import FrameBuffer


class Calls(EWrapper):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __getattribute__(self, name: str) -> Any:
        if name in EWrapper.__dict__ and not name.startswith("_") and name != "logAnswer":
            calls = object.__getattribute__(self, "calls")

            def record(*args: Any) -> None:
                calls.append((name, tuple(a.__dict__ if hasattr(a, "__dict__") else a for a in args)))
            return record
        return object.__getattribute__(self, name)


def via_ibapi(payload: bytes) -> list[tuple[str, tuple[Any, ...]]]:
    """What the installed ibapi's own decoder calls for this frame (9.81 or 10.x)."""
    w = Calls()
    fields = payload.split(b"\0")
    fields.pop()
    compat.interpret(Decoder(w, 157), fields)
    return w.calls


def via_fastpath(payload: bytes) -> list[tuple[str, tuple[Any, ...]]]:
    w = Calls()
    assert FastPath(w).handle(payload)
    return w.calls


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
]


def test_edge_cases_match_ibapi() -> None:
    for payload in EDGE_CASES:
        assert via_fastpath(payload) == via_ibapi(payload), payload


def test_captured_stream_matches_ibapi_message_by_message(gateway) -> None:
    frames = captured_frames(gateway)
    kinds = {f.split(b"\0", 1)[0] for f in frames}
    assert {b"1", b"2", b"12", b"13", b"46", b"99"} <= kinds, kinds
    checked = 0
    for payload in frames:
        handled = FastPath(Calls()).handle(payload)
        if not handled:
            continue
        assert via_fastpath(payload) == via_ibapi(payload), payload
        checked += 1
    assert checked > 500


def test_other_messages_are_left_to_ibapi() -> None:
    assert not FastPath(Calls()).handle(b"9\x001\x0042\x00")
    assert not FastPath(Calls()).handle(b"4\x002\x00-1\x002104\x00ok\x00")


def test_frames_that_would_kill_ibapi_raise_bad_frame() -> None:
    if not compat.TICK_SIZE_LENIENT:  # 9.81 reads a size by int(): "100.0" kills its decoder
        with pytest.raises(BadFrame):
            FastPath(Calls()).handle(b"2\x006\x007\x008\x00100.0\x00")
    with pytest.raises(BadFrame):
        FastPath(Calls()).handle(b"12\x001\x007\x000\x000\x001\x00abc\x0010\x00")
