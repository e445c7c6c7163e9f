"""Every request gets an answer: data, or the error TWS sends; what-if previews, head
timestamps and 5-second bars, through IB's own client."""

from __future__ import annotations

import socket

import pytest

from ibkit import future, order, stock, whole
from tests.sim.test_protocol import hello, raw, read_frames, request, start_api
from tui.sim.protocol.codec import FrameBuffer, split_fields
from tui.sim.protocol.ids import In

# requests TWS answers with silence when all is well: cancels (the stream just stops), settings,
# and requests whose answer is a stream that may be empty at first
SILENT_BY_DESIGN = {
    In.CANCEL_MKT_DATA, In.CANCEL_ORDER, In.CANCEL_MKT_DEPTH, In.CANCEL_NEWS_BULLETINS,
    In.SET_SERVER_LOGLEVEL, In.CANCEL_SCANNER_SUBSCRIPTION, In.CANCEL_HISTORICAL_DATA,
    In.CANCEL_REAL_TIME_BARS, In.CANCEL_FUNDAMENTAL_DATA, In.CANCEL_CALC_IMPLIED_VOLAT,
    In.CANCEL_CALC_OPTION_PRICE, In.REQ_GLOBAL_CANCEL, In.REQ_MARKET_DATA_TYPE,
    In.CANCEL_ACCOUNT_SUMMARY, In.CANCEL_POSITIONS, In.CANCEL_POSITIONS_MULTI,
    In.CANCEL_ACCOUNT_UPDATES_MULTI, In.CANCEL_HISTOGRAM_DATA, In.CANCEL_HEAD_TIMESTAMP,
    In.CANCEL_PNL, In.CANCEL_PNL_SINGLE, In.CANCEL_TICK_BY_TICK_DATA, In.START_API,
    In.CANCEL_WSH_META_DATA, In.CANCEL_WSH_EVENT_DATA, In.REQ_NEWS_BULLETINS,
    In.REQ_AUTO_OPEN_ORDERS, In.REQ_ACCOUNT_UPDATES, In.UNSUBSCRIBE_FROM_GROUP_EVENTS,
}


def until_current_time(s: socket.socket, buf: FrameBuffer) -> list[list[str]]:
    """Frames up to and including the next currentTime reply."""
    out: list[list[str]] = []
    s.settimeout(5)
    while True:
        for payload in buf.frames():
            out.append(split_fields(payload))
            if out[-1][0] == "49":
                return out
        data = s.recv(65536)
        assert data, "the gateway closed the connection"
        buf.feed(data)


@pytest.mark.parametrize("versions", ["v100..157", "v100..200"])
def test_no_request_id_goes_unanswered(paused, versions: str) -> None:
    """Each id, sent with a request id of 42 and otherwise empty fields, gets some frame back
    before the reply to a reqCurrentTime sent after it, at 157 and at 200."""
    s = raw(paused.port)
    s.sendall(hello(f"{versions} +PACEAPI"))  # TWS queues a paced client's burst instead of error 100
    read_frames(s, 1)
    s.sendall(start_api(77))
    read_frames(s, 5, timeout=1.0)  # the greeting
    silent = []
    buf = FrameBuffer()
    for msg_id in In:
        if msg_id in SILENT_BY_DESIGN or msg_id == In.REQ_CURRENT_TIME:  # (it is the marker)
            continue
        s.sendall(request(int(msg_id), 1, 42, *[""] * 30) + request(49, 1))
        if not [f for f in until_current_time(s, buf) if f[0] != "49"]:
            silent.append(msg_id.name)
    s.close()
    assert not silent, f"no answer to {silent}"


def test_a_what_if_order_previews_margin_and_places_nothing(paused, connect) -> None:
    client = connect(paused.port)
    o = order("BUY", 2, "LMT", 6000.0)
    o.whatIf = True
    oid = client.next_id()
    client.placeOrder(oid, future("ES"), o)
    (_, _, returned, state), = client.wait_for("openOrder")
    client.sync()
    assert returned.whatIf and state.status == "PreSubmitted"
    assert float(state.initMarginChange) > 0 and float(state.maintMarginChange) > 0
    assert float(state.equityWithLoanAfter) < float(state.equityWithLoanBefore)  # the commission
    commission = getattr(state, "commission", None)
    commission = commission if commission is not None else state.commissionAndFees
    assert commission > 0
    assert not client.calls("orderStatus"), "a preview has no status: nothing was placed"
    assert not paused.call(lambda: list(paused.gateway.engine.orders)), "nothing was placed"


def test_head_timestamp_and_real_time_bars(paused, connect) -> None:
    client = connect(paused.port)
    client.reqHeadTimeStamp(11, stock("AAPL"), "TRADES", 1, 2)
    (req, stamp), = client.wait_for("headTimestamp")
    assert req == 11 and int(stamp) <= paused.gateway.clock.now() - 365 * 86400
    client.reqRealTimeBars(12, future("ES"), 5, "TRADES", True, [])
    client.reqRealTimeBars(13, future("ES"), 5, "MIDPOINT", True, [])
    client.sync()
    paused.call(paused.gateway.run_steps, 1500, 0.01)  # 15 simulated seconds of market
    bars = client.wait_for("realtimeBar", lambda r, *_: r == 12, count=2)
    for _, start, o, h, low, c, volume, wap, count in bars:
        assert start % 5 == 0 and low <= min(o, c) <= max(o, c) <= h
        assert whole(volume) and volume >= 0 and count >= 0
        assert volume == 0 or low <= wap <= h
    assert bars[1][1] - bars[0][1] == 5
    client.wait_for("realtimeBar", lambda r, *_: r == 13)
    client.reqRealTimeBars(14, future("ES"), 30, "TRADES", True, [])
    assert client.wait_for("error", lambda r, c, t: r == 14 and c == 321)


def test_a_request_nobody_serves_names_itself_with_its_request_id(paused, connect) -> None:
    client = connect(paused.port)
    client.reqSecDefOptParams(31, "AAPL", "", "STK", 265598)
    err = client.wait_for("error", lambda r, c, t: r == 31)[0]
    assert err[1] == 321 and "reqSecDefOptParams" in err[2]


def test_the_silent_set_is_only_what_tws_leaves_silent() -> None:
    # a guard against hiding a real gap in the exemption list
    assert all(m.name.startswith(("CANCEL", "UNSUBSCRIBE")) or m in {
        In.SET_SERVER_LOGLEVEL, In.REQ_GLOBAL_CANCEL, In.REQ_MARKET_DATA_TYPE, In.START_API,
        In.REQ_NEWS_BULLETINS, In.REQ_AUTO_OPEN_ORDERS, In.REQ_ACCOUNT_UPDATES}
        for m in SILENT_BY_DESIGN)


def test_a_universe_of_a_few_hundred_instruments_to_search_and_trade(paused, connect) -> None:
    assert len(paused.gateway.instruments) >= 190
    client = connect(paused.port)
    client.reqMatchingSymbols(5, "GOO")
    (_, found), = client.wait_for("symbolSamples")
    assert {"GOOGL", "GOOG"} <= {d.contract.symbol for d in found}
    client.reqMatchingSymbols(6, "GC")
    (_, found), = client.wait_for("symbolSamples", lambda r, _: r == 6)
    assert [d.contract.symbol for d in found][0] == "GC"  # the exact symbol first, its months as one
    assert sum(d.contract.symbol == "GC" for d in found) == 1
    gold = future("GC", "COMEX")
    client.reqContractDetails(7, gold)
    client.wait_for("contractDetailsEnd", lambda r: r == 7)
    months = [d.contract for r, d in client.calls("contractDetails") if r == 7]
    assert len(months) == 4 and len({c.lastTradeDateOrContractMonth for c in months}) == 4
    front = min(months, key=lambda c: c.lastTradeDateOrContractMonth)
    ticks = client.calls("tickPrice")
    client.reqMktData(8, front, "", False, False, [])  # a market made on first use, and moving
    client.sync()
    paused.call(paused.gateway.run_steps, 3000, 0.01)
    prices = [p for r, t, p, _ in client.calls("tickPrice")[len(ticks):] if r == 8 and t in (1, 2)]
    assert prices and all(abs(p / 0.1 - round(p / 0.1)) < 1e-6 for p in prices)  # on GC's 0.1 grid
    assert len(set(prices)) >= 2  # it moves


def test_kept_up_to_date_history_aggregates_the_bar_in_progress(paused, connect) -> None:
    client = connect(paused.port)
    client.reqHistoricalData(21, future("ES"), "", "600 S", "1 min", "TRADES", 0, 1, True, [])
    client.wait_for("historicalDataEnd")
    paused.call(paused.gateway.run_steps, 3000, 0.01)  # 30 simulated seconds
    updates = client.wait_for("historicalDataUpdate", count=20)
    bars = [b for _, b in updates]
    assert all(b.low <= min(b.open, b.close) <= max(b.open, b.close) <= b.high for b in bars)
    same = [b for b in bars if b.date == bars[-1].date]
    assert [float(b.volume) for b in same] == sorted(float(b.volume) for b in same)  # it accumulates
    assert same[-1].high - same[-1].low > 0 or float(same[-1].volume) > 0, "a flat, empty bar"


def test_delayed_data_where_the_account_has_no_live_subscription(paused, connect) -> None:
    client = connect(paused.port)
    eem = stock("EEM")  # configured as "no real-time subscription"
    client.reqMktData(41, eem, "", False, False, [])
    assert client.wait_for("error", lambda r, c, t: r == 41)[0][1] == 354
    client.sync()
    assert not client.calls("tickPrice", lambda r, *_: r == 41)
    client.reqMarketDataType(3)
    client.reqMktData(42, eem, "", False, False, [])
    client.reqMktData(43, stock("AAPL"), "", False, False, [])  # subscribed: still live
    client.sync()
    assert client.wait_for("error", lambda r, c, t: r == 42)[0][1] == 10167
    assert (42, 3) in client.calls("marketDataType") and (43, 1) in client.calls("marketDataType")
    assert {t for r, t, *_ in client.calls("tickPrice") if r == 42} >= {66, 67}
    assert {t for r, t, *_ in client.calls("tickPrice") if r == 43} >= {1, 2}
    n = len(client.calls("tickPrice", lambda r, *_: r == 42))
    paused.call(paused.gateway.run_steps, 4000, 0.01)
    client.sync()
    streamed = {t for r, t, *_ in client.calls("tickPrice")[n:] if r == 42}
    assert streamed and streamed <= {66, 67, 68, 72, 73, 75, 76}, streamed


def test_a_histogram_is_volume_at_each_price_on_the_tick_grid(paused, connect) -> None:
    client = connect(paused.port)
    client.reqHistogramData(41, future("ES"), True, "3 days")
    (req, items), = client.wait_for("histogramData")
    prices = [i.price for i in items]
    assert req == 41 and len(items) > 10 and prices == sorted(prices)
    sizes = [getattr(i, "size", None) or i.count for i in items]  # 9.81 calls it count
    assert all(p % 0.25 == 0 for p in prices) and all(whole(n) and n > 0 for n in sizes)
    client.reqHistogramData(42, future("ES"), True, "yesterday")
    assert client.wait_for("error", lambda r, c, t: r == 42)[0][1] == 162
