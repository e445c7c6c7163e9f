"""Whether an instrument's market is open now, from the trading hours IB gives in its contract
details: ``20261123:0930-20261123:1600;20261128:CLOSED``, wall-clock times in the contract's
``timeZoneId``."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache


@lru_cache(maxsize=64)
def _zone(name: str) -> dt.tzinfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=256)
def sessions(hours: str, tz: str) -> tuple[tuple[float, float], ...]:
    """The open sessions as (start, end) epoch seconds; unreadable parts are left out."""
    zone = _zone(tz)
    if zone is None or not hours:
        return ()
    out = []
    for part in hours.split(";"):
        if "CLOSED" in part or "-" not in part:
            continue
        start, _, end = part.partition("-")
        try:
            a = dt.datetime.strptime(start, "%Y%m%d:%H%M").replace(tzinfo=zone)
            b = dt.datetime.strptime(end, "%Y%m%d:%H%M").replace(tzinfo=zone)
        except ValueError:
            continue
        out.append((a.timestamp(), b.timestamp()))
    return tuple(out)


def is_open(hours: str, tz: str, now: float) -> bool | None:
    """True inside a session, False outside every session the hours cover, None when the hours
    say nothing about ``now`` (none given, an unknown time zone, or ``now`` beyond them)."""
    found = sessions(hours, tz)
    if not found or not found[0][0] - 86400 <= now <= max(b for _, b in found) + 86400:
        return None
    return any(a <= now < b for a, b in found)
