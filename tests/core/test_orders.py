from __future__ import annotations

from tui.core import events as ev
from tui.core.contracts import Contract
from tui.core.orders import Orders

ES = Contract("ES", "FUT", "CME", con_id=1)


def status(oid: int, s: str, filled: float = 0, remaining: float = 1, avg: float = 0) -> ev.OrderStatus:
    return ev.OrderStatus(oid, s, filled, remaining, avg, 99, 0, avg, 1)


def fill(oid: int, exec_id: str, shares: float, price: float, cum: float, avg: float) -> ev.Fill:
    return ev.Fill(exec_id, oid, 99, 1, ES, "BOT", shares, price, cum, avg, "t", "DU1")


def test_status_before_open_order_and_duplicates() -> None:
    o = Orders()
    assert o.apply(status(1, "Submitted")) is not None
    assert o.apply(status(1, "Submitted")) is None  # a duplicate changes nothing
    rec = o.apply(ev.OpenOrder(1, ES, "BUY", 2, "LMT", 100.0, None, "DAY", "Submitted", 99, 1))
    assert rec.contract == ES and rec.quantity == 2 and rec.status == "Submitted"


def test_partial_fills_average_and_commission() -> None:
    o = Orders()
    o.sent(1, ES, "BUY", 3, "LMT", 100.0, None, "DAY")
    o.apply(fill(1, "e1", 1, 100.0, 1, 100.0))
    o.apply(status(1, "Submitted", 1, 2, 100.0))
    o.apply(fill(1, "e2", 2, 99.75, 3, 99.8333))
    o.apply(ev.Commission("e2", 4.1, "USD", None))
    rec = o.get(1)
    assert rec.filled == 3 and rec.status == "Filled" and rec.avg_price == 99.8333
    assert rec.commission == 4.1


def test_stale_status_after_terminal_is_ignored_and_late_exec_counts_once() -> None:
    o = Orders()
    o.sent(1, ES, "BUY", 1, "MKT", None, None, "DAY")
    o.apply(status(1, "Filled", 1, 0, 100.0))
    assert o.apply(status(1, "Submitted", 0, 1)) is None
    assert o.get(1).status == "Filled"
    o.apply(fill(1, "e1", 1, 100.0, 1, 100.0))  # execDetails after Filled
    assert o.apply(fill(1, "e1", 1, 100.0, 1, 100.0)) is None  # seen again in a resync
    assert len(o.get(1).fills) == 1


def test_rejects_and_cancel_errors() -> None:
    o = Orders()
    o.sent(1, ES, "BUY", 1, "LMT", 100.1, None, "DAY")
    o.apply(ev.IBError(1, 110, "The price does not conform"))
    assert o.get(1).status == "Inactive" and "price" in o.get(1).error
    o.sent(2, ES, "BUY", 1, "LMT", 100.0, None, "DAY")
    o.apply(status(2, "Submitted"))
    o.apply(ev.IBError(2, 10148, "cannot be cancelled"))
    assert o.get(2).working
    o.apply(ev.IBError(2, 202, "Order Canceled - reason:"))
    assert o.get(2).status == "Cancelled"


def test_orders_the_resync_did_not_report_are_unknown_and_not_working() -> None:
    o = Orders()
    for oid in (1, 2, 3):
        o.sent(oid, ES, "BUY", 1, "LMT", 100.0, None, "DAY")
        o.apply(status(oid, "Submitted"))
    o.apply(status(3, "Filled"))
    lost = o.mark_unknown({1})
    assert [r.order_id for r in lost] == [2] and o.get(2).lost and o.get(2).status == "Unknown"
    assert [r.order_id for r in o.working()] == [1], "an unknown order is not working"
    o.apply(status(2, "Submitted"))  # the gateway speaks for it after all: it has the last word
    assert o.get(2).working and not o.get(2).lost


def test_journal_orders_are_unconfirmed_until_the_gateway_reports_them() -> None:
    o = Orders()
    o.sent(1, ES, "BUY", 1, "STP LMT", 101.0, 100.0, "DAY")
    o.sent(2, ES, "SELL", 1, "LMT", 105.0, None, "DAY")
    assert {r.order_id for r in o.unconfirm()} == {1, 2}
    assert o.working() == [] and o.get(1).status == "Unconfirmed"
    o.apply(status(1, "Submitted"))
    assert [r.order_id for r in o.working()] == [1]


def test_an_order_keeps_its_time_when_the_gateway_vouches_for_it_after_a_restart() -> None:
    now = [100.0]
    o = Orders(clock=lambda: now[0])
    o.sent(1, ES, "BUY", 1, "LMT", 100.0, None, "DAY")
    o.sent(2, ES, "BUY", 1, "LMT", 99.0, None, "DAY")
    for oid in (1, 2):
        o.apply(status(oid, "Submitted"))
    o.unconfirm()
    now[0] = 500.0  # the restart: the gateway reports both
    # the row is repainted (Unconfirmed -> Submitted), its time is not moved
    assert o.apply(ev.OpenOrder(1, ES, "BUY", 1, "LMT", 100.0, None, "DAY", "Submitted", 99, 1)) is not None
    o.apply(status(1, "Submitted"))
    assert o.get(1).updated == 100.0 and o.get(1).working, "as the journal left it: no change"
    o.apply(status(2, "Filled", 1, 0, 99.0))  # filled while we were away: that is news
    assert o.get(2).updated == 500.0 and o.get(2).status == "Filled"


def test_stop_limit_is_drawn_at_its_stop_until_triggered_then_at_its_limit() -> None:
    o = Orders()
    rec = o.sent(1, ES, "BUY", 1, "STP LMT", 101.0, 100.0, "DAY")
    assert rec.price == 100.0
    rec.triggered = True
    assert rec.price == 101.0
    assert o.sent(2, ES, "BUY", 1, "STP", None, 99.0, "DAY").price == 99.0
    assert o.sent(3, ES, "BUY", 1, "LMT", 98.0, None, "DAY").price == 98.0
    assert o.sent(4, ES, "BUY", 1, "MKT", None, None, "DAY").price is None


def test_a_future_in_several_months_resolves_to_its_front_month_without_a_warning() -> None:
    from tui.core import events as ev
    from tui.core.contracts import Contract, ContractSpec
    from tui.core.desk import Desk
    from tui.core.risk import Limits

    desk = Desk(None, Limits())  # type: ignore[arg-type]
    months = [ContractSpec(Contract("GC", "FUT", "COMEX", "USD", 700 + i, ltd, "100", f"GC{code}", "GC"), 0.1)
              for i, (ltd, code) in enumerate([("20270224", "H7"), ("20261125", "Z6"), ("20270126", "G7")])]
    desk.apply(ev.ContractResolved("GC:FUT:COMEX", tuple(months)))
    assert desk.by_query["GC:FUT:COMEX"].contract.local_symbol == "GCZ6"
    assert not [m for m in desk.messages if "ambiguous" in m.text]
