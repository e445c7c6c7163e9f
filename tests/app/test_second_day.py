"""The trader's second day: restarts against the same and another gateway, orders that
ended while ibtui was closed, rejects, stop-limits, and a pane resized while it runs."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from tests.app.harness import gateway_orders, make_app, ready, settle, until
from tests.ibkit import future, order
from tui.core.journal import read
from tui.core.ordertypes import UNKNOWN
from tui.screens.modals import Confirm, OrderHistory
from tui.sim.server import faults
from tui.sim.clock import ManualClock
from tui.sim.server.gateway import Gateway
from tui.sim.server.runner import GatewayThread
from tui.widgets.blotter import Blotter
from tui.widgets.ladder import Ladder

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def other() -> Iterator[GatewayThread]:
    """A second, fresh gateway: a new session that has never seen the first one's orders."""
    with GatewayThread(Gateway(seed=7, rate=0, clock=ManualClock())) as g:
        yield g


def ladder_marks(app) -> list[str]:
    """My orders' marks on the ladder, without their queue positions (``1L·30`` reads ``1L``)."""
    return [(r.buys + r.sells).split("·")[0] for r in app.query_one(Ladder).rows if r.buys or r.sells]


def blotter_rows(app) -> list[list[str]]:
    b = app.query_one(Blotter)
    return [b.get_row_at(i) for i in range(b.row_count)]


async def rest_two_buys(app, pilot) -> list[int]:
    await ready(pilot, app)
    await pilot.press("j", "j", "j", "j", "b", "j", "j", "b")
    await until(pilot, lambda: len(app.desk.orders.working()) == 2
                and all(r.status == "Submitted" for r in app.desk.orders.working()))
    return sorted(app.desk.orders.by_id)


async def test_a_new_gateway_session_inherits_nothing(paused, other, tmp_path) -> None:
    first = make_app(paused, tmp_path, demo=True)
    async with first.run_test(size=(120, 40)) as pilot:
        await rest_two_buys(first, pilot)
    again = make_app(other, tmp_path, demo=True)  # a demo's gateway is new every run
    async with again.run_test(size=(120, 40)) as pilot:
        await ready(pilot, again)
        await settle(pilot)
        assert again.desk.orders.by_id == {} and blotter_rows(again) == []
        assert ladder_marks(again) == []
        await pilot.press("q")
        assert not isinstance(again.screen, Confirm), "no working order to ask about"


async def test_orders_the_gateway_does_not_know_are_unknown_never_working(paused, other, tmp_path) -> None:
    first = make_app(paused, tmp_path, gateway="trading-box")
    async with first.run_test(size=(120, 40)) as pilot:
        ids = await rest_two_buys(first, pilot)
    # the same account at the same address, but the gateway behind it forgot them
    again = make_app(other, tmp_path, gateway="trading-box")
    async with again.run_test(size=(120, 40)) as pilot:
        await ready(pilot, again)
        await settle(pilot)
        assert [again.desk.orders.get(i).status for i in ids] == [UNKNOWN, UNKNOWN]
        assert again.desk.orders.working() == [] and ladder_marks(again) == []
        rows = blotter_rows(again)
        assert [r[8] for r in rows] == ["Unknown", "Unknown"]
        named = [m.text for m in again.desk.messages if "UNKNOWN at the broker" in m.text]
        assert len(named) == 2 and all(f"order {i} " in " ".join(named) for i in ids), named
        await pilot.press("B")  # a new order: its id is past every id this gateway was sent
        await until(pilot, lambda: len(gateway_orders(other)) == 1)
        assert gateway_orders(other)[0].order_id > max(ids)
        await pilot.press("q")
        assert not isinstance(again.screen, Confirm)
        assert len([m for m in again.desk.messages if "UNKNOWN" in m.text]) == 2, "named once"


async def test_an_order_cancelled_while_closed_comes_back_cancelled(paused, tmp_path, connect) -> None:
    first = make_app(paused, tmp_path)
    async with first.run_test(size=(120, 40)) as pilot:
        ids = await rest_two_buys(first, pilot)
    other_client = connect(paused.port, client_id=9)
    other_client.reqGlobalCancel()  # e.g. from TWS itself while ibtui was closed
    other_client.sync()
    assert [o.status for o in gateway_orders(paused)] == ["Cancelled", "Cancelled"]
    again = make_app(paused, tmp_path)
    async with again.run_test(size=(120, 40)) as pilot:
        await ready(pilot, again)
        await until(pilot, lambda: all(again.desk.orders.get(i) and again.desk.orders.get(i).status
                                       == "Cancelled" for i in ids), what="cancelled while away")
        assert ladder_marks(again) == [] and again.desk.orders.working() == []
        said = [m.text for m in again.desk.messages if "Cancelled while ibtui was closed" in m.text]
        assert len(said) == 2, said
        # read before the contract resolves, the price still prints as prices do (not 6009 or 6009.5)
        assert all(re.search(r"BUY 1 ES\w+ LMT \d+\.\d\d\) was Cancelled", t) for t in said), said


async def test_a_pane_moved_to_the_next_client_id_journals_as_that_id(paused, tmp_path, connect) -> None:
    first = make_app(paused, tmp_path)
    async with first.run_test(size=(120, 40)) as pilot:
        ids = await rest_two_buys(first, pilot)  # client 1's, working at the gateway
    holder = connect(paused.port, client_id=1)  # another pane holds client id 1 now
    second = make_app(paused, tmp_path, client_id_tries=3)
    async with second.run_test(size=(120, 40)) as pilot:
        await ready(pilot, second)
        assert second.desk.connection.client_id == 2
        # client 1's orders are not this pane's to move or cancel (TWS would take an order id of
        # client 2's for a new order): the journal's lines of client 1 stay client 1's
        assert second.desk.orders.working() == [] and ladder_marks(second) == []
        await pilot.press("j", "j", "j", "b")
        await until(pilot, lambda: len(gateway_orders(paused)) == 3, what="client 2's order")
        mine = second.desk.orders.working()
        assert len(mine) == 1 and mine[0].client_id == 2  # its id is client 2's own (TWS: 1 again)
    records, _ = read(second.desk.journal.path)
    intents = [r for r in records if r.get("kind") == "intent" and r.get("verdict") == "ok"]
    assert [r["client_id"] for r in intents] == [1, 1, 2]
    holder.stop()
    again = make_app(paused, tmp_path)  # client 1 again: its own two orders, nothing of client 2's
    async with again.run_test(size=(120, 40)) as pilot:
        await ready(pilot, again)
        await until(pilot, lambda: sorted(r.order_id for r in again.desk.orders.working()) == ids)
        assert not any("UNKNOWN" in m.text for m in again.desk.messages)


async def test_todays_orders_from_before_the_journal_are_shown_as_the_gateway_reports_them(
        paused, tmp_path, connect) -> None:
    # orders of this client id filled earlier today, from another machine (or a state dir since
    # wiped): the resync's executions come before its completed orders, and the row must never
    # be working on a fill's word alone, nor stay "BUY 0 ESZ6" once the gateway says what it was
    earlier = connect(paused.port, client_id=1)
    earlier.placeOrder(earlier.next_id(), future("ES"), order("BUY", 1))
    earlier.placeOrder(earlier.next_id() + 1, future("ES"), order("SELL", 2, "LMT", 5000.0))
    earlier.wait_for("execDetails", count=2)
    earlier.stop()
    app = make_app(paused, tmp_path)
    seen_working: list[int] = []
    async with app.run_test(size=(120, 40)) as pilot:
        orders = app.desk.orders
        track = orders._track
        orders._track = lambda rec: (rec is not None and rec.working and seen_working.append(rec.order_id),
                                     track(rec))[1]
        await ready(pilot, app)
        rows = blotter_rows(app)
        assert [(r[3], r[4], r[5], r[6], r[8]) for r in rows] == [
            ("BUY", "1", "MKT", "", "Filled"), ("SELL", "2", "LMT", "5000.00", "Filled")], rows
        assert seen_working == [] and orders.working() == []
        assert not any("UNKNOWN" in m.text or " 0 ES" in m.text for m in app.desk.messages)
    records, _ = read(app.desk.journal.path)
    assert {r["order_type"] for r in records if r["kind"] == "CompletedOrder"} == {"MKT", "LMT"}


async def test_a_journal_that_cannot_be_written_is_said_once_and_trading_goes_on(paused, tmp_path) -> None:
    # the state dir's journal path is a file (a full disk, a read-only mount behave alike): the
    # app used to die with a traceback at the first line it journaled, on connecting
    (tmp_path / "journal").write_text("not a directory")
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        said = [m.text for m in app.desk.messages if m.text.startswith("journal: cannot write")]
        assert said == [f"journal: cannot write {tmp_path / 'journal'}: a file is where the journal's directory "
                        "goes; orders still go to the gateway, unjournaled, until it can"], said
        assert [m.text for m in app.desk.messages if m.text.startswith("journal")] == said  # once
        await pilot.press("j", "j", "b", "j", "b")
        await until(pilot, lambda: len(gateway_orders(paused)) == 2, what="orders sent without a journal")
        assert sum(m.text.startswith("journal: cannot write") for m in app.desk.messages) == 1
        (tmp_path / "journal").unlink()  # the trader fixes it: the next line is written, and said so
        await pilot.press("j", "b")
        await until(pilot, lambda: len(gateway_orders(paused)) == 3)
        assert any(m.text == f"journal: writing to {app.desk.journal.path} again" for m in app.desk.messages)
    records, _ = read(app.desk.journal.path)
    assert [r["order_id"] for r in records if r["kind"] == "intent"] == [3]


async def test_restart_against_the_same_gateway_keeps_working_orders_working(paused, tmp_path) -> None:
    first = make_app(paused, tmp_path)
    async with first.run_test(size=(120, 40)) as pilot:
        ids = await rest_two_buys(first, pilot)
        marks = ladder_marks(first)
        when = {i: first.desk.orders.get(i).updated for i in ids}
    time.sleep(0.05)  # the restart is unmistakably later than either order's last change
    restarted = time.time()
    again = make_app(paused, tmp_path)
    async with again.run_test(size=(120, 40)) as pilot:
        await ready(pilot, again)
        await until(pilot, lambda: sorted(r.order_id for r in again.desk.orders.working()) == ids)
        await settle(pilot)
        assert ladder_marks(again) == marks == ["1L", "1L"]
        assert [r[8] for r in blotter_rows(again)] == ["Working", "Working"]
        # each order's time is still when it last changed (its journal line's), not the restart's
        updated = [again.desk.orders.get(i).updated for i in ids]
        assert all(when[i] - 0.5 < t < restarted for i, t in zip(ids, updated)), (when, restarted, updated)
        assert [r[1] for r in blotter_rows(again)] == [time.strftime("%H:%M:%S", time.localtime(t))
                                                       for t in updated]
        assert not any("UNKNOWN" in m.text for m in again.desk.messages)


async def test_a_position_the_gateway_no_longer_holds_is_shown_flat_after_reconnecting(tmp_path) -> None:
    """The gateway goes away while ES +2 is held and another comes up at its address (or the
    position is closed in TWS meanwhile): its resync reports no ES, and the app went on showing
    +2 in the ladder, the positions and the risk checks, where a flatten would have sold 2 from
    flat. Against the same gateway the position is kept."""
    from tui.widgets.panes import Positions

    state = tmp_path / "gw.json"
    first = GatewayThread(Gateway(seed=7, rate=0, clock=ManualClock(), state_path=state)).start()
    port = first.port
    app = make_app(first, tmp_path)
    second = None

    def reconciled() -> int:
        return sum("CONNECTED: reconciled" in m.text for m in app.desk.messages)

    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot, app)
            await pilot.press("2", "B")  # preset 2: buy 2 at market
            con = app.ladder_spec.contract.con_id
            await until(pilot, lambda: app.desk.portfolio.position(con) == 2, what="ES +2")
            first.stop()  # the same gateway again, with its state: the position is kept
            first = GatewayThread(Gateway(seed=7, rate=0, clock=ManualClock(), state_path=state),
                                  port=port).start()
            await until(pilot, lambda: reconciled() == 2, timeout=15, what="reconnected and reconciled")
            await settle(pilot)
            assert app.desk.portfolio.position(con) == 2
            assert not any("not held at the gateway" in m.text for m in app.desk.messages)
            first.stop()  # another gateway at the same address: a fresh account, nothing held
            second = GatewayThread(Gateway(seed=7, rate=0, clock=ManualClock()), port=port).start()
            await until(pilot, lambda: reconciled() == 3, timeout=15, what="reconnected and reconciled")
            assert app.desk.portfolio.position(con) == 0
            said = [m.text for m in app.desk.messages if "not held at the gateway" in m.text]
            assert len(said) == 1 and said[0].startswith("position +2 ES"), said
            await until(pilot, lambda: "flat" in app.query_one(Ladder).header
                        and app.query_one(Positions).row_count == 0, what="flat on screen")
            await pilot.press("f")  # flatten: nothing to sell
            await until(pilot, lambda: any("no position to flatten" in m.text for m in app.desk.messages))
            assert gateway_orders(second) == [] and not isinstance(app.screen, Confirm)
    finally:
        first.stop()
        if second is not None:
            second.stop()


async def test_a_reject_shows_on_its_row_and_in_messages_at_once(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        paused.call(faults.reject_next, paused.gateway, 201, "Order rejected - reason:Simulated rejection")
        await pilot.press("j", "j", "b")
        await until(pilot, lambda: app.desk.orders.by_id and
                    next(iter(app.desk.orders.by_id.values())).status == "Inactive")
        # the frame that folded the reject also drew it: no further frame needed
        row = blotter_rows(app)[0]
        # the reason first: "Rejected" is the status already, and the note column is narrow
        assert row[8] == "Rejected" and row[9] == "201: Simulated rejection", row
        assert any("Simulated rejection" in m.text and "[201" in m.text for m in app.desk.messages)
        assert ladder_marks(app) == []


async def test_stop_limit_is_drawn_and_targeted_at_its_stop(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press(*["k"] * 6, "l")  # a buy stop-limit 6 ticks up: stop here, limit 2 above
        await until(pilot, lambda: gateway_orders(paused) and gateway_orders(paused)[0].status == "Submitted")
        await settle(pilot)
        ladder = app.query_one(Ladder)
        here = next(r for r in ladder.rows if r.ticks == ladder.cursor)
        assert here.buys == "1SL", "drawn on the row of its stop"
        await pilot.press("c")  # cancel at the cursor: the row where it is drawn
        await until(pilot, lambda: gateway_orders(paused)[0].status == "Cancelled")


async def test_enter_on_an_order_opens_its_history(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("B")
        await until(pilot, lambda: app.desk.orders.by_id and
                    next(iter(app.desk.orders.by_id.values())).status == "Filled")
        await settle(pilot)
        app.query_one(Blotter).focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, OrderHistory))
        events = [text for _, text in app.screen.lines]
        assert events[0].startswith("send BUY 1 ES") and any(e.startswith("fill BOT 1") for e in events)
        # prices as the ladder prints them (ES: two decimals), and a market order has none to show
        assert not any("None" in e for e in events), events
        assert any(re.match(r"open order BUY 1 MKT \(Submitted\)$", e) for e in events), events
        assert any(re.match(r"fill BOT 1 @ \d+\.\d\d \(exec ", e) for e in events), events
        assert any(e.startswith("commission") for e in events)


async def test_resize_switches_layout_both_ways_keeping_cursor_and_selection(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        ids = await rest_two_buys(app, pilot)
        ladder = app.query_one(Ladder)
        await pilot.press("k", "k")
        cursor = ladder.cursor
        blotter = app.query_one(Blotter)
        blotter.move_cursor(row=0)
        assert not app.screen.has_class("compact")
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert app.screen.has_class("compact") and ladder.cursor == cursor
        assert ladder.size.width >= 70, "the ladder takes the width"
        assert "VOL" in ladder.render_line(1).text and "SELL" in ladder.render_line(1).text
        title = app.screen.get_widget_at(ladder.region.x + 2, ladder.region.y - 1)[0]  # the pane's
        assert str(title.render()) == "Ladder  ·  tab: next pane  ·  ? all keys", "how to reach the rest"
        await pilot.press("tab", "tab")  # from the ladder: positions, then the orders
        assert app.screen.has_class("show-orders") and blotter.region.width > 0
        title = app.screen.get_widget_at(blotter.region.x + 2, blotter.region.y - 1)[0]
        assert str(title.render()).startswith("Orders  ·  tab: next pane")
        assert blotter.selected_order() == ids[0], "the blotter keeps its selection"
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert not app.screen.has_class("compact")
        assert not any(app.screen.has_class(f"show-{n}") for n in ("watchlist", "positions", "orders"))
        assert ladder.cursor == cursor and blotter.selected_order() == ids[0]
        assert all(w.region.width > 0 for w in (ladder, blotter))
        title = app.screen.get_widget_at(ladder.region.x + 2, ladder.region.y - 1)[0]
        assert str(title.render()) == "Ladder", "the whole screen in view: no hint"


async def test_a_resized_messages_pane_shows_the_newest_message_at_its_width(paused, tmp_path) -> None:
    """Resized from 120x40 to 80x24, the messages pane shows its last line, not its first,
    wrapped at the pane's new width."""
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        newest = "the newest line, long enough to wrap in the narrow pane"
        app.desk.say(newest)
        await settle(pilot)
        box = app.frames.messages
        assert box is not None
        assert newest not in box.lines[-1].text, "at 120x40 the pane is narrow: the line wraps"
        await pilot.resize_terminal(80, 24)
        await settle(pilot, 0.6)
        visible = box.region.height
        assert box.max_scroll_y > 0, "the test needs more lines than the pane holds"
        assert box.scroll_y == box.max_scroll_y, (box.scroll_y, box.max_scroll_y, visible)
        # the full-width pane wraps it again at its own width: one line now
        assert newest in box.lines[-1].text, [line.text for line in box.lines[-3:]]
        await pilot.resize_terminal(120, 40)  # and back: the narrow pane again shows its newest line
        await settle(pilot, 0.6)
        assert box.max_scroll_y > 0 and box.scroll_y == box.max_scroll_y, (box.scroll_y, box.max_scroll_y)


async def test_a_taller_terminal_shows_more_orders_messages_and_watchlist_rows(paused, tmp_path) -> None:
    """At 200x60 the blotter, the messages and the watchlist grow with the terminal (at 120x40
    they keep the heights they always had; the ladder still gets the most)."""
    from tui.widgets.panes import Watchlist

    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        panes = {name: app.query_one(f"#{name}-pane") for name in ("orders", "messages", "watchlist")}
        assert [p.region.height for p in panes.values()] == [11, 11, 12]
        await pilot.resize_terminal(200, 60)
        await settle(pilot)
        tall = [p.region.height for p in panes.values()]
        assert tall[0] == tall[1] >= 14 and tall[2] >= 16, tall  # a quarter of the screen; 40% of the left column
        ladder = app.query_one(Ladder)
        assert ladder.region.height > tall[0], "the ladder keeps the most rows"
        watchlist = app.query_one(Watchlist)
        assert watchlist.region.height >= tall[2] - 3  # the border and the title around it
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert [p.region.height for p in panes.values()] == [11, 11, 12]


async def test_a_line_cut_short_by_a_crash_is_said_at_the_next_start_not_every_start(paused, tmp_path) -> None:
    first = make_app(paused, tmp_path)
    async with first.run_test(size=(120, 40)) as pilot:
        await rest_two_buys(first, pilot)
        path = first.desk.journal.path
    with open(path, "ab") as f:
        f.write(b'{"ts": "2026-01-05T14:30:00.000Z", "kind": "Ord')  # the app died mid-write

    def said(app) -> list[str]:
        return [m.text for m in app.desk.messages if "cut short" in m.text]

    for start, working in (("after the crash", 2), ("the start after that", 3)):
        again = make_app(paused, tmp_path)
        async with again.run_test(size=(120, 40)) as pilot:
            await ready(pilot, again)
            await settle(pilot)
            assert len(again.desk.orders.working()) == working, start  # the journal still reads
            if start == "after the crash":
                assert said(again) == [f"journal: {path.name}: the last line was cut short "
                                       "(the app stopped mid-write); ignored"]
                await pilot.press("j", "b")  # the first line written ends the fragment's
                await until(pilot, lambda app=again: len(app.desk.orders.working()) == 3)
            else:
                assert said(again) == [], start
    records, _ = read(path)
    assert [r["kind"] for r in records].count("torn_line") == 1
