"""The tape of one instrument: time and sales, and what traded at each price lately.

Prints arrive from the hand-off with their aggressor side (+1 buyer, -1 seller, 0 not
known). ``recent`` sums them by price over a rolling window, buyers and sellers apart,
for the ladder's trades column; ``clear`` starts the window afresh (the trader's key).
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterable

from tui.core.events import Print
from tui.core.prices import to_ticks

TAPE_LENGTH = 1000  # prints kept for the time & sales pane
# A kept print is a plain (time, price, size, side) tuple: the garbage collector stops tracking a
# tuple of numbers, so a thousand long-lived prints cost a full collection nothing (Print objects
# would be scanned at every one, and a busy tape promotes them by the thousand).
Kept = tuple[float, float, int, int]
# Prints in the trades window are kept in flat arrays, not as a tuple each: a busy tape holds tens
# of thousands of them (up to a day's with a long window), and every full collection read each
# one (at the gateway's maximum rate, 35-57 thousand: a sixth of what a full collection read);
# arrays it never reads.
COMPACT_AT = 4096  # expired entries dropped from the front once there are this many


class Tape:
    """Time & sales and the rolling per-price volume of one instrument."""

    def __init__(self, tick: float, window: float) -> None:
        self.tick = tick
        self.window = window
        self.prints: deque[Kept] = deque(maxlen=TAPE_LENGTH)
        # the window, oldest first from ``_head``: when it came, at what price (ticks), bought, sold
        self._times = array("d")
        self._ticks = array("q")
        self._buys = array("q")
        self._sells = array("q")
        self._columns = (self._times, self._ticks, self._buys, self._sells)
        self._head = 0
        self._at: dict[int, list[int]] = {}  # ticks -> [buy volume, sell volume, prints] in the window
        self.cleared_at = 0.0
        self.seq = 0  # prints ever added: the pane redraws when it moves

    def add(self, prints: Iterable[Print], now: float) -> None:
        tick = self.tick
        for p in prints:
            self.prints.append((p.time, p.price, p.size, p.side))
            self.seq += 1
            t = to_ticks(p.price, tick)
            buy = p.size if p.side > 0 else 0
            sell = p.size if p.side < 0 else 0
            self._times.append(now)
            self._ticks.append(t)
            self._buys.append(buy)
            self._sells.append(sell)
            at = self._at.get(t)
            if at is None:
                self._at[t] = [buy, sell, 1]
            else:
                at[0] += buy
                at[1] += sell
                at[2] += 1
        self.expire(now)

    def expire(self, now: float) -> None:
        """Forget what traded before the window."""
        times, at = self._times, self._at
        cutoff = now - self.window
        head, end = self._head, len(times)
        while head < end and times[head] < cutoff:
            t = self._ticks[head]
            level = at[t]
            level[0] -= self._buys[head]
            level[1] -= self._sells[head]
            level[2] -= 1
            if not level[2]:  # its last print (by count: a print of unknown side adds 0 / 0)
                del at[t]
            head += 1
        if head >= COMPACT_AT and head * 2 >= end:  # drop the expired front, now and then
            for column in self._columns:
                del column[:head]
            head = 0
        self._head = head

    def recent(self) -> dict[int, tuple[int, int]]:
        """Buyer- and seller-initiated volume at each price (in ticks) within the window."""
        return {t: (b, s) for t, (b, s, _) in self._at.items()}

    def clear(self, now: float) -> None:
        """Start the trades column afresh; the time & sales list keeps its history."""
        for column in self._columns:
            del column[:]
        self._head = 0
        self._at.clear()
        self.cleared_at = now
