"""The matching engine and order reporting, through IB's own client."""

from __future__ import annotations

import time

import pytest

from ibkit import Client, future, order, stock

ES = 495512563
AAPL = 265598


def move(gw_thread, con_id: int, ticks: int, steps: int = 3000) -> None:
    """Push an instrument's fair value ``ticks`` away and let the book follow."""
    gw = gw_thread.gateway

    def run() -> None:
        m = gw.markets[con_id]
        m.fair = (m.bid + m.ask) / 2 + ticks
        m.fair_time = float("inf")  # hold the fair value still during the push
        gw.run_steps(steps)
        m.fair_time = gw.clock.now()

    gw_thread.call(run)


def quote(gw_thread, con_id: int) -> tuple[float, float]:
    def get() -> tuple[float, float]:
        m = gw_thread.gateway.markets[con_id]
        return m.price(m.bid), m.price(m.ask)

    return gw_thread.call(get)


def statuses(client: Client, order_id: int) -> list[str]:
    return [a[1] for a in client.calls("orderStatus", lambda oid, *_: oid == order_id)]


def test_market_order_fills_and_reports_as_tws(paused, connect) -> None:
    client = connect(paused.port, client_id=4)
    oid = client.next_id()
    client.placeOrder(oid, future("ES"), order("BUY", 2))
    client.wait_for("commissionReport")
    open_orders = client.calls("openOrder")
    status = client.wait_for("orderStatus", lambda i, s, *_: s == "Filled")[0]
    (req_id, contract, execution), = client.calls("execDetails")
    perm = open_orders[0][2].permId
    assert req_id == -1 and execution.side == "BOT" and execution.shares == 2
    assert execution.clientId == 4 and execution.orderId == oid and execution.permId == perm
    assert status[5] == perm and status[8] == 4 and status[2] == 2.0 and status[3] == 0.0
    assert open_orders[0][2].clientId == 4 and open_orders[0][1].symbol == "ES"
    names = [n for n, _ in client.rec.events]
    assert names.index("commissionReport") > names.index("execDetails")
    (report,) = client.calls("commissionReport")
    assert report[0].execId == execution.execId and report[0].commission == pytest.approx(4.10)


def test_marketable_limit_sweeps_levels_as_partial_fills(paused, connect) -> None:
    client = connect(paused.port)
    bid, ask = quote(paused, AAPL)
    oid = client.next_id()
    client.placeOrder(oid, stock("AAPL"), order("BUY", 5000, "LMT", round(ask + 0.50, 2)))
    client.wait_for("orderStatus", lambda i, s, *_: s == "Filled")
    fills = [e for _, _, e in client.calls("execDetails")]
    assert len(fills) > 1, "a sweep fills level by level"
    cum = [f.cumQty for f in fills]
    assert cum == sorted(cum) and cum[-1] == 5000
    prices = [f.price for f in fills]
    assert prices == sorted(prices) and prices[-1] <= ask + 0.50
    avg = sum(float(f.shares) * f.price for f in fills) / 5000
    assert fills[-1].avgPrice == pytest.approx(avg)
    partial = [a for a in client.calls("orderStatus") if a[1] == "Submitted" and a[2] > 0]
    assert partial, "partial fills report Submitted with the filled quantity"


def test_resting_limit_fills_at_its_price_when_the_market_comes(paused, connect) -> None:
    client = connect(paused.port)
    bid, _ = quote(paused, ES)
    limit = bid - 2.0
    oid = client.next_id()
    client.placeOrder(oid, future("ES"), order("BUY", 1, "LMT", limit))
    client.wait_for("orderStatus", lambda i, s, *_: s == "Submitted")
    move(paused, ES, -30)
    client.wait_for("orderStatus", lambda i, s, *_: s == "Filled")
    fills = [e for _, _, e in client.calls("execDetails")]
    assert [f.price for f in fills] == [limit]


def test_stop_triggers_on_last_and_stop_limit(paused, connect) -> None:
    client = connect(paused.port)
    bid, _ = quote(paused, AAPL)
    stop_id = client.next_id()
    client.placeOrder(stop_id, stock("AAPL"), order("SELL", 100, "STP", aux=round(bid - 0.05, 2)))
    client.placeOrder(stop_id + 1, stock("AAPL"), order("SELL", 100, "STP LMT", lmt=round(bid - 0.50, 2),
                                                       aux=round(bid - 0.05, 2)))
    client.wait_for("orderStatus", lambda i, s, *_: i == stop_id + 1)
    assert statuses(client, stop_id) == ["PreSubmitted"], "a simulated stock stop waits held"
    move(paused, AAPL, -40)
    client.wait_for("orderStatus", lambda i, s, *_: i == stop_id and s == "Filled")
    client.wait_for("orderStatus", lambda i, s, *_: i == stop_id + 1 and s == "Filled")
    assert "Submitted" in statuses(client, stop_id)
    lmt_fills = [e.price for _, _, e in client.calls("execDetails") if e.orderId == stop_id + 1]
    assert min(lmt_fills) >= round(bid - 0.50, 2)


def test_modify_price_and_quantity_with_the_same_id(paused, connect) -> None:
    client = connect(paused.port)
    bid, _ = quote(paused, ES)
    oid = client.next_id()
    client.placeOrder(oid, future("ES"), order("BUY", 1, "LMT", bid - 5))
    client.wait_for("openOrder")
    client.placeOrder(oid, future("ES"), order("BUY", 3, "LMT", bid - 4))
    updated = client.wait_for("openOrder", count=2)[-1]
    assert updated[2].lmtPrice == bid - 4 and updated[2].totalQuantity == 3
    assert updated[0] == oid and updated[2].permId == client.calls("openOrder")[0][2].permId


def test_rejections_use_tws_codes(paused, connect) -> None:
    client = connect(paused.port)
    oid = client.next_id()
    client.placeOrder(oid, future("ES"), order("BUY", 1, "LMT", 6000.10))
    client.placeOrder(oid + 1, stock("AAPL"), order("BUY", 0, "MKT"))
    client.placeOrder(oid + 2, stock("NOSUCH"), order("BUY", 1, "MKT"))
    client.placeOrder(oid + 3, stock("AAPL"), order("BUY", 1.5, "MKT"))
    client.placeOrder(oid + 4, stock("AAPL"), order("BUY", 1, "MKT"))
    client.placeOrder(oid + 3, stock("AAPL"), order("BUY", 1, "MKT"))  # id not above the last
    client.placeOrder(oid + 10, stock("AAPL"), order("BUY", 1, "REL", 228.0))  # not simulated
    client.sync()
    got = {(r, c) for r, c, _ in client.errors() if r >= oid}
    assert {(oid, 110), (oid + 1, 201), (oid + 2, 200), (oid + 3, 10243), (oid + 3, 103),
            (oid + 10, 387)} <= got
    text = {c: t for r, c, t in client.errors()}
    assert text[110] == "The price does not conform to the minimum price variation for this contract."
    assert text[103] == "Duplicate order id"


def test_cancel_paths(paused, connect) -> None:
    client = connect(paused.port)
    bid, _ = quote(paused, ES)
    oid = client.next_id()
    client.placeOrder(oid, future("ES"), order("BUY", 1, "LMT", bid - 10))
    client.placeOrder(oid + 1, future("ES"), order("BUY", 1))
    client.wait_for("orderStatus", lambda i, s, *_: i == oid + 1 and s == "Filled")
    client.cancelOrder(oid)
    client.wait_for("orderStatus", lambda i, s, *_: i == oid and s == "Cancelled")
    assert client.wait_for("error", lambda r, c, t: c == 202)[0][0] == oid
    client.cancelOrder(999)
    client.cancelOrder(oid + 1)
    client.placeOrder(oid + 1, future("ES"), order("BUY", 2))
    client.sync()
    codes = {(r, c) for r, c, _ in client.errors()}
    assert {(999, 10147), (oid + 1, 10148), (oid + 1, 104)} <= codes


def test_bracket_children_wait_for_the_parent_and_cancel_each_other(paused, connect) -> None:
    client = connect(paused.port)
    bid, ask = quote(paused, ES)
    parent = client.next_id()
    client.placeOrder(parent, future("ES"), order("BUY", 1, "LMT", bid - 1, transmit=False))
    client.placeOrder(parent + 1, future("ES"), order("SELL", 1, "LMT", bid + 10, parentId=parent,
                                                      transmit=False))
    client.placeOrder(parent + 2, future("ES"), order("SELL", 1, "STP", aux=bid - 20,
                                                      parentId=parent, transmit=True))
    client.wait_for("orderStatus", lambda i, *_: i == parent + 2)
    assert statuses(client, parent) == ["Submitted"]
    assert statuses(client, parent + 1) == ["PreSubmitted"]
    move(paused, ES, -12)
    client.wait_for("orderStatus", lambda i, s, *_: i == parent and s == "Filled")
    client.wait_for("orderStatus", lambda i, s, *_: i == parent + 1 and s == "Submitted")
    move(paused, ES, 100)
    client.wait_for("orderStatus", lambda i, s, *_: i == parent + 1 and s == "Filled")
    client.wait_for("orderStatus", lambda i, s, *_: i == parent + 2 and s == "Cancelled")


def test_untransmitted_order_is_held_silently(paused, connect) -> None:
    client = connect(paused.port)
    bid, _ = quote(paused, ES)
    oid = client.next_id()
    client.placeOrder(oid, future("ES"), order("BUY", 1, "LMT", bid - 3, transmit=False))
    client.sync()
    assert statuses(client, oid) == []


def test_oca_group_cancels_siblings(paused, connect) -> None:
    client = connect(paused.port)
    bid, ask = quote(paused, ES)
    oid = client.next_id()
    client.placeOrder(oid, future("ES"), order("BUY", 1, "LMT", bid - 10, ocaGroup="g1", ocaType=1))
    client.placeOrder(oid + 1, future("ES"), order("BUY", 1, "LMT", ask + 1, ocaGroup="g1", ocaType=1))
    client.wait_for("orderStatus", lambda i, s, *_: i == oid + 1 and s == "Filled")
    client.wait_for("orderStatus", lambda i, s, *_: i == oid and s == "Cancelled")


def test_ioc_cancels_the_unfilled_rest(paused, connect) -> None:
    client = connect(paused.port)
    bid, _ = quote(paused, ES)
    oid = client.next_id()
    client.placeOrder(oid, future("ES"), order("BUY", 1, "LMT", bid - 5, tif="IOC"))
    client.wait_for("orderStatus", lambda i, s, *_: s == "Cancelled")


def test_fill_or_kill_fills_whole_or_not_at_all(paused, connect) -> None:
    client = connect(paused.port)
    bid, ask = quote(paused, ES)
    at_ask = paused.call(lambda: paused.gateway.markets[ES].asks[0][1])  # the size at the best ask
    oid = client.next_id()
    # one more than the ask shows (within what the account can margin: TWS checks that first)
    client.placeOrder(oid, future("ES"), order("BUY", at_ask + 1, "LMT", ask, tif="FOK"))
    client.placeOrder(oid + 1, future("ES"), order("BUY", 1, "LMT", ask, tif="FOK"))
    client.wait_for("orderStatus", lambda i, s, *_: i == oid + 1 and s == "Filled")
    assert statuses(client, oid)[-1] == "Cancelled" and not client.calls(
        "execDetails", lambda r, c, e: e.orderId == oid), "nothing of a killed FOK fills"


def test_good_till_date_orders_rest_until_their_time_then_cancel(paused, connect) -> None:
    client = connect(paused.port)
    bid, _ = quote(paused, ES)
    now = paused.gateway.clock.now()
    stamp = time.strftime("%Y%m%d %H:%M:%S", time.gmtime(now + 30))
    oid = client.next_id()
    client.placeOrder(oid, future("ES"), order("BUY", 1, "LMT", bid - 10, tif="GTD", goodTillDate=f"{stamp} UTC"))
    client.placeOrder(oid + 1, future("ES"), order("BUY", 1, "LMT", bid - 10, tif="GTD",
                                                   goodTillDate=time.strftime("%Y%m%d-%H:%M:%S", time.gmtime(now - 60))))
    client.placeOrder(oid + 2, future("ES"), order("BUY", 1, "LMT", bid - 10, tif="GTD", goodTillDate="tomorrow"))
    client.wait_for("orderStatus", lambda i, s, *_: i == oid and s == "Submitted")
    client.sync()
    rejects = {r: t for r, c, t in client.errors(201)}
    assert "in the past" in rejects[oid + 1] and "is not 'YYYYMMDD HH:MM:SS" in rejects[oid + 2]
    paused.call(paused.gateway.run_steps, 2000, 0.01)  # 20 simulated seconds: still resting
    client.sync()
    assert statuses(client, oid)[-1] == "Submitted"
    paused.call(paused.gateway.run_steps, 1500, 0.01)  # past its time
    client.wait_for("orderStatus", lambda i, s, *_: i == oid and s == "Cancelled")


def test_global_cancel_and_open_order_queries(paused, connect) -> None:
    a = connect(paused.port, client_id=1)
    b = connect(paused.port, client_id=2)
    bid, _ = quote(paused, ES)
    a.placeOrder(a.next_id(), future("ES"), order("BUY", 1, "LMT", bid - 10))
    b.placeOrder(b.next_id(), future("ES"), order("BUY", 1, "LMT", bid - 11))
    a.wait_for("orderStatus")
    b.wait_for("orderStatus")
    a.reqOpenOrders()
    a.wait_for("openOrderEnd")
    assert {o[2].clientId for o in a.calls("openOrder")} == {1}
    a.reqAllOpenOrders()
    a.wait_for("openOrderEnd", count=2)
    assert {o[2].clientId for o in a.calls("openOrder")} == {1, 2}
    a.reqGlobalCancel()
    a.wait_for("orderStatus", lambda i, s, *_: s == "Cancelled")
    b.wait_for("orderStatus", lambda i, s, *_: s == "Cancelled")
    b.reqOpenOrders()
    b.wait_for("openOrderEnd")
    a.reqAutoOpenOrders(True)
    assert a.wait_for("error", lambda r, c, t: c == 321)


def test_executions_with_filter_and_completed_orders(paused, connect) -> None:
    from ibapi.execution import ExecutionFilter

    client = connect(paused.port)
    oid = client.next_id()
    client.placeOrder(oid, future("ES"), order("BUY", 1))
    client.placeOrder(oid + 1, stock("AAPL"), order("SELL", 100))
    client.wait_for("commissionReport", count=2)
    f = ExecutionFilter()
    f.symbol = "AAPL"
    client.reqExecutions(50, f)
    client.wait_for("execDetailsEnd", lambda r: r == 50)
    answered = [e for r, _, e in client.calls("execDetails") if r == 50]
    assert [e.orderId for e in answered] == [oid + 1]
    assert len(client.calls("commissionReport")) == 3
    client.reqExecutions(51, ExecutionFilter())
    client.wait_for("execDetailsEnd", lambda r: r == 51)
    assert len([1 for r, *_ in client.calls("execDetails") if r == 51]) == 2
    client.reqCompletedOrders(True)
    client.wait_for("completedOrdersEnd")
    done = client.calls("completedOrder")
    assert {(c.symbol, o.action, s.status) for c, o, s in done} == {("ES", "BUY", "Filled"),
                                                                   ("AAPL", "SELL", "Filled")}


def test_reject_next_hook(paused, connect) -> None:
    client = connect(paused.port)
    paused.call(setattr, paused.gateway, "reject_next", (201, "Order rejected - reason:simulated"))
    oid = client.next_id()
    client.placeOrder(oid, future("ES"), order("BUY", 1))
    assert client.wait_for("error", lambda r, c, t: c == 201)[0][0] == oid
    client.placeOrder(oid + 1, future("ES"), order("BUY", 1))
    client.wait_for("orderStatus", lambda i, s, *_: i == oid + 1 and s == "Filled")


def _stops(client: Client, oid: int) -> list[float]:
    return [o.trailStopPrice for _, _, o, _ in client.calls("openOrder", lambda i, *_: i == oid)]


def test_a_trailing_stop_follows_the_market_up_never_back_and_fires_on_the_way_down(paused, connect) -> None:
    client = connect(paused.port)
    oid = client.next_id()
    client.placeOrder(oid, future("ES"), order("BUY", 1, "MKT"))
    client.wait_for("orderStatus", lambda i, s, *_: i == oid and s == "Filled")
    client.placeOrder(oid + 1, future("ES"), order("SELL", 1, "TRAIL", aux=1.0))  # trail by 4 ticks
    client.sync()
    first = _stops(client, oid + 1)[-1]
    move(paused, ES, 12)
    client.sync()
    risen = _stops(client, oid + 1)
    assert risen[-1] >= first + 1.0, risen  # it followed the rise
    assert risen == sorted(risen), "a sell's trailing stop never moves down"
    assert not client.calls("orderStatus", lambda i, s, *_: i == oid + 1 and s == "Filled")
    peak_stop = risen[-1]
    move(paused, ES, -20)
    (_, _, _, _, avg, *_), = client.wait_for("orderStatus", lambda i, s, *_: i == oid + 1 and s == "Filled")
    assert avg <= peak_stop  # it fired at the stop or below, as a market order
    assert _stops(client, oid + 1)[-1] == peak_stop


def test_a_trailing_stop_limit_works_at_its_offset_once_triggered(paused, connect) -> None:
    client = connect(paused.port)
    bid, _ = quote(paused, ES)
    o = order("SELL", 1, "TRAIL LIMIT", aux=1.0, trailStopPrice=bid - 1.0, lmtPriceOffset=0.5)
    oid = client.next_id()
    client.placeOrder(oid, future("ES"), o)
    client.sync()
    assert _stops(client, oid)[-1] >= bid - 1.0
    move(paused, ES, -30)
    client.sync()
    last = client.calls("openOrder", lambda i, *_: i == oid)[-1][2]
    assert last.lmtPrice == pytest.approx(last.trailStopPrice - 0.5)


def test_trailing_orders_need_an_amount_or_percent_on_the_grid(paused, connect) -> None:
    client = connect(paused.port)
    oid = client.next_id()
    client.placeOrder(oid, future("ES"), order("SELL", 1, "TRAIL"))
    client.placeOrder(oid + 1, future("ES"), order("SELL", 1, "TRAIL", aux=0.1))
    client.placeOrder(oid + 2, future("ES"), order("SELL", 1, "TRAIL", trailingPercent=0.1))
    client.sync()
    assert client.wait_for("error", lambda r, c, t: r == oid)[0][1] == 201
    assert client.wait_for("error", lambda r, c, t: r == oid + 1)[0][1] == 110
    assert not client.calls("error", lambda r, c, t: r == oid + 2)
    assert client.wait_for("orderStatus", lambda i, *_: i == oid + 2)


def test_a_bracket_can_exit_with_a_trailing_stop(paused, connect) -> None:
    client = connect(paused.port)
    _, ask = quote(paused, ES)
    oid = client.next_id()
    client.placeOrder(oid, future("ES"), order("BUY", 1, "LMT", ask, transmit=False))
    client.placeOrder(oid + 1, future("ES"), order("SELL", 1, "TRAIL", aux=1.0, parentId=oid, transmit=True))
    client.wait_for("orderStatus", lambda i, s, *_: i == oid and s == "Filled")
    client.wait_for("orderStatus", lambda i, s, *_: i == oid + 1 and s == "Submitted")
