"""The tape of one instrument: time and sales, and what traded at each price lately.

Prints arrive from the hand-off with their aggressor side (+1 buyer, -1 seller, 0 not
known). ``recent`` sums them by price over a rolling window, buyers and sellers apart,
for the ladder's trades column; ``clear`` starts the window afresh (the trader's key).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from tui.core.events import Print
from tui.core.prices import to_ticks

TAPE_LENGTH = 1000  # prints kept for the time & sales pane
# A kept print is a plain (time, price, size, side) tuple: the garbage collector stops tracking a
# tuple of numbers, so a thousand long-lived prints cost a full collection nothing (Print objects
# would be scanned at every one, and a busy tape promotes them by the thousand).
Kept = tuple[float, float, int, int]


class Tape:
    """Time & sales and the rolling per-price volume of one instrument."""

    def __init__(self, tick: float, window: float) -> None:
        self.tick = tick
        self.window = window
        self.prints: deque[Kept] = deque(maxlen=TAPE_LENGTH)
        self._window: deque[tuple[float, int, int, int]] = deque()  # (time, ticks, buy qty, sell qty)
        self._at: dict[int, list[int]] = {}  # ticks -> [buy volume, sell volume] in the window
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
            self._window.append((now, t, buy, sell))
            at = self._at.get(t)
            if at is None:
                self._at[t] = [buy, sell]
            else:
                at[0] += buy
                at[1] += sell
        self.expire(now)

    def expire(self, now: float) -> None:
        """Forget what traded before the window."""
        window, at = self._window, self._at
        cutoff = now - self.window
        while window and window[0][0] < cutoff:
            _, t, buy, sell = window.popleft()
            level = at[t]
            level[0] -= buy
            level[1] -= sell
            if level[0] <= 0 and level[1] <= 0:
                del at[t]

    def recent(self) -> dict[int, tuple[int, int]]:
        """Buyer- and seller-initiated volume at each price (in ticks) within the window."""
        return {t: (b, s) for t, (b, s) in self._at.items()}

    def clear(self, now: float) -> None:
        """Start the trades column afresh; the time & sales list keeps its history."""
        self._window.clear()
        self._at.clear()
        self.cleared_at = now
