"""Every trading key, pressed through Pilot, checked at the gateway."""

from __future__ import annotations

import re

import pytest
from textual.geometry import Region
from textual.widgets import Checkbox, OptionList

from tests.app.harness import Mirror, gateway_orders, make_app, ready, settle, until
from tui.core.prices import from_ticks, to_ticks
from tui.screens.modals import Confirm, Help, Search
from tui.screens.ticket import Ticket
from tui.widgets.ladder import Ladder
from tui.widgets.panes import Watchlist

pytestmark = pytest.mark.timeout(90)


def cursor_price(app) -> float:
    return app.query_one(Ladder).cursor_price


async def test_limit_market_stop_and_stop_limit_keys(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        spec = app.ladder_spec
        await pilot.press("j", "j", "j")  # three ticks below the cursor: a resting buy
        below = cursor_price(app)
        await pilot.press("b")
        await pilot.press("k", "k", "k", "k", "k", "k", "k", "k")  # above the market: resting sell
        above = cursor_price(app)
        await pilot.press("s", "B", "S", "t", "T", "l", "L")
        await until(pilot, lambda: len(gateway_orders(paused)) == 8, what="8 orders at the gateway")
        o = gateway_orders(paused)
        kinds = [(x.action, x.order_type) for x in o]
        assert kinds == [("BUY", "LMT"), ("SELL", "LMT"), ("BUY", "MKT"), ("SELL", "MKT"),
                         ("BUY", "STP"), ("SELL", "STP"), ("BUY", "STP LMT"), ("SELL", "STP LMT")]
        assert o[0].price(o[0].lmt) == below and o[1].price(o[1].lmt) == above
        assert o[4].price(o[4].aux) == above
        tick = spec.tick
        assert o[6].price(o[6].lmt) == from_ticks(to_ticks(above, tick) + 2, tick)
        assert all(x.quantity == 1 for x in o)
        await until(pilot, lambda: app.desk.orders.get(o[2].order_id).status == "Filled")


async def test_quantity_keys_and_presets(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("plus", "plus")
        assert app.quantity == 3
        await pilot.press("minus")
        assert app.quantity == 2
        await pilot.press("4")  # presets 1, 2, 5, 10, ...
        assert app.quantity == 10
        await pilot.press("B")
        await until(pilot, lambda: gateway_orders(paused) and gateway_orders(paused)[0].quantity == 10)


async def test_an_instrument_configured_as_typed_gets_its_quantities(paused, tmp_path) -> None:
    """[orders.instruments."EUR.USD"] was looked up as IB's symbol for it, EUR, and never found:
    the ladder sent 1 (one euro) instead of the configured 20000."""
    app = make_app(paused, tmp_path, symbol="EUR.USD", orders__instruments={
        "EUR.USD": {"default_quantity": 20000, "quantity_presets": [20000, 50000, 100000]}})
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        assert app.quantity == 20000
        await pilot.press("plus")
        assert app.quantity == 40000
        await pilot.press("3")
        assert app.quantity == 100000
        await pilot.press("1")
        assert app.quantity == 20000 and "qty 20,000" in app.query_one(Ladder).header


async def test_an_instruments_own_risk_limits_let_its_size_through_and_stop_the_next(paused, tmp_path) -> None:
    """[risk.instruments."EUR.USD"]: a million euros goes out although the account's
    max_order_quantity is 100; more than the instrument's own limit is refused, by its number."""
    app = make_app(paused, tmp_path, symbol="EUR.USD",
                   orders__instruments={"EUR.USD": {"default_quantity": 1_000_000}},
                   risk__max_order_quantity=100,
                   risk__instruments={"EUR.USD": {"max_order_quantity": 2_000_000, "max_position": 5_000_000}})
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("B")
        await until(pilot, lambda: len(gateway_orders(paused)) == 1, what="the order at the gateway")
        assert gateway_orders(paused)[0].quantity == 1_000_000
        await pilot.press("3")  # presets: a currency pair's, 25,000, 50,000, 100,000 (none configured)
        await pilot.press("plus", "plus")  # the instrument's step: 100,000 + 2,000,000
        assert app.quantity == 2_100_000
        await pilot.press("B")
        await until(pilot, lambda: any("exceeds max_order_quantity 2,000,000" in m.text
                                       for m in app.desk.messages), what="the refusal")
        await settle(pilot)
        assert len(gateway_orders(paused)) == 1


async def test_bracket_key_sends_three_linked_orders(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("j", "j")
        entry = cursor_price(app)
        await pilot.press("e")
        await until(pilot, lambda: len(gateway_orders(paused)) == 3)
        parent, tp, sl = gateway_orders(paused)
        assert parent.order_type == "LMT" and parent.price(parent.lmt) == entry
        assert tp.parent_id == sl.parent_id == parent.order_id
        assert tp.price(tp.lmt) == entry + 8 * 0.25 and sl.price(sl.aux) == entry - 8 * 0.25
        assert tp.status == "PreSubmitted" and parent.status == "Submitted"


async def test_move_select_and_cancel_keys(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press(*["j"] * 5)
        start = cursor_price(app)
        await pilot.press("b")
        await until(pilot, lambda: len(gateway_orders(paused)) == 1)
        oid = gateway_orders(paused)[0].order_id
        await until(pilot, lambda: app.desk.orders.get(oid).status == "Submitted")
        await pilot.press("left_square_bracket")  # orders at the cursor, a tick down
        await until(pilot, lambda: gateway_orders(paused)[0].price(gateway_orders(paused)[0].lmt) == start - 0.25)
        await pilot.press("j", "v")  # select it where it now is
        assert app.selected == {oid}
        await pilot.press("j", "j", "j", "m")  # move the selection to the cursor
        target = cursor_price(app)
        await until(pilot, lambda: gateway_orders(paused)[0].price(gateway_orders(paused)[0].lmt) == target)
        assert gateway_orders(paused)[0].order_id == oid, "a move is a modify with the same id"
        await pilot.press("k", "k", "k", "k", "b", "j", "j", "j", "j", "c")  # c cancels at the cursor
        await until(pilot, lambda: gateway_orders(paused)[0].status == "Cancelled")
        assert gateway_orders(paused)[1].working
        await pilot.press("x")  # everything in this instrument
        await until(pilot, lambda: all(not o.working for o in gateway_orders(paused)))
        key = app.ladder_spec.contract.key
        assert app.desk.messages[-1].text == f"cancelling 1 order in {key}"
        await pilot.press("x")  # again, with nothing left: said so, nothing sent
        await until(pilot, lambda: app.desk.messages[-1].text == f"no working order in {key} to cancel")


async def test_cancel_all_and_flatten_ask_first(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("j", "j", "j", "b", "B")
        await until(pilot, lambda: app.desk.portfolio.position(app.ladder_spec.contract.con_id) == 1)
        await pilot.press("X")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await settle(pilot)
        assert gateway_orders(paused)[0].working, "no means no"
        await pilot.press("X")
        await pilot.press("y")
        await until(pilot, lambda: not gateway_orders(paused)[0].working)
        await pilot.press("f")
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await until(pilot, lambda: app.desk.portfolio.position(app.ladder_spec.contract.con_id) == 0)
        flat = gateway_orders(paused)[-1]
        assert (flat.action, flat.order_type, flat.quantity) == ("SELL", "MKT", 1)


async def test_kill_switch_blocks_until_rearmed(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("j", "j", "j", "b")
        await until(pilot, lambda: len(gateway_orders(paused)) == 1 and gateway_orders(paused)[0].working)
        await pilot.press("K")
        await until(pilot, lambda: not gateway_orders(paused)[0].working)
        await pilot.press("b")
        await settle(pilot)
        assert len(gateway_orders(paused)) == 1, "nothing reaches the wire while killed"
        assert any("kill switch is on" in m.text for m in app.desk.messages)
        await pilot.press("K", "y", "b")
        await until(pilot, lambda: len(gateway_orders(paused)) == 2)


async def test_the_kill_switch_stays_on_across_a_restart(paused, tmp_path) -> None:
    # restarting ibtui must not be the way round the kill switch: it stays on until K re-arms it
    first = make_app(paused, tmp_path)
    async with first.run_test(size=(120, 40)) as pilot:
        await ready(pilot, first)
        await pilot.press("K")
        await until(pilot, lambda: first.desk.killed)
    again = make_app(paused, tmp_path)
    async with again.run_test(size=(120, 40)) as pilot:
        await ready(pilot, again)
        assert again.desk.killed
        assert any(m.text.startswith("kill switch engaged at ") and "is still on" in m.text
                   for m in again.desk.messages)
        await pilot.press("j", "j", "b")
        await settle(pilot)
        assert gateway_orders(paused) == [], "nothing reaches the wire while killed"
        await pilot.press("K", "y")
        await until(pilot, lambda: not again.desk.killed)
    third = make_app(paused, tmp_path)  # re-armed is also remembered
    async with third.run_test(size=(120, 40)) as pilot:
        await ready(pilot, third)
        assert not third.desk.killed
        await pilot.press("j", "j", "b")
        await until(pilot, lambda: len(gateway_orders(paused)) == 1)


async def test_read_only_blocks_orders_visibly(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path, connection__read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("B", "b")
        await settle(pilot)
        assert gateway_orders(paused) == []
        assert any("read-only mode" in m.text for m in app.desk.messages)
        assert "READ-ONLY" in str(app.query_one("#status").render())


async def test_stats_key_shows_the_latest_frames_not_the_whole_history(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        status = app.query_one("#status")
        assert "msg/s" not in str(status.render())
        # an hour of slow frames long gone, then the frames of now: the bar shows now's
        app.frames.ms.extend([250.0] * 100_000)
        await pilot.press("i")
        await until(pilot, lambda: "msg/s" in str(status.render()), what="stats shown")
        await until(pilot, lambda: "frame 250.0ms" not in str(status.render()), timeout=10,
                    what="the status bar's frame time follows the latest frames")
        assert re.search(r"frame \d+\.\dms", str(status.render()))
        await pilot.press("i")
        await until(pilot, lambda: "msg/s" not in str(status.render()), what="stats hidden")


async def open_ticket(pilot, app) -> Ticket:
    """The app ready, ``o`` pressed: the ticket on screen."""
    await ready(pilot, app)
    await pilot.press("o")
    assert isinstance(app.screen, Ticket)
    return app.screen


async def test_order_ticket_validates_and_sends(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        ticket = await open_ticket(pilot, app)
        qty = ticket.query_one("#quantity")
        qty.value = "abc"
        await settle(pilot, 0.1)
        assert "not a number" in str(ticket.query_one("#verdict").render())
        qty.value = "2"
        limit = ticket.query_one("#limit")
        limit.value = "6000.10"
        await settle(pilot, 0.1)
        assert "tick grid" in str(ticket.query_one("#verdict").render())
        # typed as a trader types it: tab to the field (its text is selected), type over it
        await pilot.press("tab", "tab", "tab", *"6000.00")
        await settle(pilot, 0.1)
        assert app.focused is limit and limit.value == "6000.00"
        # the focused field keeps its one line for the text: no border takes the row from it
        assert limit.region.height == 1 and limit.content_region.height == 1, limit.content_region
        assert "passes the risk checks" in str(ticket.query_one("#verdict").render())
        await pilot.press("tab", "tab")  # time in force, then the checkbox (a limit has no stop price)
        rth = ticket.query_one("#rth", Checkbox)
        assert app.focused is rth
        # Textual's Checkbox:focus draws a tall border too, which left the label and the state no row
        assert rth.region.height == 1 and rth.content_region.height == 1, rth.content_region
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(gateway_orders(paused)) == 1)
        o = gateway_orders(paused)[0]
        assert (o.action, o.quantity, o.order_type, o.price(o.lmt)) == ("BUY", 2, "LMT", 6000.0)
        assert o.outside_rth, "the box ticked on the ticket reaches the gateway"


async def test_a_ticket_quantity_typed_as_fx_traders_write_it(paused, tmp_path) -> None:
    """25k and 1.5m in the ticket's quantity: the gateway gets 25,000 and 1,500,000; a prefix
    that leaves a fraction (1.2345k) is refused by name, never rounded into another size."""
    app = make_app(paused, tmp_path, symbol="EUR.USD", risk__max_order_quantity=10_000_000,
                   risk__max_position=10_000_000)
    async with app.run_test(size=(120, 40)) as pilot:
        ticket = await open_ticket(pilot, app)
        verdict = ticket.query_one("#verdict")
        await pilot.press("tab", "tab", *"1.2345k")  # the quantity field, its text selected
        await settle(pilot, 0.1)
        assert "quantity '1.2345k' is not a whole number" in str(verdict.render())
        await pilot.press("ctrl+s")
        await settle(pilot, 0.3)
        assert not gateway_orders(paused) and isinstance(app.screen, Ticket)
        await pilot.press("ctrl+a", "ctrl+k", *"25k")
        await settle(pilot, 0.1)
        assert "passes the risk checks: BUY 25,000 EUR.USD" in str(verdict.render())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(gateway_orders(paused)) == 1, what="25k at the gateway")
        assert gateway_orders(paused)[0].quantity == 25_000


def burst(app, *keys: str) -> None:
    """Keys as one read of the terminal hands them over when typed fast or while the loop is busy:
    all posted before any of them has run."""
    from textual import events

    chars = {"backspace": "\x7f", "ctrl+u": "\x15", "ctrl+s": "\x13", "full_stop": ".", "left": None}
    keys = tuple("full_stop" if k == "." else k for k in keys)
    for key in keys:
        app.post_message(events.Key(key, chars.get(key, key)))


async def test_editing_keys_typed_together_apply_in_the_order_typed(paused, tmp_path) -> None:
    """Textual runs an Input's editing keys (backspace, ctrl+u, left...) only once they have
    bubbled back up to the app, after the characters queued behind them were inserted: typed
    together, "6000.7" backspace "5" became "6000.75" backspaced to "6000.7": a wrong price, or a
    refused one, and a ctrl+u typed before a tab cleared the next field. What reaches the wire is
    what was typed, in order."""
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        ticket = await open_ticket(pilot, app)
        await pilot.press("tab", "tab")
        qty = ticket.query_one("#quantity")
        assert app.focused is qty
        burst(app, "ctrl+u", "3", "backspace", "2", "tab")
        await settle(pilot, 0.2)
        assert qty.value == "2"
        limit = ticket.query_one("#limit")
        assert app.focused is limit
        burst(app, "ctrl+u", *"6000.75", "backspace", "backspace", "5", "left", "2", "ctrl+s")
        await until(pilot, lambda: len(gateway_orders(paused)) == 1, what="the ticket's order at the gateway")
        o = gateway_orders(paused)[0]
        assert (o.action, o.quantity, o.order_type, o.price(o.lmt)) == ("BUY", 2, "LMT", 6000.25)


async def test_search_adds_to_watchlist_and_enter_opens_in_ladder(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("slash")
        assert isinstance(app.screen, Search)
        await pilot.press("N", "V", "D")
        await until(pilot, lambda: app.screen.contracts, what="search results")
        await pilot.press("enter")
        wl = app.query_one(Watchlist)
        assert "NVDA" in wl.queries
        from tui import config as cfg

        assert "NVDA" in cfg.load().watchlist, "the watchlist change is saved to the state file"
        await until(pilot, lambda: app.desk.spec_for("NVDA") is not None)
        wl.focus()
        wl.move_cursor(row=wl.queries.index("NVDA"))
        await pilot.press("enter")
        await until(pilot, lambda: app.ladder_spec.contract.symbol == "NVDA")
        assert app.query_one(Ladder).spec.tick == 0.01


async def test_search_down_then_enter_takes_the_first_match_and_a_pair_reads_as_one(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("slash", "G", "B", "P")
        await until(pilot, lambda: app.screen.contracts, what="search results")
        shown = [str(o.prompt).split()[0] for o in app.screen.query_one(OptionList).options]
        assert shown[0] == "GBP.USD", shown  # not "GBP ... USD": the pair as the watchlist names it
        await pilot.press("down", "enter")  # into the list, and the first match
        await until(pilot, lambda: not isinstance(app.screen, Search), what="the search closed")
        assert app.query_one(Watchlist).queries[-1] == "GBP.USD"


async def test_a_pane_says_how_many_rows_are_out_of_view(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    app.settings.watchlist = ["ES", "NQ", "CL", "AAPL", "MSFT", "NVDA", "TSLA", "EUR.USD", "GBP.USD"]
    async with app.run_test(size=(120, 40)) as pilot:
        terminal = Mirror(app)
        await ready(pilot, app)
        wl = app.query_one(Watchlist)
        box = wl.parent
        bottom = Region(box.region.x, box.region.bottom - 1, box.region.width, 1)

        async def border_shows(text: str) -> str:
            """The box's bottom line on the terminal, once it shows ``text``."""
            await until(pilot, lambda: text in terminal.text(bottom), what=f"{text!r} on the border")
            return terminal.text(bottom)

        assert "╰" in await border_shows("1 below")
        assert wl.size.height == 9  # 8 rows under the header
        wl.focus()
        await pilot.press("end")
        assert "below" not in await border_shows("1 above")
        # a new note repaints the border's line alone, not the box and the table in it: nothing is
        # written over the box's left border above its bottom line (the table's own rows may be,
        # as each second moves its data ages on)
        terminal.written.clear()
        box.note("2 above")
        await border_shows("2 above")
        left = box.region.x
        over_border = [(y, x0, x1) for y, x0, x1 in terminal.written
                       if box.region.y <= y < bottom.y and x0 <= left < x1]
        assert over_border == [], over_border
        box.note("1 above")
        await pilot.press("delete")  # GBP.USD goes: all eight fit, and the view comes back up
        await border_shows("─────╯")
        await until(pilot, lambda: wl.top == 0 and "above" not in terminal.text(bottom), what="the view back up")


async def test_help_tab_and_quit_with_working_orders(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app)
        assert app.screen.has_class("compact")
        await pilot.press("question_mark")
        assert isinstance(app.screen, Help)
        rows = app.screen.rows
        assert ("b", "Buy lmt", "buy_limit") in rows and any(r[2] == "kill_switch" for r in rows)
        await pilot.press("escape")
        await pilot.press("tab")
        await pilot.pause(0.1)
        shown = app.query_one("#positions-pane").region
        assert shown.height > 5 and shown.width > 60, "positions fill the screen"
        assert app.query_one("#ladder-pane").region.height == 0
        await pilot.press("tab")
        await pilot.pause(0.1)
        assert app.query_one("#orders-pane").region.height > 5
        assert app.query_one("#positions-pane").region.height == 0
        await pilot.press("tab")
        await pilot.pause(0.1)
        tape = app.query_one("#tape-pane").region
        assert tape.height > 5 and tape.width > 60, "time & sales fills the screen"
        assert app.query_one("#orders-pane").region.height == 0
        await pilot.press("tab", "tab")
        await pilot.pause(0.1)
        assert app.query_one("#ladder-pane").region.height > 5, "back to the ladder"
        await pilot.press("j", "j", "j", "b")
        await until(pilot, lambda: app.desk.orders.working())
        await pilot.press("q")
        assert isinstance(app.screen, Confirm)
        assert app.screen.question == ("1 working order stays working at the broker after you quit "
                                       "(X cancels it first). Quit?")
        await pilot.press("y")
    assert app.exit_note.startswith("ibtui: 1 working order remains working at the broker.")


async def test_keymap_rebinds_a_key(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    app.settings.keymap = {"buy_market": "ctrl+u"}
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("ctrl+u")
        await until(pilot, lambda: len(gateway_orders(paused)) == 1)
        assert gateway_orders(paused)[0].order_type == "MKT"


async def test_fills_show_in_positions_and_order_blotter(paused, tmp_path) -> None:
    from tui.widgets.blotter import Blotter
    from tui.widgets.panes import Positions

    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("B", "B")
        await until(pilot, lambda: app.desk.portfolio.position(app.ladder_spec.contract.con_id) == 2)
        await settle(pilot)
        positions = app.query_one(Positions)
        assert positions.row_count == 1
        assert positions.get_row_at(0)[1] == "+2"
        blotter = app.query_one(Blotter)
        rows = [blotter.get_row_at(i) for i in range(blotter.row_count)]
        assert len(rows) == 2, "one row per order"
        assert [r[8] for r in rows] == ["Filled", "Filled"]
        assert all(r[9].startswith("@6") for r in rows), rows  # filled whole @ average, on the tick grid
        assert "pos +2" in app.query_one(Ladder).header


async def test_positions_value_a_position_as_the_ladder_does(paused, tmp_path) -> None:
    from tui.widgets.panes import Positions

    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("B", "B")
        con = app.ladder_spec.contract.con_id
        await until(pilot, lambda: app.desk.portfolio.position(con) == 2)
        last = app.desk.markets[con].last
        for _ in range(50):  # the market moves on: the open P&L with it, the same in both panes
            paused.call(paused.gateway.run_steps, 20)
            await settle(pilot)
            if app.desk.markets[con].last != last:
                break
        assert app.desk.markets[con].last != last
        positions = app.query_one(Positions)

        def same() -> bool:
            unreal = positions.get_row_at(0)[4]
            return unreal != "+0.00" and f"P&L {unreal} " in app.query_one(Ladder).header

        await until(pilot, same, what="the positions' Unreal is the ladder's P&L")


async def test_an_fx_size_is_shown_whole_in_the_blotter_and_positions(paused, tmp_path) -> None:
    """A quantity of 250000 in the blotter's four-character Qty column read 2500, and a position of
    +250000 read +2500: a column widens for a cell wider than it instead of cutting it. And a
    million and more was written 1.23457e+06 (another number) wherever a quantity was shown; it
    is written with its thousands marked, as 1234567 is a glance away from 123456."""
    from tui.widgets.blotter import Blotter
    from tui.widgets.panes import Positions

    app = make_app(paused, tmp_path, symbol="EUR.USD", risk__max_order_quantity=10_000_000,
                   risk__max_position=10_000_000)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        app.quantity = 1_234_567
        await pilot.press("B")
        con = app.ladder_spec.contract.con_id
        await until(pilot, lambda: app.desk.portfolio.position(con) == 1_234_567)
        await settle(pilot)

        def lines(table) -> list[str]:
            return [str(table.render_line(y).text) for y in range(table.size.height)]

        order = next(line for line in lines(app.query_one(Blotter)) if "EUR.USD" in line)
        assert re.search(r"BUY +1,234,567 MKT .* Filled +@1\.\d{5} ", order), order  # the price whole
        held = next(line for line in lines(app.query_one(Positions)) if "EUR.USD" in line)
        assert " +1,234,567 " in held, held
        assert "pos +1,234,567 @ 1." in app.query_one(Ladder).header
        assert "qty 1,234,567" in app.query_one(Ladder).header
        assert any("filled BUY 1,234,567 EUR.USD @ 1." in m.text for m in app.desk.messages)
        # the columns stay in line with their headers
        header = lines(app.query_one(Blotter))[0]
        assert header.index("Qty") + 3 == order.index("1,234,567") + 9, (header, order)
        assert "Time" in header, header  # a seven-digit quantity leaves the order's time on screen at 120x40
        # time & sales: an FX print's millions in full, under the size header
        from tui.widgets.tape import TimeAndSales
        tas = app.query_one(TimeAndSales)
        paused.call(paused.gateway.run_steps, 300, 0.01)  # the market trades
        await until(pilot, lambda: "no trades" not in str(tas.render_line(1).text) and tas.tape is not None)
        size = tas.tape.prints[-1][2]
        line, title = tas.render_line(1).text, tas.render_line(0).text
        assert f"{size:,}" in line and title.index("size") + 4 == line.rindex(f"{size:,}") + len(f"{size:,}"), \
            (title, line)


async def test_fx_starts_at_a_round_lot_with_limits_in_euros_without_any_config(paused, tmp_path) -> None:
    """Out of the box, ``--symbol EUR.USD`` started at a quantity of 1 (one euro) with presets of
    1 to 500 and refused any order over 1,000 euros. A cash pair now starts at 25,000, its presets
    run to 2,000,000 and its limits are counted in euros; a contract's stay as they were."""
    app = make_app(paused, tmp_path, symbol="EUR.USD")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        assert app.quantity == 25_000 and "qty 25,000" in app.query_one(Ladder).header
        await pilot.press("7")  # preset 7
        assert app.quantity == 1_000_000
        await pilot.press("B")
        con = app.ladder_spec.contract.con_id
        await until(pilot, lambda: app.desk.portfolio.position(con) == 1_000_000, what="a million euros bought")
        app.quantity = 3_000_000
        await pilot.press("B")
        await until(pilot, lambda: any("exceeds max_order_quantity 2,000,000" in m.text for m in app.desk.messages),
                    what="the refusal, by name")
        assert len(gateway_orders(paused)) == 1
        await pilot.press("plus")  # the step is the pair's own
        assert app.quantity == 3_025_000
    es = make_app(paused, tmp_path / "es", symbol="ES")
    async with es.run_test(size=(120, 40)) as pilot:
        await ready(pilot, es)
        assert es.quantity == 1


async def test_a_cell_cut_at_its_column_says_so_and_never_reads_as_another_price(paused, tmp_path) -> None:
    """A partial fill of a big FX order, 1,234,567@1.08555, in the blotter's last column at 120x40
    was cut to 1,234,567@1.0: a price of 1.0. A cut cell now ends in an ellipsis."""
    import time as clock

    from tui.core.contracts import Contract
    from tui.core.orders import OrderRecord
    from tui.widgets.blotter import Blotter

    app = make_app(paused, tmp_path, symbol="EUR.USD")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        blotter = app.query_one(Blotter)
        rec = OrderRecord(900, app.ladder_spec.contract, "BUY", 12_000_000, "TRAIL LIMIT", None, 1.0855, "DAY",
                          "Submitted", filled=1_234_567, avg_price=1.08555, updated=clock.time(),
                          error="Order held while securities are located", error_code=404)
        blotter.update_orders([rec], app.desk.fmt)
        await settle(pilot, 0.1)
        line = str(blotter.render_line(1).text).rstrip()
        assert "1,234,567@1.08555" in line or line.endswith("…"), line
        assert not re.search(r"@1\.\d{0,4}(\s|$)", line), line  # never a shorter price than the grid's
        # a price wider than the Limit column's eight cells widens it, in line with its header
        nq = OrderRecord(901, Contract("NQ", "FUT", "CME", con_id=77, local_symbol="NQZ6"), "SELL", 1, "LMT",
                         21048.75, None, "DAY", "Submitted", updated=clock.time())
        blotter.update_orders([nq], app.desk.fmt)
        await settle(pilot, 0.1)
        header, row = str(blotter.render_line(0).text), str(blotter.render_line(2).text)
        assert "21048.75" in row and header.index("Limit") + 5 == row.index("21048.75") + 8, (header, row)
        blotter.focus()
        await pilot.press("z")  # the pane zoomed: the cell whole
        await until(pilot, lambda: "1,234,567@1.08555" in str(blotter.render_line(1).text), what="whole")


@pytest.mark.parametrize("layout", ["ladder", "positions", "orders", "watchlist"])
async def test_single_pane_layouts(paused, tmp_path, layout) -> None:
    from tui.widgets.blotter import Blotter
    from tui.widgets.panes import Positions, Watchlist

    app = make_app(paused, tmp_path, layout=layout, symbol="ES")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.desk.broker.can_trade and app.ladder_spec is not None)
        widget = {"ladder": Ladder, "positions": Positions, "orders": Blotter,
                  "watchlist": Watchlist}[layout]
        assert len(app.query(widget)) == 1
        others = [w for w in (Ladder, Positions, Blotter, Watchlist) if w is not widget]
        assert all(not app.query(w) for w in others), "one pane only"
        assert app.screen.has_class("single")


async def test_trailing_stop_key_sends_trail_and_the_ladder_follows_its_stop(paused, tmp_path) -> None:
    from tests.sim.test_orders import move

    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        spec = app.ladder_spec
        await pilot.press("B")  # long 1
        await until(pilot, lambda: app.desk.portfolio.position(spec.contract.con_id) == 1)
        await pilot.press("r")  # sell trailing stop, 8 ticks behind (the default)
        await until(pilot, lambda: len(gateway_orders(paused)) == 2, what="the trail at the gateway")
        trail = gateway_orders(paused)[1]
        assert (trail.action, trail.order_type) == ("SELL", "TRAIL")
        assert trail.price(trail.aux) == pytest.approx(8 * spec.tick)
        rec = app.desk.orders.get(trail.order_id)
        await until(pilot, lambda: rec.working and rec.trail_stop is not None, what="its stop reported")
        first = rec.trail_stop
        assert first == trail.price(trail.trail_stop)
        ladder = app.query_one(Ladder)
        await pilot.pause(0.3)
        tick = spec.tick
        marks = [r for r in ladder.rows if r.sells]
        assert [r.ticks for r in marks] == [to_ticks(first, tick)] and "T" in marks[0].sells
        move(paused, spec.contract.con_id, 16)  # the market rises: the stop follows
        await until(pilot, lambda: rec.trail_stop is not None and rec.trail_stop > first, what="stop moved")
        await pilot.pause(0.3)
        assert [r.ticks for r in ladder.rows if r.sells] == [to_ticks(rec.trail_stop, tick)]
        assert app.desk.modify_price(rec, spec, ticks=1) is None  # a trailing stop is not moved by hand
        assert "moves itself" in app.desk.messages[-1].text
        assert len(gateway_orders(paused)) == 2


async def test_a_daily_loss_limit_blocks_new_risk_but_never_the_way_out(paused, tmp_path) -> None:
    from tests.sim.test_orders import move

    app = make_app(paused, tmp_path, risk__daily_loss_limit=100.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        con = app.ladder_spec.contract.con_id
        await pilot.press("B")  # long 1 ES ...
        await until(pilot, lambda: app.desk.portfolio.position(con) == 1)
        move(paused, con, -24)  # ... and the market falls 24 ticks: about -300 today
        await until(pilot, lambda: (app.desk.portfolio.daily_pnl or 0) <= -100.0, what="a losing day")
        await pilot.press("B")
        await pilot.pause(0.3)
        refused = [m.text for m in app.desk.messages if "daily_loss_limit" in m.text]
        assert refused and "today's P&L" in refused[-1], [m.text for m in app.desk.messages][-3:]
        assert len(gateway_orders(paused)) == 1, "nothing reached the wire"
        await pilot.press("S")  # closing the long reduces risk: allowed
        await until(pilot, lambda: app.desk.portfolio.position(con) == 0, what="flat again")


@pytest.mark.parametrize("demo", [True, False])
async def test_quitting_with_a_position_names_it(paused, tmp_path, demo) -> None:
    """The demo's gateway takes a position with it, so quitting asks; a real gateway keeps it, so
    quitting says so on the way out without asking."""
    app = make_app(paused, tmp_path, demo=demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        con = app.ladder_spec.contract
        before = app.desk.portfolio.position(con.con_id)
        await pilot.press("B")  # a market buy: filled at once
        await until(pilot, lambda: app.desk.portfolio.position(con.con_id) == before + 1)
        await settle(pilot)
        held, count = app._positions_held()
        assert (held, count) == (f"position of {before + 1:+g} {con.key}", 1)
        await pilot.press("q")
        if demo:
            assert isinstance(app.screen, Confirm)
            assert app.screen.question == (f"A {held} at the simulated gateway. Quitting stops the "
                                           "demo's gateway and ends it. Quit?")
            await pilot.press("n")  # stay, and rest an order under the market too
            await settle(pilot)
            app.action_cursor(-10)
            await pilot.press("b")
            await until(pilot, lambda: len(app.desk.orders.working()) == 1, what="a resting order")
            await pilot.press("q")
            assert isinstance(app.screen, Confirm)
            assert app.screen.question.startswith(f"1 working order and a {held} at the simulated "
                                                  "gateway. Quitting stops the demo's gateway and ends them.")
            await pilot.press("y")
    if demo:
        assert app.exit_note == (f"ibtui demo: the simulated gateway stopped; its 1 working order and "
                                 f"the {held} ended with it.")
    else:
        assert app.exit_note == f"ibtui: The broker still holds the {held}."


async def test_a_symbol_with_no_contract_says_why_in_the_ladder_and_sends_nothing(paused, tmp_path) -> None:
    """``--symbol ZZZZ`` used to leave the ladder blank and answer every order key with "not
    resolved yet", as if the answer were still coming: it came, and it was no."""
    app = make_app(paused, tmp_path, symbol="ZZZZ")
    async with app.run_test(size=(120, 40)) as pilot:
        ladder = app.query_one(Ladder)
        await until(pilot, lambda: "no contract matches" in ladder.header, what="the ladder's reason")
        assert ladder.header.startswith("ZZZZ: no contract matches") and "/ searches" in ladder.header
        assert "ZZZZ: no contract matches" in ladder.render_line(0).text
        await pilot.press("b", "B", "o")
        await settle(pilot, 0.2)
        assert not isinstance(app.screen, Ticket)
        said = [m.text for m in list(app.desk.messages)[-3:]]
        assert all(t.startswith("ZZZZ: no contract matches") for t in said), said
        assert gateway_orders(paused) == []
