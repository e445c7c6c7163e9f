"""Market data through IB's own client: L1, depth rebuilt exactly, tick-by-tick, bars."""

from __future__ import annotations

import time

from ibapi.contract import Contract

from ibkit import future, stock, whole
from tui.core.prices import on_grid


def eurusd() -> Contract:
    c = Contract()
    c.symbol, c.secType, c.exchange, c.currency = "EUR", "CASH", "IDEALPRO", "USD"
    return c


def test_l1_stream_is_on_the_grid_and_never_crossed(gateway, connect) -> None:
    client = connect(gateway.port)
    client.reqMktData(1, future("ES"), "", False, False, [])
    client.reqMktData(2, eurusd(), "", False, False, [])
    client.wait_for("tickPrice", lambda r, t, p, a: r == 1 and t == 4, count=3, timeout=10)
    client.wait_for("tickReqParams")
    bids = {1: [], 2: []}
    asks = {1: [], 2: []}
    for req, tick_type, price, _ in client.calls("tickPrice"):
        grid = 0.25 if req == 1 else 0.00005
        if tick_type in (1, 2, 4, 6, 7, 9, 14):
            assert on_grid(price, grid), (req, tick_type, price)
        if tick_type == 1:
            bids[req].append(price)
        if tick_type == 2:
            asks[req].append(price)
    assert bids[1] and asks[1] and bids[1][-1] < asks[1][-1]
    sizes = client.calls("tickSize", lambda r, t, s: t in (0, 3, 5, 8))
    assert sizes and all(whole(s) for _, _, s in sizes)
    volumes = [s for r, t, s in sizes if t == 8 and r == 1]
    assert volumes == sorted(volumes), "volume only grows"


def test_depth_rebuilds_exactly_to_the_gateway_book(paused, connect) -> None:
    client = connect(paused.port)
    client.reqMktDepth(5, future("ES"), 10, False, [])
    client.reqMktDepth(6, stock("AAPL"), 5, True, [])  # smart depth -> L2 messages
    client.wait_for("updateMktDepth", count=20)
    client.wait_for("updateMktDepthL2", count=10)
    client.sync()
    paused.call(paused.gateway.run_steps, 3000)
    time.sleep(0.5)

    def rebuild(events: list[tuple]) -> dict[int, list[tuple[float, int]]]:
        book: dict[int, list[tuple[float, int]]] = {0: [], 1: []}
        for position, operation, side, price, size in events:
            rows = book[side]
            if operation == 0:
                rows.insert(position, (price, size))
            elif operation == 1:
                rows[position] = (price, size)
            else:
                del rows[position]
        return book

    es = rebuild([a[1:] for a in client.calls("updateMktDepth", lambda r, *_: r == 5)])
    l2 = [(a[1], a[3], a[4], a[5], a[6]) for a in client.calls("updateMktDepthL2")]
    aapl = rebuild(l2)
    ops = {a[2] for a in client.calls("updateMktDepth")}
    assert ops == {0, 1, 2}, "inserts, updates and deletes all occur"

    def truth(con_id: int, rows: int) -> dict[int, list[tuple[float, int]]]:
        m = paused.gateway.markets[con_id]
        return {1: [(m.price(p), s) for p, s in m.bids[:rows]],
                0: [(m.price(p), s) for p, s in m.asks[:rows]]}

    assert es == paused.call(truth, 495512563, 10)
    assert aapl == paused.call(truth, 265598, 5)
    assert len(es[0]) == len(es[1]) == 10


def test_snapshot_request_ends_with_tick_snapshot_end(paused, connect) -> None:
    client = connect(paused.port)
    client.reqMktData(9, stock("MSFT"), "", True, False, [])
    client.wait_for("tickSnapshotEnd")
    client.sync()
    types = {t for _, t, *_ in client.calls("tickPrice")}
    assert {1, 2, 9, 14} <= types
    # and no stream follows
    n = len(client.calls("tickPrice"))
    paused.call(paused.gateway.run_steps, 500)
    time.sleep(0.2)
    assert len(client.calls("tickPrice")) == n


def test_cancel_stops_the_stream_and_unknown_cancel_is_an_error(paused, connect) -> None:
    client = connect(paused.port)
    client.reqMktData(3, stock("AAPL"), "233", False, False, [])
    client.sync()
    paused.call(paused.gateway.run_steps, 400)
    client.wait_for("tickString", lambda r, t, v: t == 48)  # RTVolume with generic 233
    client.cancelMktData(3)
    client.sync()
    n = len(client.calls("tickPrice")) + len(client.calls("tickSize"))
    paused.call(paused.gateway.run_steps, 400)
    client.sync()
    assert len(client.calls("tickPrice")) + len(client.calls("tickSize")) == n
    client.cancelMktData(77)
    assert client.wait_for("error", lambda r, c, t: c == 300)[0][0] == 77


def test_duplicate_ticker_id_and_unknown_contract(paused, connect) -> None:
    client = connect(paused.port)
    client.reqMktData(4, stock("AAPL"), "", False, False, [])
    client.reqMktData(4, stock("MSFT"), "", False, False, [])
    client.wait_for("error", lambda r, c, t: c == 322 and r == 4)
    client.reqMktData(5, stock("NOPE"), "", False, False, [])
    err = client.wait_for("error", lambda r, c, t: c == 200)[0]
    assert err[0] == 5 and "No security definition" in err[2]


def test_market_data_type_is_reported_live(paused, connect) -> None:
    client = connect(paused.port)
    client.reqMarketDataType(3)
    client.reqMktData(11, stock("TSLA"), "", False, False, [])
    assert client.wait_for("marketDataType")[0] == (11, 1)


def test_tick_by_tick_last_and_bid_ask(paused, connect) -> None:
    client = connect(paused.port)
    client.reqTickByTickData(20, future("NQ"), "Last", 0, False)
    client.reqTickByTickData(21, future("NQ"), "BidAsk", 0, False)
    client.reqTickByTickData(22, future("NQ"), "MidPoint", 0, False)
    client.sync()
    paused.call(paused.gateway.run_steps, 2000)
    last = client.wait_for("tickByTickAllLast", count=2)
    assert all(on_grid(a[3], 0.25) and whole(a[4]) and a[4] > 0 for a in last)
    bid_ask = client.wait_for("tickByTickBidAsk", count=2)
    assert all(a[2] < a[3] for a in bid_ask)
    client.wait_for("tickByTickMidPoint")


def test_historical_bars(paused, connect) -> None:
    client = connect(paused.port)
    client.reqHistoricalData(30, future("ES"), "", "1 D", "5 mins", "TRADES", 1, 1, False, [])
    bars = [b for _, b in client.wait_for("historicalData", count=288)]
    client.wait_for("historicalDataEnd")
    assert len(bars) == 288
    for bar in bars:
        assert bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high
        assert on_grid(bar.open, 0.25) and whole(bar.volume)
    dates = [b.date for b in bars]
    assert dates == sorted(dates) and len(dates[0]) == 18  # "YYYYMMDD  HH:MM:SS"
    client.reqHistoricalData(31, stock("AAPL"), "", "1 Y", "1 day", "TRADES", 1, 1, False, [])
    daily = client.wait_for("historicalData", lambda r, b: r == 31, count=365)
    assert len(daily[0][1].date) == 8
    client.reqHistoricalData(32, stock("AAPL"), "", "1 D", "7 furlongs", "TRADES", 1, 1, False, [])
    assert client.wait_for("error", lambda r, c, t: c == 162)[0][0] == 32


def test_contract_details_for_every_kind(paused, connect) -> None:
    client = connect(paused.port)
    client.reqContractDetails(1, future("ES"))
    client.reqContractDetails(2, future("CL", "NYMEX"))
    client.reqContractDetails(3, eurusd())
    client.reqContractDetails(4, stock("AAPL"))
    for req in (1, 2, 3, 4):
        client.wait_for("contractDetailsEnd", lambda r, req=req: r == req)
    details = {r: d for r, d in client.calls("contractDetails")}
    es, cl, eur, aapl = details[1], details[2], details[3], details[4]
    assert (es.minTick, es.contract.multiplier, es.contract.exchange) == (0.25, "50", "CME")
    assert es.contract.lastTradeDateOrContractMonth.startswith("20")
    assert (cl.minTick, cl.contract.multiplier) == (0.01, "1000")
    assert (eur.minTick, eur.contract.localSymbol) == (0.00005, "EUR.USD")
    assert (aapl.minTick, aapl.contract.primaryExchange) == (0.01, "NASDAQ")
    nq = Contract()
    nq.conId = 563947738
    client.reqContractDetails(5, nq)
    client.wait_for("contractDetailsEnd", lambda r: r == 5)
    assert [d.contract.symbol for r, d in client.calls("contractDetails") if r == 5] == ["NQ"]
    everything = Contract()
    everything.secType = "STK"
    everything.symbol = "ZZZZ"
    client.reqContractDetails(6, everything)
    err = client.wait_for("error", lambda r, c, t: r == 6)[0]
    assert err[1] == 200 and "No security definition" in err[2]


def test_matching_symbols(paused, connect) -> None:
    client = connect(paused.port)
    client.reqMatchingSymbols(40, "A")
    req, found = client.wait_for("symbolSamples")[0]
    symbols = {d.contract.symbol for d in found}
    assert req == 40 and {"AAPL", "AMZN"} <= symbols
    client.reqMatchingSymbols(41, "QQQQQ")
    assert client.wait_for("symbolSamples", lambda r, f: r == 41)[0][1] == []
