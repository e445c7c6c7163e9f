"""The price ladder as rows of plain values, one per tick (the widget only paints them)."""

from __future__ import annotations

import math
from typing import NamedTuple

from tui.core.events import MarketUpdate
from tui.core.orders import OrderRecord
from tui.core.ordertypes import type_letter
from tui.core.prices import format_price, from_ticks, tick_decimals, to_ticks
from tui.core.words import plain_quantity

BEST_BID, BEST_ASK, LAST, CURSOR, AVG, SELECTED, IN_SPREAD = 1, 2, 4, 8, 16, 32, 64


class LadderRow(NamedTuple):
    """One price row of the ladder, as drawn (hashable: the widget caches rows by value). A named
    tuple: a ladder makes a screenful of them for every market update of its instrument and
    compares each with the last; here one is made in 0.4 us and compared in 0.08, against 1.8
    and 0.4 for a frozen dataclass (``timeit``, the 2-CPU machine class)."""

    ticks: int
    price: str
    bid_size: int
    ask_size: int
    buys: str
    sells: str
    volume: int
    flags: int
    traded_buy: int = 0  # recent buyer-initiated volume at this price (the trades column)
    traded_sell: int = 0


def short_number(ahead: float) -> str:
    """A quantity in at most four characters, never shown as more than it is: ``0``, ``85``,
    ``1.2k``, ``9.9k`` (for 9,990: rounded, ``10.0k`` would take five), ``15k``, ``2.5M``."""
    n = round(ahead)
    if n < 1000:
        return str(n)
    for unit in "kMGT":
        if n < 10_000:
            return f"{n // 100 / 10:.1f}{unit}"
        if n < 1_000_000 or unit == "T":
            return f"{min(n // 1000, 999)}{unit}"
        n //= 1000
    raise AssertionError("unreachable")


# a full bar's size steps by about a quarter (Renard's R10 series): the largest size in view
# always fills at least four of a bar's five cells
BAR_STEPS = (1.0, 1.25, 1.6, 2.0, 2.5, 3.2, 4.0, 5.0, 6.4, 8.0)


def bar_scale(largest: int) -> int:
    """The size a full depth bar stands for: the first step of ``BAR_STEPS`` (times a power of
    ten, rounded up) not below ``largest``. A busy book's largest size changes nearly every
    frame, and every row's bar with it; a stepped scale changes only when sizes cross a step,
    so rows stay painted."""
    decade = 1
    while True:
        for step in BAR_STEPS:
            scale = math.ceil(step * decade)
            if scale >= largest:
                return scale
        decade *= 10


def size_text(size: int, width: int, grouped: bool = False) -> str:
    """A size in a column ``width`` wide: as it is when it fits (``grouped``: ``1,000,000``), else
    in four characters (an FX book's 36,000,000 as ``36M``)."""
    text = f"{size:,}" if grouped else str(size)
    return text if len(text) <= width else short_number(size)


def mark_quantity(q: float) -> str:
    """An order's quantity in the ladder's narrow order column: in full up to four characters,
    else short (``250k``, ``1.2M``), never in Python's ``2.5e+05``."""
    text = plain_quantity(q, grouped=False)
    return text if len(text) <= 4 else short_number(q)


def order_marks(orders: list[OrderRecord], tick: float,
                ahead: dict[int, float] | None = None) -> dict[int, tuple[str, str]]:
    """Working orders by price: ``{ticks: (buys text, sells text)}`` such as ``2L`` or ``1L+3S``;
    with queue positions, the least ahead of my orders there after a dot: ``2L·85``."""
    acc: dict[int, tuple[dict[str, float], dict[str, float]]] = {}
    first: dict[tuple[int, bool], float] = {}
    for rec in orders:
        price = rec.price  # the one rule the cursor keys use too
        if price is None:
            continue
        t = to_ticks(price, tick)
        buys, sells = acc.setdefault(t, ({}, {}))
        side = buys if rec.buy else sells
        letter = type_letter(rec.order_type)
        side[letter] = side.get(letter, 0.0) + rec.remaining
        place = ahead.get(rec.order_id) if ahead else None
        if place is not None:
            key = (t, rec.buy)
            first[key] = min(place, first.get(key, place))
    out = {}
    for t, (buys, sells) in acc.items():
        texts = []
        for buy, side in ((True, buys), (False, sells)):
            text = "+".join(f"{mark_quantity(q)}{k}" for k, q in side.items())
            if (t, buy) in first:
                text += "·" + short_number(first[(t, buy)])
            texts.append(text)
        out[t] = (texts[0], texts[1])
    return out


def build_rows(top: int, count: int, tick: float, market: MarketUpdate | None,
               marks: dict[int, tuple[str, str]], cursor: int, avg: int | None,
               selected: frozenset[int] = frozenset(),
               traded: dict[int, tuple[int, int]] | None = None) -> list[LadderRow]:
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
    decimals = tick_decimals(tick)
    texts = _price_texts(tick)
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
        bought, sold = traded.get(t, (0, 0)) if traded else (0, 0)
        price = texts.get(t)
        if price is None:
            price = texts[t] = format_price(from_ticks(t, tick, decimals), tick)
        rows.append(LadderRow(t, price, bids.get(t, 0), asks.get(t, 0), buys, sells, vap.get(t, 0),
                              flags, bought, sold))
    return rows


_PRICE_TEXTS: dict[float, dict[int, str]] = {}  # by tick size: each grid price's text


def _price_texts(tick: float) -> dict[int, str]:
    """Printed prices of one grid by tick count, kept as the ladder asks for them: a frame's rows
    are mostly the last frame's prices. Bounded: a market that runs far clears it."""
    texts = _PRICE_TEXTS.get(tick)
    if texts is None or len(texts) > 4096:
        texts = _PRICE_TEXTS[tick] = {}
    return texts


def mid_ticks(market: MarketUpdate | None, tick: float) -> int | None:
    if market is None:
        return None
    if market.bid and market.ask:
        return (to_ticks(market.bid, tick) + to_ticks(market.ask, tick)) // 2
    price = market.last or market.bid or market.ask or market.close
    return to_ticks(price, tick) if price else None
