"""Market-data and P&L subscriptions: what the trader asked for, kept across reconnects.

``market`` and ``pnl`` (request id -> con id) are read by the decode thread on every
tick, without a lock: they are replaced whole under the lock, never changed in place.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from tui.core.contracts import Contract


@dataclass
class Subscription:
    """One instrument's streams: its L1 request and, with depth rows, its depth request."""

    contract: Contract
    depth_rows: int = 0
    l1_req: int = 0
    depth_req: int = 0


class Subscriptions:
    """What is subscribed, and which request id maps to which instrument."""
    def __init__(self, new_id: Callable[[], int]) -> None:
        self._new_id = new_id
        self._lock = threading.Lock()
        self._subs: dict[int, Subscription] = {}
        self.market: dict[int, int] = {}  # request id -> con id (quotes and depth)
        self.pnl: dict[int, int] = {}  # request id -> con id (single-position P&L)

    def want(self, contract: Contract, depth_rows: int = 0) -> Subscription | None:
        """Record the wish; the subscription to send now, or None when one already covers it."""
        with self._lock:
            sub = self._subs.get(contract.con_id)
            if sub is not None and sub.depth_rows >= depth_rows:
                return None
            if sub is None:
                sub = self._subs[contract.con_id] = Subscription(contract, depth_rows)
            else:
                sub.depth_rows = depth_rows
            return sub

    def renew(self, sub: Subscription) -> None:
        """Fresh request ids for ``sub`` (the old ones stop mapping to it)."""
        con = sub.contract.con_id
        with self._lock:
            market = dict(self.market)
            market.pop(sub.l1_req, None)
            sub.l1_req = self._new_id()
            market[sub.l1_req] = con
            if sub.depth_rows:
                market.pop(sub.depth_req, None)
                sub.depth_req = self._new_id()
                market[sub.depth_req] = con
            self.market = market

    def all(self) -> list[Subscription]:
        with self._lock:
            return list(self._subs.values())

    def want_pnl(self, con_id: int) -> int | None:
        """The request id for a new single-position P&L stream, or None if it streams already."""
        with self._lock:
            if con_id in self.pnl.values():
                return None
            rid = self._new_id()
            self.pnl = {**self.pnl, rid: con_id}
            return rid

    def pnl_streams(self) -> list[tuple[int, int]]:
        with self._lock:
            return list(self.pnl.items())
