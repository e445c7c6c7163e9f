"""Each instrument's trading and liquid hours, as TWS reports them in contract details and
answers ``reqHistoricalData(whatToShow="SCHEDULE")``.

Times are wall-clock times in the instrument's own time zone (the contract's ``timeZoneId``),
by trading day: US stocks trade 04:00-20:00 with regular hours 09:30-16:00; CME Globex
futures open the evening before (17:00-16:00 Central, regular 08:30-15:00); CBOT grains
19:00-13:20; FX 17:15-17:00 New York. Weekends are closed. The simulated market itself
trades around the clock (a demo at 3 a.m. still moves); these hours are what a client reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tui.sim.market.instruments import Instrument

HM = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Schedule:
    """One product's day: opens at ``opens`` (the evening before if ``overnight``), closes at
    ``closes``; regular (liquid) hours ``liquid``."""

    opens: HM
    closes: HM
    overnight: bool
    liquid: tuple[HM, HM]


STOCKS = Schedule((4, 0), (20, 0), False, ((9, 30), (16, 0)))
GLOBEX = Schedule((17, 0), (16, 0), True, ((8, 30), (15, 0)))
GLOBEX_EASTERN = Schedule((18, 0), (17, 0), True, ((9, 0), (14, 30)))  # NYMEX in New York time
GRAINS = Schedule((19, 0), (13, 20), True, ((8, 30), (13, 20)))
FX = Schedule((17, 15), (17, 0), True, ((17, 15), (17, 0)))
_GRAIN_SYMBOLS = frozenset({"ZC", "ZS", "ZW"})

Session = tuple[dt.datetime, dt.datetime, dt.date]  # start, end, the trading day it belongs to


def schedule(inst: Instrument) -> Schedule:
    c = inst.contract
    if c.sec_type == "CASH":
        return FX
    if c.sec_type == "FUT":
        if c.symbol in _GRAIN_SYMBOLS:
            return GRAINS
        return GLOBEX_EASTERN if inst.spec.time_zone == "US/Eastern" else GLOBEX
    return STOCKS


def sessions(inst: Instrument, first: dt.date, days: int, regular: bool = False) -> list[Session]:
    """The sessions of the trading days ``first`` .. ``first + days - 1`` (weekends have none)."""
    s = schedule(inst)
    out: list[Session] = []
    for i in range(days):
        day = first + dt.timedelta(days=i)
        if day.weekday() >= 5:
            continue
        if regular:
            (oh, om), (ch, cm) = s.liquid
            start_day = day - dt.timedelta(days=1) if s.liquid[0] > s.liquid[1] else day
        else:
            (oh, om), (ch, cm) = s.opens, s.closes
            start_day = day - dt.timedelta(days=1) if s.overnight else day
        out.append((dt.datetime.combine(start_day, dt.time(oh, om)), dt.datetime.combine(day, dt.time(ch, cm)), day))
    return out


def hours_text(inst: Instrument, today: dt.date, days: int = 7) -> tuple[str, str]:
    """(tradingHours, liquidHours) as TWS writes them: each session from its start
    (``20261122:1700-20261123:1600`` for a future's Monday), and ``20261128:CLOSED`` for a day
    no session touches."""

    def text(regular: bool) -> str:
        found = sessions(inst, today, days, regular)
        touched = {a.date() for a, _, _ in found} | {b.date() for _, b, _ in found}
        parts = [(a, f"{a:%Y%m%d:%H%M}-{b:%Y%m%d:%H%M}") for a, b, _ in found]
        parts += [(dt.datetime.combine(day, dt.time()), f"{day:%Y%m%d}:CLOSED")
                  for day in (today + dt.timedelta(days=i) for i in range(days)) if day not in touched]
        return ";".join(t for _, t in sorted(parts))

    return text(False), text(True)
