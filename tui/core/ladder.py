"""The price ladder as rows of plain values, one per tick (the widget only paints them)."""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.events import MarketUpdate
from tui.core.orders import OrderRecord
from tui.core.ordertypes import type_letter
from tui.core.prices import format_price, from_ticks, to_ticks

BEST_BID, BEST_ASK, LAST, CURSOR, AVG, SELECTED, IN_SPREAD = 1, 2, 4, 8, 16, 32, 64


@dataclass(frozen=True, slots=True)
class LadderRow:
    """One price row of the ladder, as drawn (hashable: the widget caches rows by value)."""

    ticks: int
    price: str
    bid_size: int
    ask_size: int
    buys: str
    sells: str
    volume: int
    flags: int


def order_marks(orders: list[OrderRecord], tick: float) -> dict[int, tuple[str, str]]:
    """Working orders by price: ``{ticks: (buys text, sells text)}`` such as ``2L`` or ``1L+3S``."""
    acc: dict[int, tuple[dict[str, float], dict[str, float]]] = {}
    for rec in orders:
        price = rec.price  # the one rule the cursor keys use too
        if price is None:
            continue
        t = to_ticks(price, tick)
        buys, sells = acc.setdefault(t, ({}, {}))
        side = buys if rec.buy else sells
        letter = type_letter(rec.order_type)
        side[letter] = side.get(letter, 0.0) + rec.remaining
    out = {}
    for t, (buys, sells) in acc.items():
        out[t] = ("+".join(f"{q:g}{k}" for k, q in buys.items()),
                  "+".join(f"{q:g}{k}" for k, q in sells.items()))
    return out


def build_rows(top: int, count: int, tick: float, market: MarketUpdate | None,
               marks: dict[int, tuple[str, str]], cursor: int, avg: int | None,
               selected: frozenset[int] = frozenset()) -> list[LadderRow]:
    """``count`` rows from the price ``top`` (in ticks) downwards."""
    bids: dict[int, int] = {}
    asks: dict[int, int] = {}
    vap: dict[int, int] = {}
    best_bid = best_ask = last = None
    if market is not None:
        if market.has_depth:
            for p, s in market.bids:
                bids[to_ticks(p, tick)] = s
            for p, s in market.asks:
                asks[to_ticks(p, tick)] = s
        if market.bid:
            best_bid = to_ticks(market.bid, tick)
            bids.setdefault(best_bid, market.bid_size)
        if market.ask:
            best_ask = to_ticks(market.ask, tick)
            asks.setdefault(best_ask, market.ask_size)
        if market.last:
            last = to_ticks(market.last, tick)
        for p, v in market.volume_at_price:
            t = to_ticks(p, tick)
            vap[t] = vap.get(t, 0) + v
    rows = []
    for i in range(count):
        t = top - i
        flags = 0
        if t == best_bid:
            flags |= BEST_BID
        if t == best_ask:
            flags |= BEST_ASK
        if t == last:
            flags |= LAST
        if t == cursor:
            flags |= CURSOR
        if t == avg:
            flags |= AVG
        if t in selected:
            flags |= SELECTED
        if best_bid is not None and best_ask is not None and best_bid < t < best_ask:
            flags |= IN_SPREAD
        buys, sells = marks.get(t, ("", ""))
        rows.append(LadderRow(t, format_price(from_ticks(t, tick), tick), bids.get(t, 0),
                              asks.get(t, 0), buys, sells, vap.get(t, 0), flags))
    return rows


def mid_ticks(market: MarketUpdate | None, tick: float) -> int | None:
    if market is None:
        return None
    if market.bid and market.ask:
        return (to_ticks(market.bid, tick) + to_ticks(market.ask, tick)) // 2
    price = market.last or market.bid or market.ask or market.close
    return to_ticks(price, tick) if price else None
