"""Live 5-second bars (reqRealTimeBars) built from every step of an instrument's book."""

from __future__ import annotations

from dataclasses import dataclass

from tui.sim.market.book import InstrumentMarket

BAR_SECONDS = 5
KINDS = ("TRADES", "MIDPOINT", "BID", "ASK")


@dataclass(slots=True)
class LiveBar:
    """One bar: its start (epoch seconds), OHLC in ticks, volume, volume-weighted ticks, trade count."""

    start: int
    open: float
    high: float
    low: float
    close: float
    volume: int = 0
    turnover: float = 0.0  # sum of price x size, for the WAP
    count: int = 0

    def add(self, value: float, size: int = 0) -> None:
        self.high = max(self.high, value)
        self.low = min(self.low, value)
        self.close = value
        if size:
            self.volume += size
            self.turnover += value * size
            self.count += 1

    @property
    def wap(self) -> float:
        return self.turnover / self.volume if self.volume else self.close


class LiveBars:
    """The bar being built and the last finished one, per kind, of one instrument."""

    def __init__(self) -> None:
        self.building: dict[str, LiveBar] = {}
        self.finished: dict[str, LiveBar] = {}

    def observe(self, mkt: InstrumentMarket, now: float) -> None:
        """After a step: fold its trades (TRADES) and its quote (the others) into the bars."""
        start = int(now) // BAR_SECONDS * BAR_SECONDS
        quote = {"MIDPOINT": (mkt.bid + mkt.ask) / 2, "BID": float(mkt.bid), "ASK": float(mkt.ask)}
        for kind in KINDS:
            bar = self.building.get(kind)
            if bar is not None and bar.start != start:
                self.finished[kind] = bar
                bar = None
            if kind == "TRADES":
                if bar is None:
                    last = float(mkt.last)
                    bar = self.building[kind] = LiveBar(start, last, last, last, last)
                for t in mkt.trades:
                    bar.add(float(t.price), t.size)
            else:
                value = quote[kind]
                if bar is None:
                    self.building[kind] = LiveBar(start, value, value, value, value)
                else:
                    bar.add(value)
