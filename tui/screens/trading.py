"""The trading screen: draws what changed in slices, so a key never waits for a whole screen.

Textual paints every widget that changed in one go: under a busy market that was
4-15 ms on this machine class (the ladder, the time and sales, two tables and the
blotter in one callback), and a key pressed meanwhile waited for all of it. Here
each update paints the ladder first, then further changed panes only while a
small budget lasts; the rest are painted on the loop's next turn, after any key
that arrived. Nothing is skipped or reordered within a pane: a pane is painted
whole, just not necessarily in the same callback as the others.
"""

from __future__ import annotations

import asyncio
import time

from textual.dom import NoScreen
from textual.screen import Screen
from textual.widget import Widget

from tui.core.gate import DeskGate
from tui.core.priority import UI
from tui.screens.compositor import LeanCompositor

SLICE_SECONDS = 0.0015  # paint more panes in one turn only while under this


class TradingScreen(Screen[None]):
    """The app's main screen; ``first`` are painted before other panes."""

    def __init__(self, first: tuple[type[Widget], ...] = (), gate: DeskGate | None = None) -> None:
        super().__init__()
        self._compositor = LeanCompositor()  # renders only what an update shows
        self.first = first
        self.gate = gate  # the desk's: open while painting, so a key's order need not wait
        self.slices = 0  # turns that left panes for the next (tests read it)
        self._continuing = False

    def _on_timer_update(self) -> None:
        with UI:  # market-data decoding steps aside while panes are painted
            if self.gate is None:
                self._paint_slice()
                return
            with self.gate.open():  # painting reads the widgets, never the desk
                self._paint_slice()

    def paint_now(self, widgets: set[Widget]) -> None:
        """Panes a frame changed, painted now: what Textual's messages and update timer would
        have done a few turns of the loop later (``FrameRepaints``)."""
        for w in widgets:
            if not w._repaint_required:
                continue
            try:
                screen = w.screen
            except NoScreen:  # removed meanwhile
                continue
            if screen is not self:  # not a pane of this screen (one on a modal): Textual's way
                w.check_idle()
                continue
            w._repaint_required = False  # as a widget's idle check does as it tells the screen
            if w.display:
                self._dirty_widgets.add(w)
        if self._dirty_widgets:
            self._on_timer_update()
        if self._dirty_widgets and not self._continuing:  # not painted (a batch, another screen):
            self.check_idle()  # Textual's way

    def _paint_slice(self) -> None:
        dirty = self._dirty_widgets
        if (len(dirty) < 2 or self in dirty or not self.is_current or self.app._batch_count
                or self._layout_required or self._scroll_required or self._repaint_required
                or self._recompose_required):
            super()._on_timer_update()
            return
        waiting = sorted(dirty, key=lambda w: not isinstance(w, self.first))
        started = time.perf_counter()
        while waiting:
            dirty.clear()
            dirty.add(waiting.pop(0))
            super()._on_timer_update()  # paints it (and clears the set)
            if time.perf_counter() - started > SLICE_SECONDS:
                break
        if waiting:
            dirty.update(waiting)
            self.slices += 1
            if not self._continuing:
                self._continuing = True
                asyncio.get_running_loop().call_soon(self._continue)

    def _continue(self) -> None:
        self._continuing = False
        if self._dirty_widgets and self.is_attached:
            self._on_timer_update()
