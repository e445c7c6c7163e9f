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
from math import log as _log
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
        # levels best first, each (price in ticks, size): replaced, never changed in place, so
        # a slice of a side is a snapshot (the feed diffs the depth it last sent against one)
        self.bids: list[tuple[int, int]] = [(mid - 1 - i, self._size(i)) for i in range(DEPTH)]
        self.asks: list[tuple[int, int]] = [(mid + i, self._size(i)) for i in range(DEPTH)]
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
        # deeper levels hold more, as in a real book (an exponential draw, as rng.expovariate(1.0))
        lots = int(-_log(1.0 - self.rng.random()) * (2 + level * 0.6)) + 1  # the draw is >= 0
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
        """One market event: the book moves, and any trades are left in ``trades``.

        The gateway's hottest code (one call per event, over a hundred thousand a second at its
        maximum): the draws are written out rather than called through ``Random``'s helpers,
        each taking what ``expovariate`` or ``choice`` would take from the generator and giving
        the same number, so a seed still gives the market it gave before."""
        random = self.rng.random
        bids, asks = self.bids, self.asks
        bid, ask = bids[0][0], asks[0][0]
        gap = 2 * self.fair - (bid + ask)  # fair minus mid, in half ticks
        r = random()
        if gap > 1.5 and r < 0.6:
            if ask - bid > 1:
                self._improve(bids, bid + 1)
            elif gap > 6 and r < 0.3:
                self.remove_top(asks)  # quotes fade ahead of a fast move
            else:
                self._trade(True)
        elif gap < -1.5 and r < 0.6:
            if ask - bid > 1:
                self._improve(asks, ask - 1)
            elif gap < -6 and r < 0.3:
                self.remove_top(bids)
            else:
                self._trade(False)
        elif ask - bid > 1 and r < 0.5:
            if random() < 0.5:
                self._improve(bids, bid + 1)
            else:
                self._improve(asks, ask - 1)
        elif r < 0.82:
            side = bids if random() < 0.5 else asks
            level = int(-_log(1.0 - random()) / 0.35)
            if level >= DEPTH:
                level = DEPTH - 1
            price, size = side[level]
            # sizes wander around a level's typical depth instead of drifting away
            lot = self._lot
            typical = lot * (3 + level)
            pull = -1 if size > 2 * typical else (1 if size < typical // 2 else 0)
            bits = self.rng.getrandbits  # rng.choice(_SIZE_STEPS): 3 bits until one below 4
            k = bits(3)
            while k >= 4:
                k = bits(3)
            size += lot * (_SIZE_STEPS[k] + pull)
            side[level] = (price, size if size > lot else lot)
        else:
            self._trade(random() < 0.5)

    def _improve(self, side: list[tuple[int, int]], price: int) -> None:
        side.insert(0, (price, self._size(0)))
        del side[DEPTH:]

    def _trade(self, buy: bool) -> None:
        side = self.asks if buy else self.bids
        price, there = side[0]
        lots = int(-_log(1.0 - self.rng.random()) / 0.7) + 1  # rng.expovariate(0.7), at least 1
        size = min(there, self._lot * lots)
        self.record_trade(price, size, buy)
        if there > size:
            side[0] = (price, there - size)
        else:
            self.remove_top(side)

    def remove_top(self, side: list[tuple[int, int]]) -> None:
        """The best level is gone: drop it and refill the far end."""
        del side[0]
        step = 1 if side is self.asks else -1
        side.append((side[-1][0] + step, self._size(DEPTH - 1)))

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
            if size > qty:
                side[0] = (price, size - qty)
            else:
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
        return book[:rows]  # levels are tuples: the slice is a snapshot
