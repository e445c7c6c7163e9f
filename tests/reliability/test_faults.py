"""Faults injected into the simulated gateway while the whole app runs, journal included.

Recovery is asserted (it happens, nothing is lost or doubled), not its speed: a loaded
machine is slower, and times are measurements, not pass marks.
"""

from __future__ import annotations


import pytest

from tests.app.harness import gateway_orders, ready, until
from tests.sim.test_orders import move
from tui import config as cfg
from tui.app import IBTuiApp
from tui.core.events import ConnState
from tui.core.journal import Journal, read
from tui.ib.broker import Broker, BrokerConfig
from tui.sim.server import faults
from tui.sim.clock import ManualClock
from tui.sim.server.gateway import Gateway
from tui.sim.server.runner import GatewayThread
from tui.screens.modals import Confirm
from tui.widgets.blotter import Blotter
from tui.widgets.ladder import Ladder
from tui.widgets.panes import StatusBar

pytestmark = pytest.mark.timeout(90)


def app_for(port: int, tmp, client_id: int = 1, **broker: object) -> IBTuiApp:
    s = cfg.Settings()
    s.connection.port = port
    s.orders.confirm = "never"
    s.watchlist = ["ES", "AAPL"]
    b = Broker(BrokerConfig(port=port, client_id=client_id, connect_timeout=2, **broker))  # type: ignore[arg-type]
    return IBTuiApp(s, b, Journal(tmp / "journal", "", client_id), "full", "ES", "never")


def calm_gateway(state, port: int = 0) -> GatewayThread:
    """A gateway keeping its orders in ``state`` (restarted on ``port``), the market still."""
    return GatewayThread(Gateway(seed=3, rate=0, clock=ManualClock(), state_path=state), port=port).start()


def orders_drawn(ladder: Ladder) -> int:
    """Price rows of the ladder with one of our orders in its BUY or SELL column."""
    return sum(1 for r in ladder.rows if r.buys.strip() or r.sells.strip())


def rows_text(table) -> str:
    return "\n".join(str(table.render_line(y).text) for y in range(table.size.height))


def status_text(app: IBTuiApp) -> str:
    return str(app.query_one(StatusBar).render())


async def place_resting(pilot, app: IBTuiApp, n: int) -> list[int]:
    await pilot.press(*["j"] * 8)
    for _ in range(n):
        await pilot.press("j", "b")
    await until(pilot, lambda: len([r for r in app.desk.orders.working() if r.perm_id]) == n)
    return sorted(r.order_id for r in app.desk.orders.working())


async def test_drop_during_a_storm_loses_nothing(tmp_path) -> None:
    with GatewayThread(Gateway(seed=3, rate=20000)) as g:
        # calm while the orders are placed (Pilot waits for an idle app after every key, and a
        # storm never lets it idle), then the storm, then the drop
        g.call(setattr, g.gateway, "rate", 0.0)
        app = app_for(g.port, tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot, app)
            working = await place_resting(pilot, app, 3)
            before = {o.order_id for o in gateway_orders(g)}
            received = app.desk.feed_counts()[0]
            g.call(setattr, g.gateway, "rate", 20000.0)
            await until(pilot, lambda: app.desk.feed_counts()[0] > received + 10_000, what="the storm")
            g.call(faults.drop, g.gateway)
            # so quick that no frame may ever show it: the journal below proves it happened
            # (how quick is a measurement, not a pass mark: a loaded machine is slower)
            await until(pilot, lambda: app.desk.reconciliations == 2 and app.desk.broker.can_trade)
            assert sorted(r.order_id for r in app.desk.orders.working()) == working
            assert not any(r.lost for r in app.desk.orders.by_id.values())
            assert {o.order_id for o in gateway_orders(g)} == before, "nothing re-sent or duplicated"
            await pilot.press("B")
            await until(pilot, lambda: len(gateway_orders(g)) == len(before) + 1)
    records, note = read(app.desk.journal.path)
    assert not note
    states = [r["state"] for r in records if r["kind"] == "Connection"]
    assert "RECONNECTING" in states and states[-1] == "CONNECTED"
    assert any(r["kind"] == "reconciled" and set(working) <= set(r["open_orders"]) for r in records)


async def test_gateway_restart_keeps_orders_working_and_none_is_shown_working_meanwhile(tmp_path) -> None:
    """Disconnected, nobody speaks for the orders: the blotter says Checking, the ladder draws
    none, quitting says they may be working; the gateway back with its state, its resync
    restores them as they were (their time too), and they can be cancelled."""
    state = tmp_path / "gw.json"
    g = calm_gateway(state)
    port = g.port
    app = app_for(port, tmp_path)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot, app)
            working = await place_resting(pilot, app, 2)
            times = {oid: app.desk.orders.get(oid).updated for oid in working}
            blotter = app.query_one(Blotter)
            g.stop()
            await until(pilot, lambda: app.desk.connection.state not in (ConnState.CONNECTED, ConnState.DEGRADED))
            await until(pilot, lambda: "Checking" in rows_text(blotter) and "Working" not in rows_text(blotter))
            assert not app.desk.orders.working() and not orders_drawn(app.query_one(Ladder))
            assert app.desk.freshness(app.ladder_spec) == "STALE", "no gateway: no live prices"
            assert any("2 working orders: not shown as working while disconnected" in m.text
                       for m in app.desk.messages)
            await pilot.press("q")
            assert isinstance(app.screen, Confirm)
            assert app.screen.question.startswith("2 orders may still be working at the broker")
            await pilot.press("n")
            g = calm_gateway(state, port)  # the same gateway, restarted
            await until(pilot, lambda: app.desk.reconciliations == 2 and app.desk.broker.can_trade, timeout=10)
            assert sorted(r.order_id for r in app.desk.orders.working()) == working
            await until(pilot, lambda: "Working" in rows_text(blotter) and "Checking" not in rows_text(blotter))
            assert {oid: app.desk.orders.get(oid).updated for oid in working} == times
            await until(pilot, lambda: orders_drawn(app.query_one(Ladder)) == 2)
            await pilot.press("x")  # cancel them: the restarted gateway knows them
            await until(pilot, lambda: not app.desk.orders.working())
    finally:
        g.stop()


@pytest.mark.parametrize("meanwhile", ["Cancelled", "Filled"])
async def test_what_became_of_orders_while_disconnected_is_said_once_back(paused, tmp_path, connect,
                                                                          meanwhile: str) -> None:
    app = app_for(paused.port, tmp_path, backoff_max=0.5)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        working = await place_resting(pilot, app, 2)
        other = connect(paused.port, client_id=9)
        paused.call(faults.refuse, paused.gateway, 60.0)
        paused.call(lambda: paused.gateway.sessions[1].close())  # ibtui's connection alone
        await until(pilot, lambda: app.desk.connection.state == ConnState.RECONNECTING)
        if meanwhile == "Cancelled":
            other.reqGlobalCancel()  # e.g. from TWS itself while ibtui cannot reach it
            other.sync()
        else:
            move(paused, app.ladder_spec.contract.con_id, -40)  # the market trades through both
        assert [o.status for o in gateway_orders(paused)] == [meanwhile, meanwhile]
        paused.call(setattr, paused.gateway, "refuse_until", 0.0)
        await until(pilot, lambda: app.desk.reconciliations == 2 and app.desk.broker.can_trade, timeout=10)
        await until(pilot, lambda: [app.desk.orders.get(oid).status for oid in working] == [meanwhile] * 2)
        said = [m.text for m in app.desk.messages if f"{meanwhile} while disconnected" in m.text]
        assert len(said) == 2 and not app.desk.orders.working(), said
        if meanwhile == "Filled":
            await until(pilot, lambda: app.desk.portfolio.position(app.ladder_spec.contract.con_id) == 2)
            assert all(len(app.desk.orders.get(oid).fills) == 1 for oid in working)


async def test_order_sent_at_the_moment_of_a_drop_is_reconciled(paused, tmp_path) -> None:
    app = app_for(paused.port, tmp_path)
    gw = paused.gateway

    def drop_after_order(session, payload: bytes) -> None:
        if payload.startswith(b"3\0"):
            gw.on_request = None
            # the order is accepted, but the connection dies before any answer leaves
            import asyncio

            asyncio.get_running_loop().call_soon(faults.drop, gw)
            session.out.clear()

    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        gw.on_request = drop_after_order
        await pilot.press(*["j"] * 6, "b")
        oid = max(app.desk.orders.by_id)
        await until(pilot, lambda: app.desk.reconciliations == 2 and app.desk.broker.can_trade)
        await until(pilot, lambda: app.desk.orders.get(oid).status == "Submitted")
        rec = app.desk.orders.get(oid)
        assert rec.perm_id and not rec.lost
        assert [o.order_id for o in gateway_orders(paused)] == [oid], "sent once, known once"


async def test_stall_is_shown_blocks_orders_and_recovers(tmp_path) -> None:
    with GatewayThread(Gateway(seed=3, rate="busy")) as g:
        app = app_for(g.port, tmp_path, stale_after=0.5, probe_timeout=1.0)
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot, app)
            g.call(faults.stall, g.gateway, 5.0)  # long enough that a busy machine notices inside it
            await until(pilot, lambda: app.desk.broker.stale, timeout=4, what="staleness noticed")
            await pilot.press("B")
            await pilot.pause(0.3)
            refused = [m.text for m in app.desk.messages if m.text.startswith("refused")]
            assert refused and ("old" in refused[-1] or "not connected" in refused[-1]
                                or "reconciling" in refused[-1])
            await until(pilot, lambda: "no data from TWS" in app.desk.connection.reason
                        or app.desk.broker.reconnects, timeout=5)
            await until(pilot, lambda: app.desk.broker.can_trade and not app.desk.broker.stale,
                        timeout=10, what="recovered")
            await pilot.pause(0.5)
            assert "CONNECTED" in status_text(app)


async def test_system_codes_are_shown(tmp_path) -> None:
    with GatewayThread(Gateway(seed=3, rate="busy")) as g:
        app = app_for(g.port, tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot, app)
            g.call(faults.error, g.gateway, 1100)
            await until(pilot, lambda: app.desk.connection.state == ConnState.DEGRADED)
            await pilot.pause(0.2)
            assert "DEGRADED" in status_text(app)
            g.call(faults.error, g.gateway, 1101)
            await until(pilot, lambda: app.desk.connection.state == ConnState.CONNECTED)
            n = app.desk.broker.h.received
            await until(pilot, lambda: app.desk.broker.h.received > n + 5, what="data after 1101")
            g.call(faults.error, g.gateway, 2110)
            g.call(faults.error, g.gateway, 2103)
            await until(pilot, lambda: any("2103" in m.text for m in app.desk.messages))
            texts = " ".join(m.text for m in app.desk.messages)
            assert "2110" in texts and "market data farm is broken" in texts
            g.call(faults.error, g.gateway, 1102)
            await until(pilot, lambda: app.desk.connection.state == ConnState.CONNECTED)


async def test_client_id_in_use_is_a_clear_message(paused, tmp_path) -> None:
    from ibkit import Client

    holder = Client().start(paused.port, client_id=1)
    try:
        app = app_for(paused.port, tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            # the reason shows until the next retry (its backoff grows), so wait for the screen to
            # show it rather than read it at a fixed moment after the desk heard it
            await until(pilot, lambda: "client id 1 is already in use" in status_text(app), timeout=10,
                        what="the status bar names the taken client id")
            assert any("client id 1 is already in use" in m.text for m in app.desk.messages)
    finally:
        holder.stop()


@pytest.mark.parametrize("kind", ["garbage", "truncate"])
async def test_garbled_frames_reconnect_and_the_ui_survives(tmp_path, kind: str) -> None:
    with GatewayThread(Gateway(seed=3, rate="busy")) as g:
        app = app_for(g.port, tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot, app)
            g.call(faults.garbage, g.gateway, None, kind == "truncate")
            words = "garbled data from TWS" if kind == "garbage" else "RECONNECTING"
            await until(pilot, lambda: any(words in m.text for m in app.desk.messages),
                        what=f"{words!r} shown")
            await until(pilot, lambda: app.desk.connection.state == ConnState.CONNECTED
                        and not app.desk.connection.reconciling, what="the desk sees it back")
            await pilot.press("B")
            await until(pilot, lambda: any(r.status == "Filled" for r in app.desk.orders.by_id.values()))
            assert app.is_running


async def test_the_status_bar_counts_down_to_the_next_connect_attempt(tmp_path) -> None:
    import socket

    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = app_for(port, tmp_path, backoff_max=3.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.desk.connection.attempt >= 3, timeout=15, what="three attempts")
        await until(pilot, lambda: "retry in" in status_text(app) and "(attempt" in status_text(app), timeout=5)
        text = status_text(app)
        import re

        m = re.search(r"retry in (\d+)s \(attempt (\d+)\): nothing listens on", text)
        assert m and int(m.group(2)) >= 3 and int(m.group(1)) <= 3, text  # within backoff_max
