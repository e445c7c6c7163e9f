"""The ladder, the tables and time & sales send their lines out directly: what Textual's
styling would have made of them, without its cost."""

from __future__ import annotations

import pytest
from textual.filter import Monochrome
from textual.geometry import Region
from textual.widget import Widget

from tests.app.harness import make_app, ready
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
