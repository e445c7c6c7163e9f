"""An app wired to a paused simulated gateway, and helpers to drive it with Pilot."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from tui import config as cfg
from tui.app import IBTuiApp
from tui.core.events import ConnState
from tui.core.journal import Journal
from tui.ib.broker import Broker, BrokerConfig
from tui.sim.server.runner import GatewayThread

FIXED_NOW = 1767623400.0  # the manual clock's start: snapshots show fixed times


def make_app(gw: GatewayThread, tmp: Path, layout: str = "full", symbol: str = "ES",
             confirm: str = "never", clock: Callable[[], float] | None = None,
             gateway: str | None = None, demo: bool = False, client_id_tries: int = 1,
             **settings_overrides: object) -> IBTuiApp:
    """``gateway`` names the journal's gateway identity (default: the gateway's address)."""
    s = cfg.Settings()
    s.connection.port = gw.port
    s.orders.confirm = confirm
    s.watchlist = ["ES", "AAPL", "EUR.USD"]
    for key, value in settings_overrides.items():
        section, _, name = key.partition("__")
        setattr(getattr(s, section), name, value)
    broker = Broker(BrokerConfig(port=gw.port, client_id=1, connect_timeout=3, client_id_tries=client_id_tries))
    journal = Journal(tmp / "journal", "", 1, clock=clock or time.time,
                      gateway=gateway or f"127.0.0.1:{gw.port}")
    return IBTuiApp(s, broker, journal, layout, symbol, confirm, clock=clock or time.time, demo=demo)


async def until(pilot, pred: Callable[[], object], timeout: float = 6.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out: {what or pred}")


async def ready(pilot, app: IBTuiApp) -> None:
    """Connected, reconciled, the ladder's instrument resolved with depth on screen."""
    await until(pilot, lambda: app.desk.connection.state == ConnState.CONNECTED
                and not app.desk.connection.reconciling and app.ladder_spec is not None
                and app.ladder_spec.contract.con_id in app.desk.markets
                and app.desk.markets[app.ladder_spec.contract.con_id].has_depth,
                what="app ready")
    await pilot.pause(0.2)


def gateway_orders(gw: GatewayThread) -> list:
    return gw.call(lambda: sorted(gw.gateway.engine.orders.values(), key=lambda o: o.order_id))


async def settle(pilot, seconds: float = 0.4) -> None:
    await pilot.pause(seconds)
    await asyncio.sleep(0)
