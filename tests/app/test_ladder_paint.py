"""The ladder paints its own lines: what it sends out is what Textual's styling would."""

from __future__ import annotations

import pytest
from textual.filter import Monochrome
from textual.geometry import Region
from textual.widget import Widget

from tests.app.harness import make_app, ready
from tui.widgets.ladder import Ladder

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
        await pilot.press("j", "j", "b")
        await pilot.pause(0.3)
        ladder = app.query_one(Ladder)
        ladder._cache.clear()
        w, h = ladder.size
        for crop in (Region(0, 0, w, h), Region(3, 5, w - 10, 6)):
            ladder._styles_cache.clear()
            theirs = Widget.render_lines(ladder, crop)
            ours = ladder.render_lines(crop)
            assert cells(ours) == cells(theirs)
        if monochrome:
            colours = {c[1] for line in cells(ours) for c in line if c[1]}
            assert all(r == g == b for r, g, b in colours), colours
