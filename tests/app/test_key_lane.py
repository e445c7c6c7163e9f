"""Keys on the trading screen run at once (the key lane), in order, and nowhere else."""

from __future__ import annotations

import asyncio
import threading

import pytest
from textual.events import Key

from tests.app.harness import gateway_orders, make_app, ready, settle, until
from tui import key_lane
from tui.core.prices import from_ticks, to_ticks
from tui.key_lane import hand_over
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


# --- keys from the terminal driver's thread (the direct path) ---------------------------------
def run_on_gated_loop(app, scenario) -> None:
    """``scenario(pilot)`` with the app on the loop ``ibtui`` runs it on (the gate opens while it
    waits and paints)."""
    from tui.core.gate import gated_loop

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot, app)
            await scenario(pilot)

    with asyncio.Runner(loop_factory=lambda: gated_loop(app.desk.gate)) as runner:
        runner.run(main())


async def type_from_driver_thread(app, *keys: str) -> None:
    """Keys as the terminal driver's thread reads them: one after another, each handed over as it
    is read (run there and then when it may, else posted to the loop)."""
    loop = asyncio.get_running_loop()
    t = threading.Thread(target=lambda: [hand_over(loop, app.post_message, Key(k, k if len(k) == 1 else None),
                                                   app.key_lane) for k in keys])
    t.start()
    while t.is_alive():
        await asyncio.sleep(0.005)


@pytest.fixture
def patient(monkeypatch):
    """A key waits for the loop as long as it takes, so which path it takes never depends on timing."""
    monkeypatch.setattr(key_lane, "DIRECT_WAIT", 30.0)


def test_an_order_key_runs_on_the_driver_thread_while_the_loop_waits(paused, tmp_path, patient) -> None:
    app = make_app(paused, tmp_path)

    async def scenario(pilot) -> None:
        lane, ladder, spec = app.key_lane, app.query_one(Ladder), app.ladder_spec
        await type_from_driver_thread(app, "j", "j")  # cursor keys go to the loop
        await until(pilot, lambda: lane.arrived == lane.handed == 2, what="both cursor keys run")
        start = ladder.cursor
        direct = lane.direct
        await type_from_driver_thread(app, "b")
        assert lane.direct == direct + 1, "ran on the driver's thread"
        assert len(app.desk.orders.working()) == 1  # recorded as sent before the key returned
        await until(pilot, lambda: len(gateway_orders(paused)) == 1, what="the order at the gateway")
        o = gateway_orders(paused)[0]
        assert to_ticks(o.price(o.lmt), spec.tick) == start and o.action == "BUY"
        await until(pilot, lambda: "Working" in screen_text(app), what="the blotter shows it working")
        await type_from_driver_thread(app, "c")  # cancel at the cursor: direct too
        assert lane.direct == direct + 2
        await until(pilot, lambda: not app.desk.orders.working(), what="the order cancelled")
        assert gateway_orders(paused)[0].status == "Cancelled"

    run_on_gated_loop(app, scenario)


def test_a_burst_from_the_driver_thread_keeps_its_order(paused, tmp_path, patient) -> None:
    app = make_app(paused, tmp_path)

    async def scenario(pilot) -> None:
        spec, start = app.ladder_spec, app.query_one(Ladder).cursor
        await type_from_driver_thread(app, "b", "j", "j", "j", "b", "k", "s")
        await until(pilot, lambda: len(gateway_orders(paused)) == 3, what="three orders")
        got = [(o.action, to_ticks(o.price(o.lmt), spec.tick)) for o in gateway_orders(paused)]
        assert got == [("BUY", start), ("BUY", start - 3), ("SELL", start - 2)]

    run_on_gated_loop(app, scenario)


def test_keys_typed_after_the_ticket_key_go_to_the_ticket(paused, tmp_path, patient) -> None:
    app = make_app(paused, tmp_path)

    async def scenario(pilot) -> None:
        await type_from_driver_thread(app, "o", "b", "s", "c")  # read before the ticket is on screen
        await settle(pilot)
        assert isinstance(app.screen, Ticket)
        assert gateway_orders(paused) == [] and not app.desk.orders.working()
        assert app.key_lane.direct == 0

    run_on_gated_loop(app, scenario)


def test_an_order_that_asks_first_asks_on_the_loop(paused, tmp_path, patient) -> None:
    from tui.screens.modals import Confirm

    app = make_app(paused, tmp_path, confirm="always")

    async def scenario(pilot) -> None:
        await type_from_driver_thread(app, "b", "b", "s")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        assert sum(isinstance(s, Confirm) for s in app.screen_stack) == 1
        assert gateway_orders(paused) == [] and app.key_lane.direct == 0

    run_on_gated_loop(app, scenario)


def test_a_refusal_from_the_driver_thread_is_said_and_sends_nothing(paused, tmp_path, patient) -> None:
    app = make_app(paused, tmp_path, risk__max_order_quantity=1)

    async def scenario(pilot) -> None:
        await type_from_driver_thread(app, "b")
        await until(pilot, lambda: len(gateway_orders(paused)) == 1, what="a first order")
        app.quantity = 5
        await type_from_driver_thread(app, "b")
        assert app.key_lane.direct == 2
        await until(pilot, lambda: "refused" in screen_text(app), what="the refusal on screen")
        await settle(pilot)
        assert len(gateway_orders(paused)) == 1

    run_on_gated_loop(app, scenario)


def screen_text(app) -> str:
    return "\n".join(line.text for line in app.screen._compositor.render_strips())
