"""An app wired to a paused simulated gateway, and helpers to drive it with Pilot."""

from __future__ import annotations

import asyncio
import re
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


class Mirror:
    """The screen as a terminal would show it after every update the app sent since it was
    made (headless, Textual renders each update and writes it nowhere): a partial repaint
    that leaves a line out shows here as that line unchanged. Cursor moves and text only;
    colours are dropped."""

    SEQUENCE = re.compile(r"\x1b\[(\d+);(\d+)H|\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\a\x1b]*(?:\a|\x1b\\)"
                          r"|\n|([^\x1b\n]+)")

    def __init__(self, app: IBTuiApp) -> None:
        from textual._compositor import CompositorUpdate

        width, height = app.size
        self.rows = [[" "] * width for _ in range(height)]
        self.written: list[tuple[int, int, int]] = []  # (row, first column, past the last) of each run of text
        display = app._display

        def mirrored(screen, renderable) -> None:
            if isinstance(renderable, CompositorUpdate):
                self.feed(renderable.render_segments(app.console))
            display(screen, renderable)

        app._display = mirrored  # type: ignore[method-assign]
        app.screen.refresh()  # the whole screen, once: it may have been painted before the mirror

    def feed(self, data: str) -> None:
        x = y = 0
        for m in self.SEQUENCE.finditer(data):
            if m.group(1):
                y, x = int(m.group(1)) - 1, int(m.group(2)) - 1
            elif m.group(3):
                row = self.rows[y]
                self.written.append((y, x, x + len(m.group(3))))
                for ch in m.group(3):
                    if x < len(row):
                        row[x] = ch
                    x += 1

    def text(self, region=None) -> str:
        lines = ["".join(r) for r in self.rows]
        if region is not None:
            lines = [line[region.x:region.right] for line in lines[region.y:region.bottom]]
        return "\n".join(lines)
