"""The box each pane of the trading screen sits in."""

from __future__ import annotations

from textual.containers import Vertical
from textual.geometry import Region

from tui.widgets.styles import PaintedByFrame


class Pane(PaintedByFrame, Vertical):
    """A titled, bordered box around one pane; its bottom border carries a short note (how
    many rows are out of view)."""

    _note_only = False

    def note(self, text: str) -> None:
        """Put ``text`` on the bottom border, repainting that line alone: Textual repaints the
        whole box for a new border subtitle (its title, the table in it, every border line),
        and a blotter's note changes with each order once the pane is full."""
        self._note_only = True
        try:
            self.border_subtitle = text
        finally:
            self._note_only = False

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Pane:
        if self._note_only and not regions and repaint and not (layout or recompose):
            height = self.outer_size.height
            if height:
                # regions are given from the content's corner; the border is above and left of it
                x, y = self.content_offset
                regions = (Region(-x, height - 1 - y, self.outer_size.width, 1),)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
