"""The client layer against the simulated gateway over loopback."""

from __future__ import annotations

import threading
import time

import pytest

from tests.ib.desk import Desk
from tests.sim.test_orders import move
from tui.core import events as ev
from tui.core.events import ConnState
from tui.core.intents import Bracket, OrderIntent
from tui.sim.server import faults
from tui.sim.clock import ManualClock
from tui.sim.server.gateway import Gateway
from tui.sim.server.runner import GatewayThread
from tui.ib.client import BACKLOG_FRAMES
from tui.ib.wire import RECEIVE_BUFFER

ES = 495512563


@pytest.fixture
def desk_factory():
    desks: list[Desk] = []

    def make(port: int, client_id: int = 1, **cfg: object) -> Desk:
        d = Desk(port, client_id, **cfg)
        desks.append(d)
        return d

    yield make
    for d in desks:
        d.stop()


def test_streams_l1_and_an_exact_depth_book(paused, desk_factory) -> None:
    desk = desk_factory(paused.port)
    desk.wait(lambda: desk.broker.can_trade, what="connected")
    es = desk.resolve("ES", "FUT", "CME")
    desk.broker.subscribe(es.contract, depth_rows=10)
    desk.wait(lambda: ES in desk.markets and len(desk.markets[ES].bids) == 10)
    paused.call(paused.gateway.run_steps, 3000)

    def truth():
        m = paused.gateway.markets[ES]
        return (tuple((m.price(p), s) for p, s in m.bids[:10]),
                tuple((m.price(p), s) for p, s in m.asks[:10]), m.price(m.bid), m.price(m.ask))

    bids, asks, bid, ask = paused.call(truth)
    desk.wait(lambda: desk.markets[ES].bids == bids and desk.markets[ES].asks == asks,
              what="the book to match the gateway's")
    m = desk.markets[ES]
    assert (m.bid, m.ask) == (bid, ask)
    assert m.volume > 0 and m.volume_at_price
    assert sum(v for _, v in m.volume_at_price) <= m.volume
    assert desk.broker.h.coalesced > 0


def test_a_client_that_falls_behind_stays_a_bounded_way_behind_and_catches_up_exactly(
        paused, desk_factory) -> None:
    """More market data than the machine can decode: the reader stops a bounded way ahead of
    the decoder (the kernel's buffer and then the gateway hold the rest, and the gateway pauses
    the session's market data), instead of queueing all of it in memory for the screen to show
    seconds late; once decoding resumes the book is the gateway's, exactly."""
    desk = desk_factory(paused.port)
    desk.wait(lambda: desk.broker.can_trade, what="connected")
    es = desk.resolve("ES", "FUT", "CME")
    desk.broker.subscribe(es.contract, depth_rows=20)
    for symbol, kind, exchange in [("AAPL", "STK", "SMART"), ("MSFT", "STK", "SMART"), ("NVDA", "STK", "SMART"),
                                   ("TSLA", "STK", "SMART"), ("AMZN", "STK", "SMART"), ("SPY", "STK", "SMART"),
                                   ("NQ", "FUT", "CME"), ("CL", "FUT", "NYMEX")]:
        desk.broker.subscribe(desk.resolve(symbol, kind, exchange).contract)  # every step has news
    desk.wait(lambda: ES in desk.markets and len(desk.markets[ES].bids) == 20 and len(desk.markets) == 9)
    client = desk.broker.client
    wire = client.wire
    go = threading.Event()
    fold = desk.broker.h.fold

    def slow_fold(*args: object) -> None:  # the decoder stops: a machine far too slow to keep up
        go.wait(30)
        fold(*args)

    desk.broker.h.fold = slow_fold  # type: ignore[method-assign]
    session = paused.gateway.sessions[1]
    read_before, sent_before = wire.frames_in, paused.call(lambda: paused.gateway.frames_out)
    was_paused = False
    for _ in range(100):  # 200,000 market events, the loop turning (and writing) between steps
        paused.call(paused.gateway.run_steps, 2000)
        was_paused = was_paused or paused.call(lambda: session.paused)
    time.sleep(0.3)
    read_ahead = wire.frames_in - read_before
    sent = paused.call(lambda: paused.gateway.frames_out) - sent_before
    bound = BACKLOG_FRAMES + RECEIVE_BUFFER // 16  # and one read's frames (each over 16 bytes)
    assert read_ahead <= bound, f"read {read_ahead:,} of {sent:,} frames ahead of a stopped decoder"
    assert was_paused, "the gateway never held the session's market data back"
    assert desk.broker.state is ConnState.CONNECTED

    go.set()
    desk.broker.h.fold = fold  # type: ignore[method-assign]

    def truth():
        m = paused.gateway.markets[ES]
        return (tuple((m.price(p), s) for p, s in m.bids[:20]),
                tuple((m.price(p), s) for p, s in m.asks[:20]), m.price(m.bid), m.price(m.ask))

    bids, asks, bid, ask = paused.call(truth)
    desk.wait(lambda: desk.markets[ES].bids == bids and desk.markets[ES].asks == asks
              and (desk.markets[ES].bid, desk.markets[ES].ask) == (bid, ask),
              timeout=30, what="the book and quote to match the gateway's")


def test_order_lifecycle_partial_fills_modify_bracket_oca(paused, desk_factory) -> None:
    desk = desk_factory(paused.port)
    desk.wait(lambda: desk.broker.can_trade)
    es = desk.resolve("ES", "FUT", "CME")
    aapl = desk.resolve("AAPL")
    b = desk.broker
    # a sweep: partial fills with a running average
    big = b.place(OrderIntent(aapl, "BUY", 4000, "LMT", 229.5))
    desk.wait(lambda: desk.status(big) == "Filled")
    rec = desk.orders.get(big)
    assert len(rec.fills) > 1 and rec.filled == 4000
    assert rec.avg_price == pytest.approx(sum(f.shares * f.price for f in rec.fills.values()) / 4000)
    desk.wait(lambda: all(f.commission is not None for f in rec.fills.values()))
    # modify: same id, new price
    bid = paused.call(lambda: paused.gateway.markets[ES].price(paused.gateway.markets[ES].bid))
    rest = b.place(OrderIntent(es, "BUY", 1, "LMT", bid - 5))
    desk.wait(lambda: desk.status(rest) == "Submitted")
    b.place(OrderIntent(es, "BUY", 2, "LMT", bid - 4), order_id=rest)
    # the modification is of a kind already sent: its bytes came from a stencil, and the gateway
    # read them as the order meant
    assert b.client is not None and b.client.stencils is not None and b.client.stencils.rendered == 1
    desk.wait(lambda: desk.orders.get(rest).lmt_price == bid - 4 and desk.orders.get(rest).quantity == 2)
    b.cancel(rest)
    desk.wait(lambda: desk.status(rest) == "Cancelled")
    # bracket: children wait, then one fills and the other is cancelled
    parent, tp, sl = b.place_bracket(Bracket(OrderIntent(es, "BUY", 1, "LMT", bid - 1), bid + 10, bid - 20))
    desk.wait(lambda: desk.status(parent) == "Submitted" and desk.status(tp) == "PreSubmitted")
    move(paused, ES, -12)
    desk.wait(lambda: desk.status(parent) == "Filled" and desk.status(tp) == "Submitted")
    move(paused, ES, 100)
    desk.wait(lambda: desk.status(tp) == "Filled" and desk.status(sl) == "Cancelled")
    # OCA
    bid = paused.call(lambda: paused.gateway.markets[ES].price(paused.gateway.markets[ES].bid))
    a1 = b.place(OrderIntent(es, "BUY", 1, "LMT", bid - 10, oca_group="g"))
    a2 = b.place(OrderIntent(es, "BUY", 1, "MKT", oca_group="g"))
    desk.wait(lambda: desk.status(a2) == "Filled" and desk.status(a1) == "Cancelled")
    ids = sorted(desk.orders.by_id)
    assert ids == sorted(set(ids)) and not desk.errors(103)


def test_drop_reconnects_resyncs_and_loses_nothing(gateway, desk_factory) -> None:
    desk = desk_factory(gateway.port, client_id=3)
    desk.wait(lambda: desk.broker.can_trade)
    es = desk.resolve("ES", "FUT", "CME")
    desk.broker.subscribe(es.contract, depth_rows=10)
    desk.wait(lambda: ES in desk.markets)
    bid = desk.markets[ES].bid
    working = [desk.broker.place(OrderIntent(es, "BUY", 1, "LMT", bid - 20 - i)) for i in range(3)]
    filled = desk.broker.place(OrderIntent(es, "BUY", 1, "MKT"))
    desk.wait(lambda: all(desk.status(o) == "Submitted" for o in working) and desk.status(filled) == "Filled")
    fills_before = len(desk.of(ev.Fill))
    gateway.call(faults.drop, gateway.gateway)
    desk.wait(lambda: any(e.state == ConnState.RECONNECTING for e in desk.of(ev.Connection)),
              what="reconnecting")
    desk.wait(lambda: desk.broker.can_trade, timeout=5, what="reconnected")
    recs = [e for e in desk.of(ev.Reconciled) if not e.first]
    assert recs and set(working) <= recs[-1].open_order_ids
    assert all(desk.status(o) == "Submitted" for o in working)
    assert len(desk.orders.get(filled).fills) == 1, "the resync's execution is not a second fill"
    assert len(desk.of(ev.Fill)) > fills_before  # it did arrive again, and was recognised
    received = desk.broker.h.received
    desk.wait(lambda: desk.broker.h.received > received + 10, what="market data after the reconnect")
    new_id = desk.broker.place(OrderIntent(es, "BUY", 1, "MKT"))
    assert new_id > max(working + [filled])
    desk.wait(lambda: desk.status(new_id) == "Filled")
    assert not desk.errors(103)


def test_restart_with_state_and_a_fill_while_away_reported_once(tmp_path, desk_factory) -> None:
    state = tmp_path / "gw.json"
    g = GatewayThread(Gateway(seed=4, rate=0, clock=ManualClock(), state_path=state)).start()
    port = g.port
    desk = desk_factory(port, client_id=2)
    desk.wait(lambda: desk.broker.can_trade)
    es = desk.resolve("ES", "FUT", "CME")
    bid = g.call(lambda: g.gateway.markets[ES].price(g.gateway.markets[ES].bid))
    oid = desk.broker.place(OrderIntent(es, "BUY", 1, "LMT", bid - 2, tif="GTC"))
    desk.wait(lambda: desk.status(oid) == "Submitted")
    g.stop()  # TWS goes away; the order rests at the (simulated) exchange
    desk.wait(lambda: desk.broker.state != ConnState.CONNECTED)
    g2 = GatewayThread(Gateway(seed=4, rate=0, clock=ManualClock(), state_path=state), port=port)
    g2.start()
    g2.call(faults.refuse, g2.gateway, 30.0)
    move(g2, ES, -30)  # it fills while we are away
    g2.call(faults.refuse, g2.gateway, 0.0)
    try:
        desk.wait(lambda: desk.broker.can_trade, timeout=15, what="reconnected after restart")
        desk.wait(lambda: desk.status(oid) == "Filled", what="the fill from while we were away")
        assert len(desk.orders.get(oid).fills) == 1
        time.sleep(0.5)
        desk.pump()
        assert len([f for f in desk.of(ev.Fill) if f.order_id == oid]) == 1
        nxt = desk.broker.allocate_order_id()
        assert nxt > oid
    finally:
        g2.stop()


def test_system_codes_1100_1101_1102(gateway, desk_factory) -> None:
    desk = desk_factory(gateway.port, client_id=5)
    desk.wait(lambda: desk.broker.can_trade)
    es = desk.resolve("ES", "FUT", "CME")
    desk.broker.subscribe(es.contract)
    desk.wait(lambda: ES in desk.markets)
    gateway.call(faults.error, gateway.gateway, 1100)
    desk.wait(lambda: desk.broker.state == ConnState.DEGRADED)
    gateway.call(faults.error, gateway.gateway, 1101)  # data lost: the gateway forgot our subscriptions
    desk.wait(lambda: desk.broker.state == ConnState.CONNECTED)
    before = desk.broker.h.received
    time.sleep(0.5)
    desk.wait(lambda: desk.broker.h.received > before + 5, what="market data after resubscribing")
    gateway.call(faults.error, gateway.gateway, 1100)
    desk.wait(lambda: desk.broker.state == ConnState.DEGRADED)
    gateway.call(faults.error, gateway.gateway, 1102)
    desk.wait(lambda: desk.broker.state == ConnState.CONNECTED and "restored" in desk.broker.reason)


def test_bursts_of_80_orders_and_80_cancels_get_no_error_100(paused, desk_factory) -> None:
    # each burst alone is more than TWS's 50 messages a second: only pacing keeps error 100 away
    desk = desk_factory(paused.port)
    desk.wait(lambda: desk.broker.can_trade)
    es = desk.resolve("ES", "FUT", "CME")
    ids = [desk.broker.place(OrderIntent(es, "BUY", 1, "LMT", 5000.0 - i * 0.25)) for i in range(80)]
    desk.wait(lambda: all(desk.status(o) == "Submitted" for o in ids), timeout=15)
    for o in ids:
        desk.broker.cancel(o)
    desk.wait(lambda: all(desk.status(o) == "Cancelled" for o in ids), timeout=15)
    assert not desk.errors(100)


def test_the_gateway_does_answer_error_100_to_an_unpaced_burst(paused) -> None:
    from ibkit import Client

    c = Client().start(paused.port, client_id=40)
    try:
        for _ in range(120):
            c.reqCurrentTime()
        c.wait_for("error", lambda r, code, t: code == 100)
    finally:
        c.stop()


def test_client_id_in_use_is_named(paused, desk_factory) -> None:
    first = desk_factory(paused.port, client_id=7)
    first.wait(lambda: first.broker.can_trade)
    second = desk_factory(paused.port, client_id=7)
    second.wait(lambda: "client id 7 is already in use" in second.broker.reason, timeout=5)
    assert second.broker.state in (ConnState.DISCONNECTED, ConnState.RECONNECTING)


def test_stall_is_detected_and_recovered(gateway, desk_factory) -> None:
    desk = desk_factory(gateway.port, client_id=8, stale_after=0.5, probe_timeout=0.5)
    desk.wait(lambda: desk.broker.can_trade)
    gateway.call(faults.stall, gateway.gateway, 2.0)
    desk.wait(lambda: "no data from TWS" in desk.broker.reason, timeout=5, what="stall detected")
    desk.wait(lambda: desk.broker.can_trade, timeout=10, what="recovered")


def test_nothing_listening_gives_a_hint(desk_factory) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    desk = desk_factory(port, client_id=9)
    desk.wait(lambda: "nothing listens on" in desk.broker.reason, timeout=5)
    assert "Enable ActiveX and Socket Clients" in desk.broker.reason
