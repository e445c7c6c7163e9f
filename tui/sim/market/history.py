"""Historical bars, generated backwards from the current market.

The bars are a seeded random walk that ends at the instrument's current mark,
so a chart joins the live market without a gap.
"""

from __future__ import annotations

import random
import re
import time
import zlib

from tui.sim.market.book import InstrumentMarket

_BAR_SECONDS = {
    "sec": 1, "secs": 1, "min": 60, "mins": 60, "hour": 3600, "hours": 3600,
    "day": 86400, "days": 86400, "week": 604800, "weeks": 604800, "month": 2592000,
}
_DURATION_SECONDS = {"S": 1, "D": 86400, "W": 604800, "M": 2592000, "Y": 31536000}
MAX_BARS = 5000

Bar = tuple[str, float, float, float, float, int, float, int]


class HistoryError(ValueError):
    """A request TWS would answer with error 162 or 321."""


def bar_seconds(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+)\s+([a-zA-Z]+)\s*", text)
    if not m or m.group(2).lower() not in _BAR_SECONDS:
        raise HistoryError(f"Invalid bar size setting: {text!r}")
    return int(m.group(1)) * _BAR_SECONDS[m.group(2).lower()]


def duration_seconds(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+)\s+([SDWMY])\s*", text)
    if not m:
        raise HistoryError(f"Invalid duration: {text!r}")
    return int(m.group(1)) * _DURATION_SECONDS[m.group(2)]


def format_bar_time(epoch: float, bar: int, format_date: int) -> str:
    if format_date == 2:
        return str(int(epoch))
    if bar >= 86400:
        return time.strftime("%Y%m%d", time.gmtime(epoch))
    return time.strftime("%Y%m%d  %H:%M:%S", time.gmtime(epoch))


def histogram(mkt: InstrumentMarket, seed: int, end: float, period: str) -> list[tuple[float, int]]:
    """reqHistogramData: volume traded at each price over ``period`` ("3 days", "1 week", "2 months"),
    from the same history the bars give (5-minute bars, each bar's volume at its close)."""
    m = re.fullmatch(r"\s*(\d+)\s+(day|days|week|weeks|month|months)\s*", period.lower())
    if not m or int(m.group(1)) < 1:
        raise HistoryError(f"Invalid time period: {period!r} (say '3 days', '1 week' or '2 months')")
    unit = {"day": "D", "week": "W", "month": "M"}[m.group(2).rstrip("s")]
    volume: dict[float, int] = {}
    for bar in make_bars(mkt, seed, end, "5 mins", f"{m.group(1)} {unit}", 1):
        volume[bar[4]] = volume.get(bar[4], 0) + bar[5]
    return sorted(volume.items())


def make_bars(mkt: InstrumentMarket, seed: int, end: float, bar_size: str, duration: str,
              format_date: int) -> list[Bar]:
    bar = bar_seconds(bar_size)
    span = duration_seconds(duration)
    count = max(1, min(MAX_BARS, span // bar))
    rng = random.Random(seed ^ zlib.crc32(f"{mkt.inst.con_id}/{bar}".encode()))
    sigma = mkt.inst.volatility_ticks * (bar ** 0.5) * 0.8
    close = float(mkt.last)
    raw: list[tuple[float, float, float, float, int]] = []
    for _ in range(count):
        open_ = close - rng.gauss(0, sigma)
        high = max(open_, close) + abs(rng.gauss(0, sigma / 2))
        low = min(open_, close) - abs(rng.gauss(0, sigma / 2))
        volume = int(mkt.inst.lot * max(1.0, rng.expovariate(1 / (2 + bar ** 0.5))))
        raw.append((open_, high, low, close, volume))
        close = open_
    raw.reverse()
    start = int(end // bar * bar) - (count - 1) * bar
    bars: list[Bar] = []
    for i, (o, h, lo, c, v) in enumerate(raw):
        po, ph, pl, pc = (mkt.price(round(x)) for x in (o, h, lo, c))
        bars.append((format_bar_time(start + i * bar, bar, format_date), po, ph, pl, pc, v,
                     round((po + ph + pl + pc) / 4, 6), max(1, v // mkt.inst.lot)))
    return bars
