"""Keys on the trading screen run at once (the key lane), in order, and nowhere else."""

from __future__ import annotations

import pytest
from textual.events import Key

from tests.app.harness import gateway_orders, make_app, ready, settle, until
from tui.core.prices import from_ticks, to_ticks
from tui.screens import trading
from tui.screens.ticket import Ticket
from tui.widgets.ladder import Ladder
from tui.widgets.panes import Positions

pytestmark = pytest.mark.timeout(90)


def press_now(app, *keys: str) -> None:
    """Keys as a fast typist's arrive: all posted before the loop turns once."""
    for k in keys:
        app.post_message(Key(k, k if len(k) == 1 else None))


async def test_a_burst_of_keys_runs_in_order_at_once(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        spec = app.ladder_spec
        start = app.query_one(Ladder).cursor
        taken = app.key_lane.taken
        press_now(app, "j", "j", "j", "b", "j", "b")
        # ran inside post_message: the orders exist before the loop has turned
        assert app.key_lane.taken == taken + 6
        assert len(app.desk.orders.working()) == 2
        await until(pilot, lambda: len(gateway_orders(paused)) == 2, what="two orders at the gateway")
        prices = [o.price(o.lmt) for o in gateway_orders(paused)]
        assert prices == [from_ticks(start - 3, spec.tick), from_ticks(start - 4, spec.tick)]


async def test_a_modal_gets_its_keys_not_the_ladder(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("o")
        assert isinstance(app.screen, Ticket)
        taken = app.key_lane.taken
        await pilot.press("b", "s", "j")  # typed into the ticket's field
        await settle(pilot)
        assert app.key_lane.taken == taken
        assert gateway_orders(paused) == [] and not app.desk.orders.working()
        await pilot.press("escape")
        assert not isinstance(app.screen, Ticket)
        await pilot.press("j", "b")
        await until(pilot, lambda: len(gateway_orders(paused)) == 1, what="an order from the ladder")


async def test_with_a_table_focused_keys_go_textuals_way_and_do_the_same(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        app.query_one(Positions).focus()
        await pilot.pause(0.05)
        ladder = app.query_one(Ladder)
        taken, cursor = app.key_lane.taken, ladder.cursor
        await pilot.press("j", "b")  # the app's bindings, reached through Textual's chain
        await until(pilot, lambda: len(gateway_orders(paused)) == 1, what="an order")
        assert app.key_lane.taken == taken
        o = gateway_orders(paused)[0]
        assert to_ticks(o.price(o.lmt), app.ladder_spec.tick) == cursor - 1


async def test_panes_painted_in_slices_all_arrive(paused, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(trading, "SLICE_SECONDS", 0.0)  # one pane per turn
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("j", "j", "b")
        await until(pilot, lambda: app.desk.orders.working(), what="a working order")
        await settle(pilot)
        assert app.screen.slices > 0
        text = "\n".join(line.text for line in app.screen._compositor.render_strips())
        assert "1L" in text, "the ladder shows the order"
        assert "Working" in text or "Submitted" in text, "the blotter shows it too"


async def test_zoomed_ladder_trades_and_paints(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app)
        await pilot.press("z")  # the ladder fills the screen
        await pilot.pause(0.1)
        ladder = app.query_one(Ladder)
        assert app.screen.maximized is ladder and ladder.size.width == 80
        await pilot.press("j", "j", "b")
        await until(pilot, lambda: len(gateway_orders(paused)) == 1, what="an order from the zoomed ladder")
        await settle(pilot)
        text = "\n".join(line.text for line in app.screen._compositor.render_strips())
        assert "1L" in text and "VOL" in text, text


async def test_a_key_that_asks_first_sends_the_next_keys_to_the_question(paused, tmp_path) -> None:
    from tui.screens.modals import Confirm

    app = make_app(paused, tmp_path, confirm="always")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        press_now(app, "j", "b", "b", "s")  # a fast double press: one question, nothing sent
        assert isinstance(app.screen, Confirm)
        assert sum(isinstance(s, Confirm) for s in app.screen_stack) == 1
        await settle(pilot)
        assert gateway_orders(paused) == [] and not app.desk.orders.working()
        await pilot.press("y")
        await until(pilot, lambda: len(gateway_orders(paused)) == 1, what="the one confirmed order")
        await settle(pilot)
        assert len(gateway_orders(paused)) == 1 and gateway_orders(paused)[0].action == "BUY"
