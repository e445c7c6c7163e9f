"""A recording ibapi client for tests: every callback lands in a list we can wait on.

It is deliberately the stock ibapi ``EClient``/``EWrapper`` pair (its own reader
thread and decode loop), so the simulated gateway is checked by IB's code, with
whichever major version is installed (9.81 or 10.x). The few places where the two
differ are evened out here, so a test reads the same either way:
``error`` is recorded as (reqId, code, text); 10.x's ``commissionAndFeesReport`` as
``commissionReport`` (with ``.commission``); ``cancelOrder(id)`` and
``reqGlobalCancel()`` take 10.x's ``OrderCancel`` when it is needed.
"""

from __future__ import annotations

import threading
from decimal import Decimal
import time
from collections.abc import Callable
from typing import Any

from ibapi.client import EClient
from ibapi.contract import Contract
from ibapi.order import Order
from ibapi.wrapper import EWrapper

from tui.ib import compat


class Recorder(EWrapper):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, tuple[Any, ...]]] = []
        self.cond = threading.Condition()

    def _add(self, name: str, *args: Any) -> None:
        if name == "error":
            args = (args[0], *compat.error_args(args[1:]))
        elif name == "commissionAndFeesReport":
            name = "commissionReport"
            args[0].commission = args[0].commissionAndFees
        with self.cond:
            self.events.append((name, args))
            self.cond.notify_all()

    def __getattribute__(self, name: str) -> Any:
        # record every EWrapper callback without writing each one out
        attr = object.__getattribute__(self, name)
        if name.startswith("_") or name in ("events", "cond") or not callable(attr):
            return attr
        if name in EWrapper.__dict__ and name not in ("logAnswer",):
            def record(*args: Any) -> None:
                object.__getattribute__(self, "_add")(name, *args)
            return record
        return attr


class Client(EClient):
    """An ibapi client connected to a gateway, with helpers to wait for callbacks."""

    def __init__(self) -> None:
        self.rec = Recorder()
        super().__init__(self.rec)
        self.thread: threading.Thread | None = None

    def start(self, port: int, client_id: int = 1, wait_ready: bool = True) -> Client:
        self.connect("127.0.0.1", port, client_id)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        if wait_ready:
            self.wait_for("nextValidId")
        return self

    def serverVersion(self) -> int:  # noqa: N802
        # 10.x's run() loop may decode one more queued message after disconnect() has reset
        # the version to None, and then fails comparing None >= 201 in its own thread
        return super().serverVersion() or 0

    def cancelOrder(self, orderId: int, *rest: Any) -> None:  # noqa: N802,N803
        super().cancelOrder(orderId, *(rest or compat.cancel_args()))

    def reqGlobalCancel(self, *rest: Any) -> None:  # noqa: N802
        super().reqGlobalCancel(*(rest or compat.global_cancel_args()))

    def stop(self) -> None:
        self.disconnect()
        if self.thread:
            self.thread.join(timeout=5)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- waiting -----------------------------------------------------------
    def calls(self, name: str, pred: Callable[..., bool] | None = None) -> list[tuple[Any, ...]]:
        with self.rec.cond:
            return [a for n, a in self.rec.events if n == name and (pred is None or pred(*a))]

    def wait_for(self, name: str, pred: Callable[..., bool] | None = None, count: int = 1,
                 timeout: float = 5.0) -> list[tuple[Any, ...]]:
        deadline = time.monotonic() + timeout
        with self.rec.cond:
            while True:
                found = [a for n, a in self.rec.events if n == name and (pred is None or pred(*a))]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    names = sorted({n for n, _ in self.rec.events})
                    raise AssertionError(f"timed out waiting for {count} x {name}; saw {names}")
                self.rec.cond.wait(left)

    def sync(self) -> None:
        """Round-trip a reqCurrentTime: every earlier request has then been handled."""
        n = len(self.calls("currentTime"))
        self.reqCurrentTime()
        self.wait_for("currentTime", count=n + 1)

    def errors(self, code: int | None = None) -> list[tuple[Any, ...]]:
        return self.calls("error", None if code is None else (lambda r, c, *_: c == code))

    def next_id(self) -> int:
        return self.calls("nextValidId")[-1][0]


def whole(size: Any) -> bool:
    """A size sent as a whole number: an int from 9.81, a Decimal without a fraction from 10.x."""
    return isinstance(size, int) or (isinstance(size, Decimal) and size.as_tuple().exponent == 0)


def stock(symbol: str = "AAPL") -> Contract:
    c = Contract()
    c.symbol = symbol
    c.secType = "STK"
    c.exchange = "SMART"
    c.currency = "USD"
    return c


def future(symbol: str = "ES", exchange: str = "CME") -> Contract:
    c = Contract()
    c.symbol = symbol
    c.secType = "FUT"
    c.exchange = exchange
    c.currency = "USD"
    return c


def order(action: str, qty: float, order_type: str = "MKT", lmt: float | None = None,
          aux: float | None = None, **extra: Any) -> Order:
    o = Order()
    o.action = action
    o.totalQuantity = qty
    o.orderType = order_type
    if lmt is not None:
        o.lmtPrice = lmt
    if aux is not None:
        o.auxPrice = aux
    # ibapi 9.81 defaults these to True, which TWS rejects for most accounts
    o.eTradeOnly = False
    o.firmQuoteOnly = False
    for k, v in extra.items():
        setattr(o, k, v)
    return o


class Capture:
    """Stands in for the socket: keeps every frame sent."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def sendMsg(self, data: bytes) -> int:
        self.sent.append(data)
        return len(data)

    def isConnected(self) -> bool:
        return True


def encoded(method: str, *args: Any, version: int = 157) -> bytes:
    """The exact frame(s) the installed ibapi sends for a request, at a server version."""
    client = EClient(EWrapper())
    client.conn = Capture()
    client.serverVersion_ = version
    client.connState = EClient.CONNECTED
    client.clientId = 1
    getattr(client, method)(*args)
    return b"".join(client.conn.sent)


def ours(version: int = 157) -> Any:
    """ibtui's client, connected to a ``Capture`` at a server version."""
    from tui.core.handoff import Handoff
    from tui.ib.client import Client
    from tui.ib.subscriptions import Subscriptions
    from tui.ib.wrapper import Wrapper

    class Sink:  # what the wrapper tells the broker: nothing here is decoded
        subscriptions = Subscriptions(lambda: 0)

        def __getattr__(self, name: str) -> Any:
            return lambda *args: None

    c = Client(Wrapper(Sink(), Handoff()), lambda reason: None)  # type: ignore[arg-type]
    c.conn = Capture()
    c.serverVersion_ = version
    c.connState = EClient.CONNECTED
    c.clientId = 1
    return c
