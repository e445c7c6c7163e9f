"""Screens at fixed sizes, with a paused market, a manual clock and a fixed app clock."""

from __future__ import annotations

import pytest

from tests.app.harness import FIXED_NOW, make_app, ready
from tui.widgets.panes import Messages

pytestmark = pytest.mark.timeout(120)


def snapshot_app(gw, tmp_path, theme: str = "ibtui-dark"):
    app = make_app(gw, tmp_path, clock=lambda: FIXED_NOW, ui__theme=theme)
    return app


def prepare(app, *keys: str):
    async def run_before(pilot) -> None:
        await ready(pilot, app)
        # the connect message names the ephemeral port: keep the pane to what the test did
        for box in app.query(Messages):
            box.clear()
        app.desk.messages.clear()
        if keys:
            await pilot.press(*keys)
        await pilot.pause(0.5)

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_main_screen(snap_compare, paused, tmp_path, size) -> None:
    app = snapshot_app(paused, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=prepare(app))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_order_ticket(snap_compare, paused, tmp_path, size) -> None:
    app = snapshot_app(paused, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=prepare(app, "o"))


def test_help(snap_compare, paused, tmp_path) -> None:
    app = snapshot_app(paused, tmp_path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=prepare(app, "question_mark"))


@pytest.mark.parametrize("theme", ["ibtui-light", "ibtui-high-contrast", "ibtui-colorblind"])
def test_themes(snap_compare, paused, tmp_path, theme) -> None:
    app = snapshot_app(paused, tmp_path, theme)
    assert snap_compare(app, terminal_size=(120, 40), run_before=prepare(app))
