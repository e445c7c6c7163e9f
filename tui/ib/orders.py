"""Order ids (from nextValidId, strictly increasing, never reused) and bracket legs."""

from __future__ import annotations

import dataclasses
import threading

from tui.core.intents import Bracket, OrderIntent


class BrokerError(Exception):
    """An action the broker refused, with a message for the trader."""


class OrderIds:
    """Order-id allocation: thread-safe, strictly increasing, never reused."""
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = 0

    def offered(self, order_id: int) -> None:
        """TWS's nextValidId; after a reconnect the higher of it and what we already used wins."""
        with self._lock:
            self._next = max(self._next, order_id)

    def reserve(self, below: int) -> None:
        """Never allocate an id under ``below`` (ids this client used before a restart)."""
        with self._lock:
            self._next = max(self._next, below)

    def take(self, n: int = 1) -> list[int]:
        with self._lock:
            if not self._next:
                raise BrokerError("no order id from TWS yet")
            ids = list(range(self._next, self._next + n))
            self._next += n
            return ids


def bracket_legs(b: Bracket, parent: int, tp: int, sl: int) -> list[tuple[int, OrderIntent]]:
    """Entry, take-profit and stop-loss; only the last transmits, so none works alone."""
    e = b.entry
    exit_action = "SELL" if e.buy else "BUY"
    entry = dataclasses.replace(e, transmit=False)
    take = OrderIntent(e.spec, exit_action, e.quantity, "LMT", b.take_profit, None, "GTC",
                       e.outside_rth, parent, False)
    stop = OrderIntent(e.spec, exit_action, e.quantity, "STP", None, b.stop_loss, "GTC",
                       e.outside_rth, parent, True)
    return [(parent, entry), (tp, take), (sl, stop)]
