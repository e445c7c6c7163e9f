"""Resynchronising after every connect: what is asked again, and when the answers are all in."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ibapi.execution import ExecutionFilter

from tui.core import events as ev

# every resync answer, completed orders included: reconciliation must know what ended while away
RESYNC_ENDS = frozenset({"orders", "positions", "executions", "completed", "account"})


def resync_requests(client: Any, account: str, subscribed_account: str, market_data_type: int,
                    exec_req: int, pnl_req: int) -> list[Callable[[], None]]:
    """The requests that rebuild the account's picture, in the order they are sent."""
    return [
        lambda: client.reqMarketDataType(market_data_type),
        client.reqOpenOrders,
        client.reqPositions,
        lambda: client.reqExecutions(exec_req, ExecutionFilter()),
        lambda: client.reqCompletedOrders(True),
        lambda: client.reqAccountUpdates(True, subscribed_account),
        lambda: client.reqPnL(pnl_req, account, ""),
    ]


class Resync:
    """Counts the end markers of one resync; the last one yields the ``Reconciled`` event."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ends: set[str] = set()
        self._seen_open: set[int] = set()
        self._first = True

    def begin(self) -> None:
        with self._lock:
            self._ends = set(RESYNC_ENDS)
            self._seen_open = set()

    def seen(self, order_id: int) -> None:
        with self._lock:
            self._seen_open.add(order_id)

    def end(self, name: str) -> ev.Reconciled | None:
        with self._lock:
            if name not in self._ends:
                return None
            self._ends.discard(name)
            if self._ends:
                return None
            done = ev.Reconciled(frozenset(self._seen_open), self._first)
            self._first = False
            return done
