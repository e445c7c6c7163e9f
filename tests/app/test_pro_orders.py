"""Reverse, chase, auto-breakeven and multi-target brackets from the ladder keys, against the
simulated gateway: what goes on the wire and what the screen shows."""

from __future__ import annotations

from textual.geometry import Region

from tests.app.harness import gateway_orders, make_app, ready, settle, until
from tui.core.prices import to_ticks
from tui.widgets.ladder import Ladder


def push(paused, con_id: int, ticks: int, steps: int = 1500) -> None:
    """Move an instrument's fair value ``ticks`` away and let the book and trades follow."""
    gw = paused.gateway

    def run() -> None:
        m = gw.markets[con_id]
        m.fair = (m.bid + m.ask) / 2 + ticks
        m.fair_time = float("inf")
        gw.run_steps(steps)
        m.fair_time = gw.clock.now()

    paused.call(run)


def at_ask(app) -> None:
    spec = app.ladder_spec
    app.query_one(Ladder).cursor = to_ticks(app.desk.markets[spec.contract.con_id].ask, spec.tick)


async def test_reverse_cancels_the_instruments_orders_and_turns_the_position_around(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        con = app.ladder_spec.contract.con_id
        await pilot.press("F")
        await settle(pilot)
        assert "no position to reverse" in app.desk.messages[-1].text
        await pilot.press("2", "B")
        await until(pilot, lambda: app.desk.portfolio.position(con) == 2)
        await pilot.press("j", "j", "j", "b")  # a resting buy the reverse must not leave behind
        await until(pilot, lambda: len(app.desk.orders.working(con)) == 1)
        await pilot.press("F")
        await until(pilot, lambda: app.desk.portfolio.position(con) == -2, what="short 2")
        wire = gateway_orders(paused)
        assert (wire[-1].action, wire[-1].quantity, wire[-1].order_type, wire[-1].order_ref) == (
            "SELL", 4, "MKT", "reverse")
        assert wire[-2].status == "Cancelled" and not app.desk.orders.working(con)


async def test_a_chasing_buy_follows_the_bid_up_within_its_bounds_and_fills(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path, orders__chase_max_ticks=20)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        spec = app.ladder_spec
        con = spec.contract.con_id
        bid = app.desk.markets[con].bid
        await pilot.press("g")
        await until(pilot, lambda: app.desk.orders.working(con) and app.desk.orders.working(con)[0].status == "Submitted")
        (rec,) = app.desk.orders.working(con)
        assert rec.lmt_price == bid and rec.order_id in app.desk.chases
        prices = [bid]
        for _ in range(3):  # the market lifts; the order follows the bid, one move at a time
            push(paused, con, 3, 300)
            await until(pilot, lambda: app.desk.markets[con].bid > prices[-1], what="the bid lifts")
            await until(pilot, lambda: rec.lmt_price == app.desk.markets[con].bid or not rec.working,
                        what="at the bid again")
            prices.append(rec.lmt_price)
        assert prices == sorted(prices) and prices[-1] > bid
        moved = len(set(prices)) - 1
        assert 0 < moved <= 20, prices
        push(paused, con, -10)  # and comes back through it
        await until(pilot, lambda: rec.status == "Filled", what="filled")
        assert not app.desk.chases
        assert not [m for m in app.desk.messages if "[100" in m.text], "never over IB's message rate"


async def test_a_chase_stops_after_its_maximum_and_says_so(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path, orders__chase_max_ticks=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        con = app.ladder_spec.contract.con_id
        await pilot.press("g")
        await until(pilot, lambda: app.desk.chases)
        for _ in range(6):
            push(paused, con, 3, 300)
            await settle(pilot, 0.3)
            if not app.desk.chases:
                break
        assert not app.desk.chases
        assert any("chase of order" in m.text and "stopped" in m.text for m in app.desk.messages)
        (rec,) = app.desk.orders.working(con)
        assert rec.working, "it rests where it is"


async def test_two_targets_each_with_its_own_stop_and_the_stops_move_to_breakeven(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path, orders__bracket_targets=[[1, 4], [1, 8]],
                   orders__bracket_stop_loss_ticks=6, orders__breakeven_ticks=3,
                   orders__breakeven_offset_ticks=1)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        spec = app.ladder_spec
        con, tick = spec.contract.con_id, spec.tick
        at_ask(app)
        await pilot.press("2", "e")
        await until(pilot, lambda: len(gateway_orders(paused)) == 5, what="five orders at the gateway")
        parent, tp1, sl1, tp2, sl2 = gateway_orders(paused)
        await until(pilot, lambda: app.desk.orders.get(parent.order_id).status == "Filled", what="entry filled")
        entry = app.desk.orders.get(parent.order_id).avg_price
        assert [(o.action, o.quantity, o.order_type) for o in (tp1, sl1, tp2, sl2)] == [
            ("SELL", 1, "LMT"), ("SELL", 1, "STP"), ("SELL", 1, "LMT"), ("SELL", 1, "STP")]
        assert tp1.oca_group == sl1.oca_group != tp2.oca_group == sl2.oca_group
        assert {o.parent_id for o in (tp1, sl1, tp2, sl2)} == {parent.order_id}
        push(paused, con, 5)  # up through breakeven and the first target
        await until(pilot, lambda: app.desk.orders.get(tp1.order_id).status == "Filled", what="target 1")
        await until(pilot, lambda: app.desk.orders.get(sl1.order_id).status == "Cancelled", what="its stop")
        await until(pilot, lambda: app.desk.orders.get(sl2.order_id).aux_price == entry + tick,
                    what="the other stop at breakeven")
        assert app.desk.orders.get(tp2.order_id).working and app.desk.portfolio.position(con) == 1
        assert any("breakeven" in m.text for m in app.desk.messages)


async def test_trailing_stop_limits_from_the_ticket_and_the_u_key(paused, tmp_path) -> None:
    from textual.widgets import Select

    from tui.screens.ticket import Ticket

    app = make_app(paused, tmp_path, orders__trail_limit_offset_ticks=3)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        spec = app.ladder_spec
        con, tick = spec.contract.con_id, spec.tick
        await pilot.press("B")
        await until(pilot, lambda: app.desk.portfolio.position(con) == 1)
        await pilot.press("u")  # sell trailing stop-limit: 8 ticks behind, limit 3 beyond the stop
        await until(pilot, lambda: len(gateway_orders(paused)) == 2, what="the trail at the gateway")
        trail = gateway_orders(paused)[1]
        assert (trail.action, trail.order_type) == ("SELL", "TRAIL LIMIT")
        assert (trail.price(trail.aux), trail.price(trail.lmt_offset)) == (8 * tick, 3 * tick)
        rec = app.desk.orders.get(trail.order_id)
        await until(pilot, lambda: rec.trail_stop is not None, what="its stop reported")
        await settle(pilot)
        assert any("TL" in r.sells for r in app.query_one(Ladder).rows), "drawn TL at its stop"

        await pilot.press("o")
        ticket = app.screen
        assert isinstance(ticket, Ticket)
        ticket.query_one("#side", Select).value = "SELL"
        ticket.query_one("#type", Select).value = "TRAIL LIMIT"
        await settle(pilot, 0.1)
        assert str(ticket.query_one("#stop-label").render()) == "Trailing amount"
        assert str(ticket.query_one("#limit-label").render()) == "Limit offset"
        ticket.query_one("#stop").value = "2.10"
        ticket.query_one("#limit").value = "0.5"
        await settle(pilot, 0.1)
        verdict = ticket.query_one("#verdict")
        assert "trailing amount 2.10 is off the 0.25 tick grid" in str(verdict.render())
        # the whole reason is on the screen, wrapped inside the ticket, the suggestion too
        assert verdict.parent.content_region.contains_region(verdict.region), "not cut off at the edge"
        lines = verdict.render_lines(Region(0, 0, verdict.region.width, verdict.region.height))
        assert "(nearest 2.00 or 2.25)" in " ".join(line.text.strip() for line in lines)
        ticket.query_one("#stop").value = "2.00"
        await settle(pilot, 0.1)
        assert "passes the risk checks" in str(ticket.query_one("#verdict").render())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(gateway_orders(paused)) == 3)
        o = gateway_orders(paused)[2]
        assert (o.order_type, o.price(o.aux), o.price(o.lmt_offset)) == ("TRAIL LIMIT", 2.0, 0.5)
