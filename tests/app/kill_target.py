"""Run the app headless against a gateway, buying every 100 ms, printing acknowledged order ids.

The reliability test kills this process with SIGKILL and then reads its journal.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tui import config as cfg  # noqa: E402
from tui.app import IBTuiApp  # noqa: E402
from tui.core.journal import Journal  # noqa: E402
from tui.ib.broker import Broker, BrokerConfig  # noqa: E402


async def main(port: int, journal_dir: str) -> None:
    s = cfg.Settings()
    s.connection.port = port
    s.orders.confirm = "never"
    s.watchlist = ["ES", "NQ", "AAPL", "MSFT"]
    s.risk.max_working_orders = 10_000
    s.risk.max_position = 10**9
    app = IBTuiApp(s, Broker(BrokerConfig(port=port, client_id=77)), Journal(Path(journal_dir), "", 77),
                   "full", "ES", "never")
    async with app.run_test(size=(120, 40)) as pilot:
        while app.ladder_spec is None or not app.desk.broker.can_trade:
            await pilot.pause(0.05)
        await pilot.pause(0.5)
        acked: set[int] = set()
        while True:
            # straight to the actions: Pilot's press waits for the app to be idle, which a
            # storm never is
            app.action_cursor(-4)
            app.action_order("BUY", "LMT")  # a resting buy, a little under the market
            await asyncio.sleep(0.1)
            for rec in app.desk.orders.by_id.values():
                if rec.perm_id and rec.order_id not in acked:
                    acked.add(rec.order_id)
                    print(rec.order_id, flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
