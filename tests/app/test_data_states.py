"""Data states on the screen: CLOSED (quiet, outside the instrument's trading hours) versus STALE."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from tests.app.harness import make_app, ready
from tui.widgets.ladder import Ladder


async def test_a_quiet_market_outside_its_hours_is_closed_not_stale(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        desk = app.desk
        spec = app.ladder_spec
        assert spec.trading_hours and spec.time_zone == "US/Central"
        quiet = desk.limits.stale_data_seconds + 1
        sessions = [p for p in spec.trading_hours.split(";") if "CLOSED" not in p]
        start = sessions[0].split("-")[0]
        opened = dt.datetime.strptime(start, "%Y%m%d:%H%M").replace(
            tzinfo=zoneinfo.ZoneInfo("US/Central")).timestamp()
        desk.clock = lambda: opened + 60  # a minute into a session, after no ticks for a while
        desk.market_seen[spec.contract.con_id] = opened + 60 - quiet
        assert desk.freshness(spec) == "STALE"
        desk.clock = lambda: opened - 60  # before the session opens
        desk.market_seen[spec.contract.con_id] = opened - 60 - quiet
        assert desk.freshness(spec) == "CLOSED"
        desk.market_seen[spec.contract.con_id] = opened - 61
        assert desk.freshness(spec) == "RT", "ticking outside its hours: trust the ticks"
        desk.market_seen[spec.contract.con_id] = opened - 60 - quiet
        await pilot.pause(0.3)
        assert app.query_one(Ladder).header.startswith(f"{spec.contract.key} CLOSED"), "the ladder says so"
