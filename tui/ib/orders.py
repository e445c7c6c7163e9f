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


def bracket_legs(b: Bracket, ids: list[int]) -> list[tuple[int, OrderIntent]]:
    """Entry, then each take-profit and its stop-loss, children of the entry; only the last
    transmits, so none works alone. Several targets: each pair is an OCA group of its own."""
    parent = ids[0]
    legs = [(parent, dataclasses.replace(b.entry, transmit=False))]
    exits = b.exits()
    pair_ids = iter(ids[1:])
    for i, (take, stop) in enumerate(exits):
        group = f"ibtui-{parent}-{i + 1}" if len(exits) > 1 else ""
        last = i == len(exits) - 1
        legs.append((next(pair_ids), dataclasses.replace(take, parent_id=parent, transmit=False, oca_group=group)))
        legs.append((next(pair_ids), dataclasses.replace(stop, parent_id=parent, transmit=last, oca_group=group)))
    return legs
