"""--state: the account, working orders and order ids survive a gateway restart."""

from __future__ import annotations

from ibkit import Client, future, order
from tui.sim.clock import ManualClock
from tui.sim.server.gateway import Gateway
from tui.sim.server.runner import GatewayThread


def test_restart_with_state_keeps_account_orders_and_ids(tmp_path) -> None:
    state = tmp_path / "sim.json"
    with GatewayThread(Gateway(seed=3, rate=0, clock=ManualClock(), state_path=state)) as g:
        c = Client().start(g.port, client_id=5)
        oid = c.next_id()
        c.placeOrder(oid, future("ES"), order("BUY", 2))
        c.wait_for("commissionReport")
        bid = g.call(lambda: g.gateway.markets[495512563].price(g.gateway.markets[495512563].bid))
        c.placeOrder(oid + 1, future("ES"), order("BUY", 1, "LMT", bid - 20))
        c.wait_for("orderStatus", lambda i, s, *_: i == oid + 1)
        c.stop()
    assert state.exists()
    with GatewayThread(Gateway(seed=3, rate=0, clock=ManualClock(), state_path=state)) as g:
        c = Client().start(g.port, client_id=5)
        assert c.next_id() == oid + 2, "order ids continue after the restart"
        c.reqPositions()
        c.wait_for("positionEnd")
        assert [(con.symbol, qty) for _, con, qty, _ in c.calls("position")] == [("ES", 2.0)]
        c.reqOpenOrders()
        c.wait_for("openOrderEnd")
        assert [o[0] for o in c.calls("openOrder")] == [oid + 1]
        c.reqExecutions(1, __import__("ibapi.execution", fromlist=["ExecutionFilter"]).ExecutionFilter())
        c.wait_for("execDetailsEnd")
        assert len(c.calls("execDetails")) >= 1
        c.cancelOrder(oid + 1)
        c.wait_for("orderStatus", lambda i, s, *_: i == oid + 1 and s == "Cancelled")
        c.stop()
