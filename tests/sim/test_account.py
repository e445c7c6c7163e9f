"""One paper account behind every client: positions, values, P&L, summaries."""

from __future__ import annotations

import re

import pytest

from ibkit import future, order, stock


def test_two_clients_see_one_account(paused, connect) -> None:
    a = connect(paused.port, client_id=1)
    b = connect(paused.port, client_id=2)
    a.placeOrder(a.next_id(), future("ES"), order("BUY", 2))
    b.placeOrder(b.next_id(), stock("AAPL"), order("BUY", 300))
    a.wait_for("commissionReport")
    b.wait_for("commissionReport")
    assert not b.calls("execDetails", lambda r, c, e: e.clientId == 1), "fills go to their owner"
    for client in (a, b):
        client.reqPositions()
        client.wait_for("positionEnd")
        held = {c.symbol: (qty, cost) for _, c, qty, cost in client.calls("position")}
        assert set(held) == {"ES", "AAPL"}
        assert held["ES"][0] == 2 and held["AAPL"][0] == 300
        es_price = a.calls("execDetails")[0][2].avgPrice
        assert held["ES"][1] == pytest.approx(es_price * 50), "futures avgCost carries the multiplier"


def test_account_updates_values_portfolio_and_end(paused, connect) -> None:
    client = connect(paused.port)
    client.placeOrder(client.next_id(), stock("MSFT"), order("BUY", 100))
    client.wait_for("commissionReport")
    client.reqAccountUpdates(True, "")
    client.wait_for("accountDownloadEnd")
    values = {k: v for k, v, cur, acct in client.calls("updateAccountValue")}
    for key in ("NetLiquidation", "TotalCashValue", "BuyingPower", "AvailableFunds",
                "UnrealizedPnL", "RealizedPnL", "EquityWithLoanValue", "InitMarginReq"):
        assert key in values, key
    cash = float(values["TotalCashValue"])
    fill = client.calls("execDetails")[0][2]
    commission = client.calls("commissionReport")[0][0].commission
    assert cash == pytest.approx(1_000_000 - 100 * fill.price - commission, abs=0.01)
    (portfolio,) = client.calls("updatePortfolio")
    contract, position, price, value, avg_cost, unrealized, realized, account = portfolio
    assert contract.symbol == "MSFT" and position == 100 and account == "DU1234567"
    assert contract.primaryExchange == "NASDAQ"
    assert value == pytest.approx(100 * price, abs=0.01)
    assert client.calls("updateAccountTime")


def test_round_trip_realizes_pnl_and_commissions(paused, connect) -> None:
    client = connect(paused.port)
    oid = client.next_id()
    client.placeOrder(oid, future("ES"), order("BUY", 1))
    client.wait_for("commissionReport")
    client.placeOrder(oid + 1, future("ES"), order("SELL", 1))
    client.wait_for("commissionReport", count=2)
    buy, sell = (e for _, _, e in client.calls("execDetails"))
    reports = [r for (r,) in client.calls("commissionReport")]
    assert reports[1].realizedPNL == pytest.approx((sell.price - buy.price) * 50)
    client.reqAccountSummary(60, "All", "NetLiquidation,TotalCashValue,RealizedPnL")
    client.wait_for("accountSummaryEnd")
    summary = {tag: float(v) for _, _, tag, v, _ in client.calls("accountSummary")}
    expected_cash = 1_000_000 + (sell.price - buy.price) * 50 - 2 * 2.05
    assert summary["TotalCashValue"] == pytest.approx(expected_cash, abs=0.01)
    assert summary["NetLiquidation"] == pytest.approx(expected_cash, abs=0.01)
    assert set(summary) == {"NetLiquidation", "TotalCashValue", "RealizedPnL"}


def test_pnl_streams_and_single_position_pnl(paused, connect) -> None:
    client = connect(paused.port)
    client.placeOrder(client.next_id(), future("NQ"), order("SELL", 3))
    client.wait_for("commissionReport")
    client.reqPnL(70, "DU1234567", "")
    client.reqPnLSingle(71, "DU1234567", "", 563947738)
    client.wait_for("pnl")
    (req, pos, daily, unrealized, realized, value), = client.wait_for("pnlSingle")
    assert req == 71 and str(pos) == "-3"  # a whole number on the wire (int in 9.81, Decimal in 10.x)
    paused.call(paused.gateway.run_steps, 300)  # three simulated seconds
    assert len(client.wait_for("pnl", count=3)) >= 3


def test_account_updates_multi_current_time_and_ids(paused, connect) -> None:
    client = connect(paused.port, client_id=9)
    client.reqAccountUpdatesMulti(80, "DU1234567", "", True)
    client.wait_for("accountUpdateMultiEnd")
    keys = {key for _, _, _, key, *_ in client.calls("accountUpdateMulti")}
    assert keys == {"NetLiquidation", "TotalCashValue"}
    client.reqCurrentTime()
    (epoch,), = client.wait_for("currentTime")
    assert epoch == int(paused.call(paused.gateway.clock.now))
    client.placeOrder(client.next_id(), stock("AAPL"), order("BUY", 1))
    client.placeOrder(client.next_id() + 4, stock("AAPL"), order("BUY", 1))
    client.wait_for("commissionReport", count=2)
    client.reqIds(1)
    assert client.wait_for("nextValidId", count=2)[-1] == (6,)
    client.reqManagedAccts()
    assert client.wait_for("managedAccounts", count=2)[-1] == ("DU1234567",)


def test_daily_pnl_counts_from_the_session_start_not_the_first_request(paused, connect) -> None:
    from ibkit import future, order

    client = connect(paused.port)
    oid = client.next_id()
    client.placeOrder(oid, future("ES"), order("BUY", 1))  # before anyone asked for account values
    client.wait_for("execDetails")
    client.reqPnL(9, "DU1234567", "")
    (_, daily, _unrealized, realized) = client.wait_for("pnl")[-1][:4]
    assert realized == pytest.approx(-2.05), "the commission is realized at once"
    assert daily == pytest.approx(_unrealized + realized), "daily P&L includes that commission"
    assert daily != 0


def test_an_order_the_account_cannot_margin_is_rejected_in_tws_words(paused, connect) -> None:
    # a million of equity carries four million of stock (25% initial margin): TWS refuses the
    # order that would need more, with error 201 and the two figures; nothing is placed
    client = connect(paused.port)
    big = client.next_id()
    client.placeOrder(big, stock("AAPL"), order("BUY", 20_000, "LMT", 230.0))  # 4.6M: 1.15M margin
    client.placeOrder(big + 1, stock("AAPL"), order("BUY", 10_000, "LMT", 230.0))  # 2.3M: carried
    client.wait_for("orderStatus", lambda oid, *_: oid == big + 1)
    (reject,) = client.errors(201)
    said = re.fullmatch(
        r"Order rejected - reason:YOUR ORDER IS NOT ACCEPTED\. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR "
        r"EQUITY WITH LOAN VALUE \[(\d+\.\d\d) USD\] MUST EXCEED THE INITIAL MARGIN \[(\d+\.\d\d) USD\]", reject[2])
    assert reject[0] == big and said, reject
    equity, margin = map(float, said.groups())
    assert equity == 1_000_000 - 100  # less the order's commission
    assert margin == pytest.approx(20_000 * 228.5 * 0.25, rel=0.01)  # at AAPL's mark, 25%
    assert not client.calls("orderStatus", lambda oid, *_: oid == big)
    # an order that takes margin off (selling what is held) is never refused for margin
    client.wait_for("execDetails")
    client.placeOrder(big + 2, stock("AAPL"), order("SELL", 10_000, "LMT", 1.0))
    client.wait_for("orderStatus", lambda oid, *_: oid == big + 2)
    assert len(client.errors(201)) == 1


def test_a_modification_that_raises_the_quantity_is_checked_for_margin_as_a_new_order(paused, connect) -> None:
    # 10,000 AAPL resting at 200 takes 0.57M of a million at AAPL's mark; raised to 25,000 it would
    # take 1.43M: TWS refuses the change (error 201, its figures) and the order works on as it was
    client = connect(paused.port)
    oid = client.next_id()
    client.placeOrder(oid, stock("AAPL"), order("BUY", 10_000, "LMT", 200.0))
    client.wait_for("orderStatus", lambda i, status, *_: i == oid and status == "Submitted")
    client.placeOrder(oid, stock("AAPL"), order("BUY", 25_000, "LMT", 200.0))
    client.wait_for("error", lambda i, code, *_: i == oid and code == 201)
    (reject,) = client.errors(201)
    margin = re.search(r"MUST EXCEED THE INITIAL MARGIN \[(\d+\.\d\d) USD\]", reject[2])
    assert reject[0] == oid and margin, reject
    assert float(margin.group(1)) == pytest.approx(25_000 * 228.5 * 0.25, rel=0.01)  # all 25,000
    client.placeOrder(oid, stock("AAPL"), order("BUY", 10_000, "LMT", 199.5))  # a price move: no check
    client.wait_for("openOrder", lambda i, _c, o, *_: i == oid and o.lmtPrice == 199.5)
    client.reqOpenOrders()
    client.wait_for("openOrderEnd")
    last = [o for i, _c, o, *_ in client.calls("openOrder") if i == oid][-1]
    assert last.totalQuantity == 10_000 and last.lmtPrice == 199.5
    assert len(client.errors(201)) == 1
