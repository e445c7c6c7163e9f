"""The ladder, the tables and time & sales send their lines out directly: what Textual's
styling would have made of them, without its cost."""

from __future__ import annotations

import pytest
from textual.filter import Monochrome
from textual.geometry import Region
from textual.widget import Widget

from tests.app.harness import Mirror, make_app, ready, until
from tui.widgets.blotter import Blotter
from tui.widgets.ladder import Ladder
from tui.widgets.panes import Watchlist
from tui.widgets.tape import TimeAndSales

pytestmark = pytest.mark.timeout(60)


def cells(strips) -> list[list[tuple[str, object, object, bool]]]:
    """Each line as characters with their final colours and boldness."""
    out = []
    for strip in strips:
        line = []
        for seg in strip:
            st = seg.style
            for ch in seg.text:
                line.append((ch, st.color.triplet if st and st.color else None,
                             st.bgcolor.triplet if st and st.bgcolor else None, bool(st and st.bold)))
        out.append(line)
    return out


@pytest.mark.parametrize("monochrome", [False, True])
async def test_direct_lines_match_textuals_styling(paused, tmp_path, monochrome) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        if monochrome:  # as under NO_COLOR: the app's filters still reach the ladder
            app._filters.append(Monochrome())
        await pilot.press("j", "j", "b", "B")  # a working order, a fill, a trade on the tape
        await pilot.pause(0.5)
        for kind in (Ladder, Watchlist, Blotter, TimeAndSales):
            widget = app.query_one(kind)
            w, h = widget.size
            for crop in (Region(0, 0, w, h), Region(3, 1, w - 10, 2)):
                widget._styles_cache.clear()
                theirs = Widget.render_lines(widget, crop)
                ours = widget.render_lines(crop)
                assert cells(ours) == cells(theirs), kind.__name__
                assert any(ch != " " for line in cells(ours) for ch, *_ in line), kind.__name__
            if monochrome:
                colours = {c[1] for line in cells(ours) for c in line if c[1]}
                assert all(r == g == b for r, g, b in colours), (kind.__name__, colours)


async def test_a_line_never_reaches_past_its_pane(paused, tmp_path) -> None:
    """A value wider than its column is cut at the pane's edge: written past it, it overwrote
    the border beside the ladder, which the screen never redraws (seen in tmux at the gateway's
    maximum rate, where a trades count of 9,960 printed as five characters)."""
    from rich.cells import cell_len

    from tui.core.ladder import LadderRow

    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        ladder = app.query_one(Ladder)
        width = ladder.size.width
        ladder._begin_paint()
        huge = LadderRow(ticks=1, price="123456789.123456", bid_size=10 ** 9, ask_size=10 ** 9,
                         buys="B" * 30, sells="S" * 30, volume=10 ** 12, flags=0,
                         traded_buy=10 ** 18, traded_sell=10 ** 18)
        strip = ladder._paint(huge, width)
        assert strip.cell_length == width == sum(cell_len(s.text) for s in strip)
        blotter = app.query_one(Blotter)
        wide = tuple(("注文" * 20, "base") for _ in blotter.COLUMNS)  # two cells a character
        strip = blotter._paint(wide, blotter.size.width, False)
        assert strip.cell_length == blotter.size.width == sum(cell_len(s.text) for s in strip)


async def test_big_sizes_and_narrow_panes_keep_the_columns_in_place(paused, tmp_path) -> None:
    """An FX book's sizes (36,000,000) took eight cells of a six-cell column and pushed the price
    column right; a pane narrower than the ladder (a tmux split) cut off the SELL column, and
    with it the trader's own sell orders. Sizes too wide are shortened; a narrow pane drops the
    depth bars, then a cell of each order and size column."""
    from tui.core.ladder import LadderRow

    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        ladder = app.query_one(Ladder)
        ladder._begin_paint()
        ladder.max_size = 40_000_000

        def text(row: LadderRow, width: int) -> str:
            return "".join(seg.text for seg in ladder._paint(row, width))

        small = LadderRow(ticks=1, price="1.08560", bid_size=400, ask_size=0, buys="1L", sells="",
                          volume=0, flags=0)
        big = LadderRow(ticks=1, price="1.08560", bid_size=36_000_000, ask_size=0, buys="1L", sells="",
                        volume=0, flags=0)
        for width in (62, 44, 38):
            assert text(big, width).index("1.08560") == text(small, width).index("1.08560"), width
            assert "36M" in text(big, width)
        both = LadderRow(ticks=1, price="6010.25", bid_size=30, ask_size=45, buys="1L", sells="2L·15",
                         volume=0, flags=0)
        for width in (44, 41, 38, 35):
            line = text(both, width)
            assert len(line) == width and "1L" in line and "2L·1" in line and "30" in line and "45" in line, \
                (width, line)
            ladder._width = width
            assert "SELL" in "".join(seg.text for seg in ladder._line(1)), width
        # the volume column (a wide pane): an FX day's volume at a price read 12345678, cut from
        # 123456789 at the pane's edge, and a million as 1000000 beside sizes written 1.0M
        for volume, shown in ((123_456_789, " 123M"), (31_000_000, " 31M"), (950_000, " 950000"), (85, " 85")):
            row = LadderRow(ticks=1, price="1.08560", bid_size=0, ask_size=0, buys="", sells="",
                            volume=volume, flags=0)
            assert text(row, 80).rstrip().endswith(shown), (volume, text(row, 80))


async def test_updates_send_what_textuals_compositor_sends(paused, tmp_path) -> None:
    """The trading screen's compositor renders for an update only what the update shows; the
    bytes for the terminal must be Textual's own, for each pane alone, for areas across panes
    and borders, and for any number of changed areas at once."""
    import random
    import re

    from textual._compositor import Compositor

    from tui.screens.compositor import LeanCompositor

    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("j", "j", "b", "B")  # a working order, a fill, a trade on the tape
        await pilot.pause(0.5)
        comp = app.screen._compositor
        assert isinstance(comp, LeanCompositor)

        def update(regions: list[Region], kind: type[Compositor]) -> str:
            comp._dirty_regions.clear()
            comp._dirty_regions.update(regions)
            comp.__class__ = kind
            try:
                sent = comp.render_partial_update().render_segments(app.console)
            finally:
                comp.__class__ = LeanCompositor
            # a cursor move that writes nothing before the next (Textual sends one for the
            # empty end of a pane just right of the area) leaves the screen as it was
            return re.sub(r"\x1b\[\d+;\d+H(?=\x1b\[\d+;\d+H|\n|$)", "", sent)

        panes = [region for region, _ in comp.visible_widgets.values()]
        rng = random.Random(7)
        cases = [[r] for r in panes]
        for _ in range(200):
            x, y = rng.randrange(120), rng.randrange(40)
            area = Region(x, y, rng.randint(1, 120 - x), rng.randint(1, 40 - y))
            cases.append([area] + rng.sample(panes, rng.randint(0, 2)))
        for regions in cases:
            assert update(regions, LeanCompositor) == update(regions, Compositor), regions
        assert "6" in update([Region(0, 0, 120, 40)], LeanCompositor)  # prices were on it


async def test_a_frame_puts_what_it_changed_on_the_terminal_before_it_returns(paused, tmp_path) -> None:
    """A frame paints the panes it changed itself (``FrameRepaints``): the ladder's new header is
    on the terminal as the frame returns, and no pane was sent a message for it."""
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        terminal = Mirror(app)
        await ready(pilot, app)
        await pilot.pause(0.2)
        ladder = app.frames.ladder
        assert ladder is not None and "qty 7" not in terminal.text(ladder.region)
        posted: list[object] = []
        for w in (ladder, ladder.parent, app.screen):
            w.post_message = lambda m, send=w.post_message: posted.append(m) or send(m)  # type: ignore[method-assign]
        app.quantity = 7
        app.frames.draw()  # no await: nothing else runs meanwhile
        assert "qty 7" in terminal.text(ladder.region)
        assert posted == []


def test_lean_lines_are_strips_that_make_their_caches_when_asked() -> None:
    """A painted line makes no caches until one is used (they were most of what set off the
    cycle collector in a storm), and answers every question as a Strip with its segments does."""
    import gc

    from rich.console import Console
    from rich.segment import Segment
    from rich.style import Style
    from textual.cache import FIFOCache
    from textual.strip import Strip

    from tui.widgets.styles import LeanStrip

    segs = [Segment("6010.25 ", Style(color="#00ff00", bgcolor="#000000")),
            Segment("  45 ", Style(color="#ff0000", bgcolor="#101010", bold=True)), Segment("注文 ", None)]
    lean, stock = LeanStrip(segs, 18), Strip(segs, 18)
    assert not any(isinstance(o, FIFOCache) for o in gc.get_referents(lean))
    console = Console(width=40, color_system="truecolor", force_terminal=True)
    for name, args in [("crop", (2, 9)), ("crop", (0, 18)), ("divide", ([4, 9, 18],)),
                       ("crop_extend", (3, 25, None)), ("extend_cell_length", (30,)),
                       ("apply_style", (Style(italic=True),)), ("simplify", ()), ("discard_meta", ())]:
        theirs, ours = getattr(stock, name)(*args), getattr(lean, name)(*args)
        if isinstance(theirs, Strip):
            theirs, ours = [theirs], [ours]
        assert [list(s) for s in ours] == [list(s) for s in theirs], name
        assert [s.render(console) for s in ours] == [s.render(console) for s in theirs], name
    assert lean.crop(2, 9) is lean.crop(2, 9)  # its cache, made on first use, then kept
    assert lean.text == stock.text and lean.cell_length == stock.cell_length == 18


@pytest.mark.parametrize("width", [120, 50, 44, 36])
async def test_the_header_keeps_position_and_quantity_in_a_narrow_pane(paused, tmp_path, width) -> None:
    """Below about 50 columns the header was cut from the right, and the first thing lost was
    the quantity the next key sends. Now the details give way first."""
    import dataclasses

    app = make_app(paused, tmp_path, layout="ladder")
    async with app.run_test(size=(width, 24)) as pilot:
        await ready(pilot, app)
        await pilot.press("B")  # a position
        ladder = app.query_one(Ladder)
        await until(pilot, lambda: "pos +1" in ladder.header, what="the position in the header")
        m = app.desk.markets[app.ladder_spec.contract.con_id]
        ladder.hold = True
        header = ladder._header(dataclasses.replace(m, last=6012.5), 1, 6010.25, 3, 56.25)
        assert "pos +1" in header and "qty 3" in header and header.startswith("ES"), header
        assert header.endswith("HOLD") and len(header) <= ladder.size.width, (header, ladder.size.width)
        if width == 120:  # room for all of it
            assert "pos +1 @ 6010.25  P&L +56.25 (+9t)  qty 3  HOLD" in header, header
        ladder.hold = False
        await pilot.pause(0.3)
        shown = "".join(seg.text for seg in ladder.render_line(0)).rstrip()
        assert "pos +1" in shown and shown.endswith("qty 1"), shown
