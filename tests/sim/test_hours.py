"""Each instrument's trading and liquid hours, as TWS writes them."""

from __future__ import annotations

import datetime as dt

from tui.sim.market.hours import hours_text, sessions
from tui.sim.market.instruments import build_catalogue
from tui.sim.market.universe import universe

MONDAY = dt.date(2026, 11, 23)
BY_SYMBOL = {i.contract.local_symbol: i for i in build_catalogue(MONDAY) + universe(MONDAY)}


def test_a_stock_trades_extended_hours_with_regular_hours_inside_and_weekends_closed() -> None:
    trading, liquid = hours_text(BY_SYMBOL["AAPL"], MONDAY)
    days = trading.split(";")
    assert days[0] == "20261123:0400-20261123:2000" and len(days) == 7
    assert days[5:] == ["20261128:CLOSED", "20261129:CLOSED"]
    assert liquid.split(";")[0] == "20261123:0930-20261123:1600"


def test_futures_open_the_evening_before_and_grains_keep_their_own_session() -> None:
    es = next(i for i in BY_SYMBOL.values() if i.contract.symbol == "ES")
    trading, liquid = hours_text(es, MONDAY)
    assert trading.startswith("20261122:1700-20261123:1600;20261123:1700-20261124:1600;")
    assert liquid.startswith("20261123:0830-20261123:1500;")
    corn = next(i for i in BY_SYMBOL.values() if i.contract.symbol == "ZC")
    assert hours_text(corn, MONDAY)[0].startswith("20261122:1900-20261123:1320;")


def test_fx_trades_round_the_clock_on_weekdays() -> None:
    trading, liquid = hours_text(BY_SYMBOL["EUR.USD"], MONDAY)
    assert trading.startswith("20261122:1715-20261123:1700;") and trading == liquid


def test_sessions_skip_weekends_and_name_their_trading_day() -> None:
    found = sessions(BY_SYMBOL["AAPL"], dt.date(2026, 11, 20), 4, regular=True)  # Fri .. Mon
    assert [(a.strftime("%a %H:%M"), b.strftime("%H:%M"), ref.isoformat()) for a, b, ref in found] == [
        ("Fri 09:30", "16:00", "2026-11-20"), ("Mon 09:30", "16:00", "2026-11-23")]


def test_a_day_whose_session_starts_in_the_evening_is_not_closed() -> None:
    es = next(i for i in BY_SYMBOL.values() if i.contract.symbol == "ES")
    saturday = dt.date(2026, 11, 21)
    trading, _ = hours_text(es, saturday)
    assert trading.startswith("20261121:CLOSED;20261122:1700-20261123:1600;"), trading
    assert "20261122:CLOSED" not in trading
