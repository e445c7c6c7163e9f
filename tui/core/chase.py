"""Chase: a limit that re-prices itself to the best bid (buy) or offer (sell) until it fills.

It follows the market away from it only: when the bid falls under a chasing buy, the buy is the
best bid there is (a feed that does not show one's own order makes the bid look lower), and
moving down would only spend modifies and the order's place in the queue.

Bounds, so that a chase never trips IB's pacing (error 100 at 50 messages a second) nor
its order-efficiency ratio (order messages per execution):
- one modify at a time: the next waits until the gateway reports the last one;
- at most ``PER_SECOND`` modifies a second per chase;
- at most ``max_ticks`` modifies in all, and never further than ``max_ticks`` from where it
  started on the expensive side; then it stops chasing and rests where it is (said once).
So one chase costs at most 1 + ``max_ticks`` order messages before its fill.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.events import MarketUpdate
from tui.core.prices import to_ticks

PER_SECOND = 4


@dataclass(slots=True)
class Chase:
    """One chasing order: where it started and what it has sent."""

    order_id: int
    buy: bool
    start: int  # ticks
    max_ticks: int
    sent: int  # the limit last sent, in ticks
    moves: int = 0
    last_move: float = 0.0
    stopped: str = ""  # why it no longer chases

    def next_price(self, market: MarketUpdate, tick: float, acknowledged: int | None,
                   now: float) -> int | None:
        """The limit (ticks) to move to now, or None to wait. ``acknowledged`` is the limit the
        gateway reports for the order (None: not yet reported)."""
        if self.stopped or acknowledged != self.sent or now - self.last_move < 1 / PER_SECOND:
            return None
        best = market.bid if self.buy else market.ask
        if not best:
            return None
        target = to_ticks(best, tick)
        if (target - self.sent) * (1 if self.buy else -1) <= 0:
            return None  # the market came to it, or stayed: it is the best price already
        adverse = (target - self.start) * (1 if self.buy else -1)
        if adverse > self.max_ticks:
            self.stopped = (f"the market ran more than {self.max_ticks} tick{'s' if self.max_ticks != 1 else ''} "
                            "from where it started")
            return None
        if self.moves >= self.max_ticks:
            self.stopped = f"it was re-priced {self.moves} times"
            return None
        self.moves += 1
        self.sent = target
        self.last_move = now
        return target
