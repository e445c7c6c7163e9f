"""Open or closed, from IB's trading-hours text in the contract's time zone."""

from __future__ import annotations

import datetime as dt

from tui.core.hours import is_open

HOURS = "20261123:0400-20261123:2000;20261124:0400-20261124:2000;20261128:CLOSED"


def at(text: str, tz: str = "America/New_York") -> float:
    import zoneinfo
    return dt.datetime.strptime(text, "%Y%m%d %H:%M").replace(tzinfo=zoneinfo.ZoneInfo(tz)).timestamp()


def test_inside_and_outside_a_session_in_the_contracts_time_zone() -> None:
    assert is_open(HOURS, "US/Eastern", at("20261123 09:30")) is True
    assert is_open(HOURS, "US/Eastern", at("20261123 21:00")) is False
    assert is_open(HOURS, "US/Eastern", at("20261123 03:59")) is False
    # the same text in Central time: 04:30 New York is 03:30 Chicago, before that session opens
    assert is_open(HOURS, "US/Central", at("20261123 04:30")) is False
    assert is_open(HOURS, "US/Central", at("20261123 05:30")) is True


def test_it_does_not_guess() -> None:
    assert is_open("", "US/Eastern", at("20261123 09:30")) is None
    assert is_open(HOURS, "Mars/Olympus", at("20261123 09:30")) is None
    assert is_open(HOURS, "US/Eastern", at("20261230 09:30")) is None, "beyond the hours given"
    assert is_open("garbage;20261123:0400", "US/Eastern", at("20261123 09:30")) is None
