"""Screens at fixed sizes, with a paused market, a manual clock and a fixed app clock."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.app.harness import FIXED_NOW, make_app, ready, until
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
def test_ladder_layout_shows_the_newest_messages(snap_compare, paused, tmp_path, size) -> None:
    """A tmux pane with the ladder alone: its messages pane had no room for a single line,
    so a fill or a gateway's warning was never seen there."""
    app = make_app(paused, tmp_path, layout="ladder", clock=lambda: FIXED_NOW)
    assert snap_compare(app, terminal_size=size, run_before=prepare(app, "B"))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_main_screen(snap_compare, paused, tmp_path, size) -> None:
    app = snapshot_app(paused, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=prepare(app))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_order_ticket(snap_compare, paused, tmp_path, size) -> None:
    app = snapshot_app(paused, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=prepare(app, "o"))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_ladder_with_queue_positions_and_recent_trades(snap_compare, paused, tmp_path, size,
                                                       monkeypatch) -> None:
    """Two resting buys with their places in the queue, the trades column and time & sales."""
    monkeypatch.setenv("TZ", "UTC")  # time & sales shows local times
    time.tzset()
    app = snapshot_app(paused, tmp_path)

    async def run_before(pilot) -> None:
        await prepare(app)(pilot)
        paused.call(paused.gateway.run_steps, 300, 0.01)
        await quiet(pilot, app)
        await pilot.press("space", "j", "b", "j", "b")  # at and below the bid, where the market is
        await until(pilot, lambda: len(app.desk.queue.places) == 2)
        paused.call(paused.gateway.run_steps, 100, 0.01)
        await quiet(pilot, app)

    try:
        assert snap_compare(app, terminal_size=size, run_before=run_before)
    finally:
        monkeypatch.undo()
        time.tzset()


async def quiet(pilot, app) -> None:
    """Until the feed has gone still and the last of it is drawn."""
    h = app.desk.broker.h
    seen, still = -1, 0
    while still < 3:
        await pilot.pause(0.1)
        still = still + 1 if h.received == seen and not h.pending else 0
        seen = h.received
    await pilot.pause(0.2)


def test_help(snap_compare, paused, tmp_path) -> None:
    app = snapshot_app(paused, tmp_path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=prepare(app, "question_mark"))


@pytest.mark.parametrize("theme", ["ibtui-light", "ibtui-high-contrast", "ibtui-colorblind"])
def test_themes(snap_compare, paused, tmp_path, theme) -> None:
    app = snapshot_app(paused, tmp_path, theme)
    assert snap_compare(app, terminal_size=(120, 40), run_before=prepare(app))


SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "test_screens"


@pytest.mark.parametrize("start,end", [((120, 40), (80, 24)), ((80, 24), (120, 40))],
                         ids=["120x40-to-80x24", "80x24-to-120x40"])
def test_resized_screen_is_the_fresh_screen(snap_compare, paused, tmp_path, start, end) -> None:
    """A pane resized while it runs shows what a fresh start at that size shows."""
    app = snapshot_app(paused, tmp_path)

    async def run_before(pilot) -> None:
        await pilot.resize_terminal(*start)
        await prepare(app)(pilot)
        await pilot.resize_terminal(*end)
        await pilot.pause(0.5)

    assert snap_compare(app, terminal_size=start, run_before=run_before)
    fresh = SNAPSHOTS / f"test_main_screen[size{0 if end == (80, 24) else 1}].svg"
    resized = SNAPSHOTS / f"test_resized_screen_is_the_fresh_screen[{start[0]}x{start[1]}-to-{end[0]}x{end[1]}].svg"
    if fresh.exists() and resized.exists():
        assert resized.read_text() == fresh.read_text(), "resized differs from a fresh start at that size"
