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


def test_mark_lost_after_resync() -> None:
    o = Orders()
    for oid in (1, 2):
        o.sent(oid, ES, "BUY", 1, "LMT", 100.0, None, "DAY")
        o.apply(status(oid, "Submitted"))
    lost = o.mark_lost({1})
    assert [r.order_id for r in lost] == [2] and o.get(2).lost
