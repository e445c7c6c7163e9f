"""A bot author's whole session through IB's own client, at the highest version it offers
(157 with ibapi 9.81, 200 with 10.x): every request is answered, nothing is left waiting."""

from __future__ import annotations

from ibapi import server_versions
from ibapi.execution import ExecutionFilter

from ibkit import future, order
from tui.sim.protocol.versions import NEWEST, V


def test_a_full_session_at_the_clients_highest_version(paused, connect) -> None:
    c = connect(paused.port)
    assert c.serverVersion() == min(server_versions.MAX_CLIENT_VER, NEWEST)
    es = future("ES")

    # qualify
    c.reqContractDetails(1, es)
    (_, details), = c.wait_for("contractDetails", lambda r, d: r == 1)
    c.wait_for("contractDetailsEnd", lambda r: r == 1)
    es.conId = details.contract.conId
    assert details.minTick == 0.25 and ";" in details.tradingHours and "TRAIL" in details.orderTypes

    # L1 and L2
    c.reqMktData(2, es, "", False, False, [])
    c.reqMktDepth(3, es, 5, True, [])
    paused.call(paused.gateway.run_steps, 50, 0.01)
    bid = c.wait_for("tickPrice", lambda r, t, p, a: r == 2 and t == 1)[-1][2]
    ask = c.wait_for("tickPrice", lambda r, t, p, a: r == 2 and t == 2)[-1][2]
    assert 0 < bid < ask
    c.wait_for("updateMktDepthL2", lambda r, *_: r == 3, count=5)

    # what-if: margins and commission, nothing placed
    preview = order("BUY", 1, "LMT", bid)
    preview.whatIf = True
    c.placeOrder(c.next_id(), es, preview)
    (_, _, o, state), = c.wait_for("openOrder", lambda i, ct, o, s: o.whatIf)
    assert float(state.initMarginChange) > 0

    # a bracket: marketable entry, take-profit limit and a trailing stop, OCA'd children
    entry_id = c.next_id() + 1
    c.placeOrder(entry_id, es, order("BUY", 1, "LMT", ask + 1.0, transmit=False))
    c.placeOrder(entry_id + 1, es, order("SELL", 1, "LMT", ask + 50.0, parentId=entry_id, transmit=False))
    c.placeOrder(entry_id + 2, es, order("SELL", 1, "TRAIL", aux=4.0, parentId=entry_id))
    c.wait_for("orderStatus", lambda i, s, *_: i == entry_id and s == "Filled")
    trail = c.wait_for("openOrder", lambda i, ct, o, s: i == entry_id + 2 and s.status == "Submitted")[-1][2]
    assert trail.orderType == "TRAIL" and 0 < trail.trailStopPrice < ask
    (_, _, execution), = c.wait_for("execDetails", lambda r, ct, e: e.orderId == entry_id)
    assert execution.side == "BOT" and float(execution.shares) == 1
    c.wait_for("commissionReport", lambda r: r.execId == execution.execId)

    # cancel the take-profit
    c.cancelOrder(entry_id + 1)
    c.wait_for("orderStatus", lambda i, s, *_: i == entry_id + 1 and s == "Cancelled")

    # positions, account, PnL, executions
    c.reqPositions()
    c.wait_for("position", lambda a, ct, q, cost: ct.symbol == "ES" and q == 1)
    c.wait_for("positionEnd")
    c.reqAccountSummary(4, "All", "NetLiquidation,BuyingPower")
    c.wait_for("accountSummaryEnd", lambda r: r == 4)
    assert {t for _, _, t, *_ in c.calls("accountSummary")} == {"NetLiquidation", "BuyingPower"}
    account = c.calls("managedAccounts")[-1][0]
    c.reqPnL(5, account, "")
    c.wait_for("pnl", lambda r, *_: r == 5)
    c.reqExecutions(6, ExecutionFilter())
    c.wait_for("execDetailsEnd", lambda r: r == 6)
    assert [e.orderId for r, _, e in c.calls("execDetails") if r == 6] == [entry_id]

    # historical and real-time bars, head timestamp
    c.reqHistoricalData(7, es, "", "1800 S", "1 min", "TRADES", 1, 1, False, [])
    c.wait_for("historicalDataEnd", lambda r, *_: r == 7)
    assert len(c.calls("historicalData", lambda r, b: r == 7)) == 30
    c.reqRealTimeBars(8, es, 5, "MIDPOINT", True, [])
    c.reqHeadTimeStamp(9, es, "TRADES", 1, 2)
    c.wait_for("headTimestamp", lambda r, s: r == 9)
    c.sync()
    paused.call(paused.gateway.run_steps, 1000, 0.01)
    c.wait_for("realtimeBar", lambda r, *_: r == 8)

    # what only a modern client asks
    if c.serverVersion() >= V.HISTORICAL_SCHEDULE:
        c.reqHistoricalData(10, es, "", "1 W", "1 day", "SCHEDULE", 1, 1, False, [])
        (_, start, end, tz, sessions), = c.wait_for("historicalSchedule", lambda r, *_: r == 10)
        assert tz == "US/Central" and sessions and all(s.startDateTime < s.endDateTime for s in sessions)
    if c.serverVersion() >= V.USER_INFO:
        c.reqUserInfo(11)
        c.wait_for("userInfo", lambda r, w: r == 11)
    if c.serverVersion() >= V.CURRENT_TIME_IN_MILLIS:
        c.reqCurrentTimeInMillis()
        (ms,), = c.wait_for("currentTimeInMillis")
        assert abs(ms / 1000 - paused.gateway.clock.now()) < 5

    assert not c.errors(321) and not c.errors(320), c.errors()
