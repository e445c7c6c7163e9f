from __future__ import annotations

import threading

from tui.core import events as ev
from tui.core.events import ConnState
from tui.core.handoff import Handoff, Quote


def test_market_data_coalesces_per_instrument_and_orders_never_drop() -> None:
    h = Handoff()
    for i in range(10_000):
        h.price(1, Quote.BID, 100.0 + i % 7)
        h.size(1, Quote.BID_SIZE, i)
        if i % 100 == 0:
            h.put(ev.OrderStatus(i, "Submitted", 0, 1, 0, 0, 0, 0, 1))
    events, updates = h.drain()
    assert [e.order_id for e in events] == list(range(0, 10_000, 100))
    assert len(updates) == 1 and updates[0].bid_size == 9999 and updates[0].updates == 20_000
    assert h.received == 20_000 and h.coalesced == 19_999
    assert h.drain() == ([], [])


def test_depth_ops_rebuild_the_book() -> None:
    h = Handoff()
    h.depth(5, 0, 0, 1, 100.0, 10)
    h.depth(5, 0, 0, 1, 100.25, 5)  # better bid inserted on top
    h.depth(5, 1, 1, 1, 100.0, 12)
    h.depth(5, 0, 0, 0, 100.5, 7)
    h.depth(5, 9, 2, 0, 0.0, 0)  # a delete of a row that does not exist: counted, ignored
    (_, [u]) = h.drain()
    assert u.bids == ((100.25, 5), (100.0, 12)) and u.asks == ((100.5, 7),)
    assert h.dropped_depth_ops == 1


def test_volume_at_price_from_volume_growth() -> None:
    h = Handoff()
    h.size(2, Quote.VOLUME, 100)
    h.price(2, Quote.LAST, 10.0)
    h.size(2, Quote.VOLUME, 130)
    h.price(2, Quote.LAST, 10.5)
    h.size(2, Quote.VOLUME, 150)
    (_, [u]) = h.drain()
    assert dict(u.volume_at_price) == {10.0: 30, 10.5: 20}


def test_threads_keep_order_of_reliable_events() -> None:
    h = Handoff()
    seen: list[int] = []

    def produce() -> None:
        for i in range(5000):
            h.put(ev.NextOrderId(i))
            h.price(1, Quote.ASK, float(i))

    t = threading.Thread(target=produce)
    t.start()
    while t.is_alive() or h.pending:
        events, _ = h.drain()
        seen += [e.order_id for e in events]
    assert seen == list(range(5000))
    h.put(ev.Connection(ConnState.CONNECTED))
    assert h.drain()[0][0].state is ConnState.CONNECTED
