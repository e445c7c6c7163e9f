"""The simulated gateway serves an independent client library (ib_async, its own decoder and
its own idea of the protocol) at the highest version it offers (178): a bot author's whole
session, with every request answered before ib_async's own request timeout."""

from __future__ import annotations

import math

import pytest
from ib_async import IB, Future, LimitOrder, Order, Stock

from tui.sim.protocol.versions import NEWEST


@pytest.fixture
def ib(paused):
    client = IB()
    client.RequestTimeout = 10  # a request left unanswered raises instead of hanging
    client.seen_errors = []
    client.errorEvent += lambda req_id, code, text, contract: client.seen_errors.append((req_id, code, text))
    client.connect("127.0.0.1", paused.port, clientId=21, timeout=10)
    yield client
    client.disconnect()


def run_market(paused, ib: IB, seconds: float) -> None:
    paused.call(paused.gateway.run_steps, int(seconds * 100), 0.01)
    ib.sleep(0.3)


def test_a_full_session_through_ib_async(paused, ib: IB) -> None:
    assert ib.client.serverVersion() == min(ib.client.MaxClientVersion, NEWEST) == 178
    account = ib.managedAccounts()[0]

    es, aapl = ib.qualifyContracts(Future("ES", exchange="CME"), Stock("AAPL", "SMART", "USD"))
    assert es.conId and aapl.conId and es.lastTradeDateOrContractMonth
    (details,) = ib.reqContractDetails(es)
    assert details.minTick == 0.25 and details.timeZoneId == "US/Central"

    ticker = ib.reqMktData(es)
    depth = ib.reqMktDepth(es, 5)
    run_market(paused, ib, 1)
    assert 0 < ticker.bid < ticker.ask and len(depth.domBids) == 5

    state = ib.whatIfOrder(es, LimitOrder("BUY", 1, ticker.bid))
    assert float(state.initMarginChange) > 0 and not ib.openTrades()

    entry = LimitOrder("BUY", 1, ticker.ask + 1.0, orderId=ib.client.getReqId(), transmit=False)
    target = LimitOrder("SELL", 1, ticker.ask + 50.0, orderId=ib.client.getReqId(), parentId=entry.orderId,
                        transmit=False)
    trail = Order(action="SELL", totalQuantity=1, orderType="TRAIL", auxPrice=4.0, orderId=ib.client.getReqId(),
                  parentId=entry.orderId)
    decoded = []  # ib_async keeps its own Order for its trades: look at what it decoded
    on_open_order = ib.wrapper.openOrder
    ib.wrapper.openOrder = lambda i, c, o, s: (decoded.append(o), on_open_order(i, c, o, s))
    trades = [ib.placeOrder(es, o) for o in (entry, target, trail)]
    run_market(paused, ib, 0.5)
    assert trades[0].orderStatus.status == "Filled" and trades[0].fills
    assert trades[2].orderStatus.status == "Submitted"
    working = [o for o in decoded if o.orderId == trail.orderId][-1]
    assert working.orderType == "TRAIL" and 0 < working.trailStopPrice < ticker.ask

    ib.cancelOrder(target)
    run_market(paused, ib, 0.2)
    assert trades[1].orderStatus.status == "Cancelled"

    assert [(p.contract.symbol, p.position) for p in ib.reqPositions()] == [("ES", 1)]
    summary = {v.tag: v.value for v in ib.accountSummary(account)}
    assert float(summary["NetLiquidation"]) > 0
    pnl = ib.reqPnL(account)
    run_market(paused, ib, 1)
    assert not math.isnan(pnl.unrealizedPnL)
    assert [f.execution.orderId for f in ib.reqExecutions()] == [entry.orderId]

    bars = ib.reqHistoricalData(es, "", "1800 S", "1 min", "TRADES", True)
    assert len(bars) == 30 and all(b.low <= b.close <= b.high for b in bars)
    assert ib.reqHeadTimeStamp(es, "TRADES", True).year >= 2000
    live = ib.reqRealTimeBars(es, 5, "MIDPOINT", True)
    run_market(paused, ib, 11)
    assert len(live) >= 2 and live[-1].time.timestamp() % 5 == 0
    notices = {2104, 2106, 2158, 202}  # farm connections OK; the cancel's "Order Canceled"
    assert [e for e in ib.seen_errors if e[1] not in notices] == []
