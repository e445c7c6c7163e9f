"""Queue position, the trades column and time & sales, against the simulated gateway."""

from __future__ import annotations

from tests.app.harness import make_app, ready, settle, until
from tui.core.prices import to_ticks
from tui.widgets.ladder import Ladder
from tui.widgets.tape import TimeAndSales


def trade(paused, steps: int) -> None:
    paused.call(paused.gateway.run_steps, steps, 0.01)


async def test_a_resting_limit_shows_its_queue_position_falling_as_trades_print_at_its_price(
        paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        spec = app.ladder_spec
        ladder = app.query_one(Ladder)
        bid = app.desk.markets[spec.contract.con_id].bid
        ladder.cursor = to_ticks(bid, spec.tick)  # join the best bid
        await pilot.press("b")
        await until(pilot, lambda: app.desk.orders.working()
                    and app.desk.queue.ahead(app.desk.orders.working()[0].order_id) is not None)
        rec = app.desk.orders.working()[0]
        first = app.desk.queue.ahead(rec.order_id)
        assert first == app.desk.markets[spec.contract.con_id].bid_size > 0, "joined behind what was shown"
        await settle(pilot)
        row = next(r for r in ladder.rows if r.ticks == to_ticks(bid, spec.tick))
        assert row.buys == f"1L·{first:g}"
        seen = [first]
        for _ in range(20):  # the market trades at the bid
            trade(paused, 50)
            await settle(pilot, 0.15)
            if not rec.working:
                break
            seen.append(app.desk.queue.ahead(rec.order_id))
        assert min(seen) < first and seen == sorted(seen, reverse=True), f"never moved back: {seen}"
        if rec.working:
            row = next(r for r in ladder.rows if r.ticks == to_ticks(bid, spec.tick))
            assert row.buys == f"1L·{seen[-1]:g}", "the screen shows the latest estimate"


async def test_time_and_sales_and_the_trades_column_move_with_the_market_and_clear(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        tape = app.query_one(TimeAndSales)
        trade(paused, 300)
        await until(pilot, lambda: tape.tape is not None and len(tape.tape.prints) >= 5)
        await settle(pilot)
        _, _, size, side = tape.tape.prints[-1]
        line = tape.render_line(1).text
        letter = 'B' if side > 0 else 'S' if side < 0 else ' '
        assert f"{size:>6,} {letter}" in line, line
        # in line with the header; an FX print's size with its thousands marked in a wider column
        shown = f"{size:,}"
        assert tape.render_line(0).text.index("size") + 4 == line.index(f"{shown} {letter}") + len(shown)
        from tui.core.ladder import size_text
        assert (size_text(1_000_000, 9, True), size_text(125_000_000, 9, True), size_text(7, 6, True)) == \
            ("1,000,000", "125M", "7")
        assert (size_text(12_500, 6, True), size_text(125_000, 6, True)) == ("12,500", "125k")
        from tui.widgets.styles import fitted
        assert (fitted("16:11:02  1.08530 1,000,000 S", 26), fitted("abc", 5)) == \
            ("16:11:02  1.08530 1,000,0…", "abc  ")
        ladder = app.query_one(Ladder)
        assert sum(r.traded_buy + r.traded_sell for r in ladder.rows) > 0
        assert "TRADES" in ladder.render_line(1).text
        await pilot.press("d")
        await settle(pilot)
        assert sum(r.traded_buy + r.traded_sell for r in ladder.rows) == 0
        assert "trades column cleared" in app.desk.messages[-1].text
        assert len(tape.tape.prints) >= 5, "time & sales keeps its history"


async def test_time_and_sales_as_a_pane_of_its_own(paused, tmp_path) -> None:
    app = make_app(paused, tmp_path, layout="tape")
    async with app.run_test(size=(60, 20)) as pilot:
        await until(pilot, lambda: app.ladder_spec is not None
                    and app.ladder_spec.contract.con_id in app.desk.markets)
        trade(paused, 300)
        tape = app.query_one(TimeAndSales)
        await until(pilot, lambda: tape.tape is not None and len(tape.tape.prints) > 0)
        assert tape.region.height >= 10  # 20 rows less status, footer, its frame and 5 for messages


async def test_a_busy_tape_leaves_no_screen_lines_for_the_cycle_collector(paused, tmp_path) -> None:
    """Every replaced line is freed when dropped: a full collection has nothing of the screen's
    to free (a whole-line divide once cached the line on itself, and freeing thousands of them
    in one collection held a key for tens of milliseconds)."""
    import gc

    from textual.strip import Strip

    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        tape = app.query_one(TimeAndSales)
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            for _ in range(5):
                trade(paused, 100)
                await settle(pilot, 0.15)
            await until(pilot, lambda: tape.tape is not None and len(tape.tape.prints) >= 5)
            gc.collect()
            stranded = sum(1 for o in gc.garbage if isinstance(o, Strip))
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
        assert stranded == 0, f"{stranded} screen lines were left for the cycle collector"
