"""A broker plus the app-side state it feeds, drained the way the app drains it."""

from __future__ import annotations

import time
from collections.abc import Callable

from tui.core import events as ev
from tui.core.contracts import ContractSpec
from tui.core.orders import Orders
from tui.core.portfolio import Portfolio
from tui.ib.broker import Broker, BrokerConfig


class Desk:
    def __init__(self, port: int, client_id: int = 1, **cfg: object) -> None:
        self.broker = Broker(BrokerConfig(port=port, client_id=client_id, connect_timeout=2.0,
                                          **cfg))  # type: ignore[arg-type]
        self.orders = Orders()
        self.portfolio = Portfolio()
        self.events: list[object] = []
        self.markets: dict[int, ev.MarketUpdate] = {}
        self.broker.start()

    def pump(self) -> None:
        events, updates = self.broker.h.drain()
        for e in events:
            self.events.append(e)
            self.orders.apply(e)
            self.portfolio.apply(e)
        for u in updates:
            self.markets[u.con_id] = u

    def wait(self, pred: Callable[[], object], timeout: float = 5.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump()
            if pred():
                return
            time.sleep(0.01)
        self.pump()
        if not pred():
            raise AssertionError(f"timed out waiting for {what or pred}; state {self.broker.state} "
                                 f"{self.broker.reason!r}")

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    def errors(self, code: int) -> list[ev.IBError]:
        return [e for e in self.of(ev.IBError) if e.code == code]

    def resolve(self, symbol: str, sec_type: str = "", exchange: str = "") -> ContractSpec:
        key = self.broker.resolve(symbol, sec_type, exchange)
        self.wait(lambda: any(r.query == key for r in self.of(ev.ContractResolved)), what=key)
        (res,) = [r for r in self.of(ev.ContractResolved) if r.query == key][-1:]
        assert len(res.specs) == 1, res
        return res.specs[0]

    def status(self, order_id: int) -> str:
        rec = self.orders.get(order_id)
        return rec.status if rec else ""

    def stop(self) -> None:
        self.broker.stop()
