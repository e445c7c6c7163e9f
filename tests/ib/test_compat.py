"""ibtui's client layer gives the same events with IB's 9.81 and 10.x clients, whichever is installed.

The frames go through the installed ibapi's own decoder into our wrapper, as on a live
connection; a second CI environment runs these with the other major version.
"""

from __future__ import annotations

from typing import Any

from ibapi.decoder import Decoder

from ibkit import encoded, ours
from tui.core import events as ev
from tui.core.contracts import Contract
from tui.core.handoff import Handoff
from tui.ib import compat
from tui.ib.fastpath import FastPath
from tui.ib.subscriptions import Subscriptions
from tui.ib.wrapper import Wrapper
from tui.sim.protocol import messages as msg

CON = 495512551


class Sink:
    """What the wrapper reports to the broker, recorded (a unit below the broker)."""

    def __init__(self) -> None:
        self.subscriptions = Subscriptions(iter(range(1, 100)).__next__)
        self.subscriptions.want(Contract("ES", "FUT", "CME", "USD", CON), 10)
        self.subscriptions.renew(self.subscriptions.all()[0])  # request ids 1 (L1) and 2 (depth)
        self.errors: list[tuple[int, int, str]] = []

    def error(self, req_id: int, code: int, text: str) -> None:
        self.errors.append((req_id, code, text))

    def __getattr__(self, name: str) -> Any:
        return lambda *args: None


def wired() -> tuple[Sink, Handoff, Wrapper]:
    sink, h = Sink(), Handoff()
    return sink, h, Wrapper(sink, h)  # type: ignore[arg-type]


def decode(w: Wrapper, frame: bytes) -> None:
    """One whole frame (length prefix included) decoded as the connection decodes it: hot market
    data by the fast path, the rest by ibapi's decoder."""
    def cold(payload: bytes) -> None:
        fields = payload.split(b"\0")
        fields.pop()
        compat.interpret(Decoder(w, 157), fields)

    FastPath(w.h, w.subs).run([frame[4:]], cold)


def test_errors_arrive_with_their_code_and_text() -> None:
    sink, h, w = wired()
    decode(w, msg.error(157, 7, 201, "Order rejected - reason: no margin"))
    decode(w, msg.error(157, -1, 2104, "Market data farm connection is OK:usfarm"))
    assert sink.errors == [(7, 201, "Order rejected - reason: no margin"),
                           (-1, 2104, "Market data farm connection is OK:usfarm")]


def test_a_commission_report_arrives_under_either_name() -> None:
    _, h, w = wired()
    decode(w, msg.commission_report("0001f4e8.000001.01.01", 2.05, "USD", 12.5))
    events, _ = h.drain()
    assert events == [ev.Commission("0001f4e8.000001.01.01", 2.05, "USD", 12.5)]


def test_an_unset_size_never_becomes_a_number() -> None:
    _, h, w = wired()
    decode(w, msg.market_frame(msg.TICK_SIZE, b"1", msg.tick_size_tail(0, 7)))  # bid size 7
    decode(w, msg.market_frame(msg.TICK_PRICE, b"1", b"1\x006010.25\x00\x000\x00"))  # bid, empty size
    decode(w, msg.market_frame(msg.TICK_SIZE, b"1", b"3\x002147483647\x00"))  # ask size 2**31-1
    _, [u] = h.drain()
    assert u.bid == 6010.25
    # 10.x reads the empty size as unset (the last size stays); 9.81 reads it as 0 -- never 1.7e38
    assert u.bid_size == (7 if compat.DECIMAL_SIZES else 0)
    assert u.ask_size == 0, "ibapi's unset size was taken as a size"


def test_depth_sizes_are_whole_numbers_in_either_version() -> None:
    _, h, w = wired()
    decode(w, msg.market_frame(msg.MKT_DEPTH, b"2", msg.depth_tail(0, 0, 1, "6010.00", 12)))
    _, [u] = h.drain()
    assert u.bids == ((6010.0, 12),) and isinstance(u.bids[0][1], int)


def test_requests_go_out_byte_for_byte_as_the_installed_ibapi_sends_them() -> None:
    c = ours()
    c.reqCurrentTime()
    c.reqIds(1)
    assert b"".join(c.conn.sent) == encoded("reqCurrentTime") + encoded("reqIds", 1)


def test_cancels_take_what_the_installed_ibapi_needs() -> None:
    c = ours()
    compat.cancel_order(c, 42)
    compat.global_cancel(c)
    assert b"".join(c.conn.sent) == (encoded("cancelOrder", 42, *compat.cancel_args())
                                     + encoded("reqGlobalCancel", *compat.global_cancel_args()))
