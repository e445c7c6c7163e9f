"""The synthetic market: one depth book per instrument on its tick grid.

A hidden fair value walks in simulated time; the book follows it through
quote improvements, size changes, cancels and trades, so every change a
client sees is one a real book could make. All randomness comes from one
seeded generator per instrument, so the same seed gives the same market.
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass

from tui.core.prices import from_ticks, tick_decimals, to_ticks
from tui.sim.market.instruments import Instrument

DEPTH = 20  # levels kept per side; clients may ask for fewer
BID, ASK = 1, 0  # TWS's side codes in updateMktDepth
_SIZE_STEPS = (-2, -1, 1, 2)  # lots a level's size moves by in one event


@dataclass(slots=True)
class Trade:
    """One print: price in ticks, size, and whether a buyer lifted the offer."""

    price: int  # ticks
    size: int
    aggressor_buy: bool


class InstrumentMarket:
    """The live book, last trade and session statistics of one instrument."""

    __slots__ = (
        "inst", "rng", "tick", "decimals", "bids", "asks", "fair", "fair_time",
        "last", "last_size", "volume", "open", "high", "low", "close", "trades",
        "_lot", "con_id", "_texts",
    )

    def __init__(self, inst: Instrument, seed: int, now: float) -> None:
        self.inst = inst
        self.con_id = inst.con_id
        self._texts: dict[int, str] = {}  # price text by tick index (the feed's hot path)
        self.rng = random.Random(seed ^ zlib.crc32(inst.contract.symbol.encode()))
        self.tick = inst.tick
        self.decimals = tick_decimals(inst.tick)
        self._lot = inst.lot
        mid = to_ticks(inst.start_price, inst.tick)
        self.fair = float(mid)
        self.fair_time = now
        self.bids: list[list[int]] = [[mid - 1 - i, self._size(i)] for i in range(DEPTH)]
        self.asks: list[list[int]] = [[mid + i, self._size(i)] for i in range(DEPTH)]
        self.last = mid
        self.last_size = self._lot
        self.volume = 0
        self.open = mid
        self.high = mid
        self.low = mid
        self.close = mid - round(self.rng.gauss(0, 40 * inst.volatility_ticks))
        self.trades: list[Trade] = []  # trades of the current step

    # --- prices -------------------------------------------------------------
    def price(self, ticks: int) -> float:
        return from_ticks(ticks, self.tick, self.decimals)

    def price_text(self, ticks: int) -> str:
        """``str(self.price(ticks))``, remembered: a book quotes the same few hundred prices."""
        text = self._texts.get(ticks)
        if text is None:
            if len(self._texts) >= 4096:  # a long walk: forget the old range
                self._texts.clear()
            text = self._texts[ticks] = str(from_ticks(ticks, self.tick, self.decimals))
        return text

    @property
    def bid(self) -> int:
        return self.bids[0][0]

    @property
    def ask(self) -> int:
        return self.asks[0][0]

    @property
    def mark(self) -> float:
        """The price positions are valued at: the last trade inside the spread, else the mid."""
        if self.bid <= self.last <= self.ask:
            return self.price(self.last)
        return self.price(self.bid) / 2 + self.price(self.ask) / 2

    # --- evolution ----------------------------------------------------------
    def _size(self, level: int) -> int:
        # deeper levels hold more, as in a real book
        lots = max(1, int(self.rng.expovariate(1.0) * (2 + level * 0.6)) + 1)
        return lots * self._lot

    def advance_fair(self, now: float) -> None:
        """Walk the hidden fair value by the simulated time elapsed."""
        dt = now - self.fair_time
        if dt <= 0:
            return
        self.fair_time = now
        sigma = self.inst.volatility_ticks * math.sqrt(min(dt, 5.0) * 4)
        self.fair += self.rng.gauss(0, sigma)
        # a gentle pull towards the start keeps a long session in a sane range
        anchor = to_ticks(self.inst.start_price, self.tick)
        self.fair += (anchor - self.fair) * 0.0005

    def step(self) -> None:
        """One market event: the book moves, and any trades are left in ``trades``."""
        rng = self.rng
        bid, ask = self.bids[0][0], self.asks[0][0]
        mid2 = bid + ask  # twice the mid, in ticks
        fair2 = 2 * self.fair
        r = rng.random()
        if fair2 - mid2 > 1.5 and r < 0.6:
            if ask - bid > 1:
                self._improve(self.bids, bid + 1)
            elif fair2 - mid2 > 6 and r < 0.3:
                self.remove_top(self.asks)  # quotes fade ahead of a fast move
            else:
                self._trade(buy=True)
        elif mid2 - fair2 > 1.5 and r < 0.6:
            if ask - bid > 1:
                self._improve(self.asks, ask - 1)
            elif mid2 - fair2 > 6 and r < 0.3:
                self.remove_top(self.bids)
            else:
                self._trade(buy=False)
        elif ask - bid > 1 and r < 0.5:
            if rng.random() < 0.5:
                self._improve(self.bids, bid + 1)
            else:
                self._improve(self.asks, ask - 1)
        elif r < 0.82:
            side = self.bids if rng.random() < 0.5 else self.asks
            level = min(DEPTH - 1, int(rng.expovariate(0.35)))
            row = side[level]
            # sizes wander around a level's typical depth instead of drifting away
            lot = self._lot
            typical = lot * (3 + level)
            size = row[1]
            pull = -1 if size > 2 * typical else (1 if size < typical // 2 else 0)
            row[1] = max(lot, size + lot * (rng.choice(_SIZE_STEPS) + pull))
        else:
            self._trade(buy=rng.random() < 0.5)

    def _improve(self, side: list[list[int]], price: int) -> None:
        side.insert(0, [price, self._size(0)])
        del side[DEPTH:]

    def _trade(self, buy: bool) -> None:
        side = self.asks if buy else self.bids
        top = side[0]
        size = min(top[1], self._lot * max(1, int(self.rng.expovariate(0.7)) + 1))
        self.record_trade(top[0], size, buy)
        top[1] -= size
        if top[1] <= 0:
            self.remove_top(side)

    def remove_top(self, side: list[list[int]]) -> None:
        """The best level is gone: drop it and refill the far end."""
        del side[0]
        step = 1 if side is self.asks else -1
        side.append([side[-1][0] + step, self._size(DEPTH - 1)])

    def record_trade(self, price: int, size: int, buy: bool) -> None:
        self.trades.append(Trade(price, size, buy))
        self.last = price
        self.last_size = size
        self.volume += size
        if price > self.high:
            self.high = price
        if price < self.low:
            self.low = price

    def take(self, buy: bool, quantity: int, limit: int | None,
             max_levels: int = 200) -> list[tuple[int, int]]:
        """Consume liquidity for an order: ``[(price_ticks, qty), ...]`` best first.

        At most ``max_levels`` levels are swept, so an absurd size cannot walk
        the price to nothing; the caller decides what happens to the rest.
        """
        side = self.asks if buy else self.bids
        fills: list[tuple[int, int]] = []
        quantity = int(quantity)  # book sizes stay integers: ibapi parses sizes with int()
        while quantity > 0 and len(fills) < max_levels:
            price, size = side[0]
            if limit is not None and (price > limit if buy else price < limit):
                break
            qty = min(size, quantity)
            fills.append((price, qty))
            self.record_trade(price, qty, buy)
            quantity -= qty
            side[0][1] -= qty
            if side[0][1] <= 0:
                self.remove_top(side)
        return fills

    def available(self, buy: bool, limit: int | None, max_levels: int = 200) -> int:
        """The quantity an order could take now at ``limit`` or better (``take`` without taking)."""
        side = self.asks if buy else self.bids
        total = 0
        for price, size in side[:max_levels]:
            if limit is not None and (price > limit if buy else price < limit):
                break
            total += size
        return total

    def depth_rows(self, side: int, rows: int) -> list[tuple[int, int]]:
        book = self.bids if side == BID else self.asks
        return [(p, s) for p, s in book[:rows]]
