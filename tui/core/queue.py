"""Queue position: an estimate of the quantity ahead of each of my resting limit orders.

The model, per order, from what the market data shows at the order's price:
- When the gateway first reports the order resting (Submitted), everything displayed at its
  price on its side is ahead of it: I joined the back of the queue.
- A trade at that price takes from the front: ahead falls by its size.
- When the displayed size at that price falls by more than traded there, the rest were
  cancellations, and a share of them was ahead of me: ``cancelled × weight × ahead /
  displayed`` (weight 1: orders ahead cancel as often as orders behind; 0: cancels are
  always behind me, the cautious view). The weight is ``ladder.queue_cancel_weight``.
- Size joining the price is behind me and changes nothing.
- Modified (another price or quantity): back of the queue, counted again.
Ahead never goes below zero; it is an estimate (an exchange tells nobody their place),
and it knows only what the feed shows: with L1 only, the best bid and offer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tui.core.events import MarketUpdate
from tui.core.ordertypes import has_limit, has_stop
from tui.core.orders import OrderRecord
from tui.core.prices import to_ticks


@dataclass(slots=True)
class Place:
    """Where one order stands: its price and quantity when counted, and what is ahead."""

    con_id: int
    ticks: int
    quantity: float
    ahead: float
    displayed: int  # displayed at its price when last seen


def displayed(market: MarketUpdate, buy: bool, tick: float) -> dict[int, int]:
    """The size the feed shows at each price (in ticks) on one side: the book if there is one,
    and the best price from L1 where the book does not have it."""
    shown = {to_ticks(price, tick): size for price, size in (market.bids if buy else market.asks)}
    best, size = (market.bid, market.bid_size) if buy else (market.ask, market.ask_size)
    if best:
        shown.setdefault(to_ticks(best, tick), size)
    return shown


def resting_limit(rec: OrderRecord) -> bool:
    """A limit order the gateway says is resting (a stop-limit only once triggered)."""
    return (rec.status == "Submitted" and has_limit(rec.order_type) and rec.lmt_price is not None
            and (not has_stop(rec.order_type) or rec.triggered))


class QueueModel:
    """Places in the queue of every resting limit order, updated per market update."""

    def __init__(self, cancel_weight: float = 1.0) -> None:
        self.cancel_weight = cancel_weight
        self.places: dict[int, Place] = {}

    def ahead(self, order_id: int) -> float | None:
        place = self.places.get(order_id)
        return place.ahead if place is not None else None

    def update(self, market: MarketUpdate, orders: Iterable[OrderRecord], tick: float,
               prints: bool = True) -> None:
        """Fold one instrument's update into the places of its orders (and forget the others);
        ``prints=False``: an update seen before, its trades already counted."""
        traded: dict[int, int] = {}
        if prints and any(resting_limit(r) for r in orders):
            for p in market.prints:
                t = to_ticks(p.price, tick)
                traded[t] = traded.get(t, 0) + p.size
        seen = set()
        sides: dict[bool, dict[int, int]] = {}  # each side's sizes by price, made once an update
        for rec in orders:
            if not resting_limit(rec):
                continue
            assert rec.lmt_price is not None
            seen.add(rec.order_id)
            t = to_ticks(rec.lmt_price, tick)
            book = sides.get(rec.buy)
            if book is None:
                book = sides[rec.buy] = displayed(market, rec.buy, tick)
            shown = book.get(t, 0)
            place = self.places.get(rec.order_id)
            if place is None or place.ticks != t or place.quantity != rec.quantity:
                self.places[rec.order_id] = Place(market.con_id, t, rec.quantity, float(shown), shown)
                continue
            ahead = place.ahead - traded.get(t, 0)
            cancelled = place.displayed - shown - traded.get(t, 0)
            if cancelled > 0 and place.displayed > 0 and ahead > 0:
                ahead -= cancelled * min(1.0, self.cancel_weight * ahead / place.displayed)
            place.ahead = max(0.0, min(ahead, float(shown)))
            place.displayed = shown
        for order_id in [i for i, p in self.places.items() if p.con_id == market.con_id and i not in seen]:
            del self.places[order_id]  # filled, cancelled or no longer resting

    def forget(self, order_id: int) -> None:
        self.places.pop(order_id, None)
