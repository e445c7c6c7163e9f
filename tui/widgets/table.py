"""A small table on the Line API: painted rows are cached, and only changed rows repaint.

Textual's DataTable re-renders every visible cell whenever any cell changes;
at a few updates a second that cost tens of milliseconds per refresh here, and
a key press waited behind it. These tables hold plain (text, style) cells.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip

from tui.widgets.pane import Pane
from tui.widgets.styles import DirectLines, LeanStrip, ThemeStyles, fitted

Cell = tuple[str, str]  # text, style name
Row = tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Column:
    """A column; when the table is too narrow, the highest ``drop`` rank goes first."""

    key: str
    label: str
    width: int
    right: bool = False
    drop: int = 0  # 0: never dropped (clipped last); higher: dropped sooner


HIDDEN_MARK = "»"  # at the header's end: columns are hidden; zoom (z) shows them all


def fit_columns(columns: list[Column], width: int, widths: list[int] | None = None) -> tuple[int, ...]:
    """Indexes of the columns that fit ``width``, dropping the highest ``drop`` ranks first
    (``widths``: the columns' widths now, if not their own)."""
    w = widths or [c.width for c in columns]
    keep = list(range(len(columns)))
    for rank in sorted({c.drop for c in columns if c.drop}, reverse=True):
        if sum(w[i] for i in keep) <= width:
            break
        for i in sorted((i for i in keep if columns[i].drop == rank), reverse=True):
            if sum(w[k] for k in keep) <= width:
                break
            keep.remove(i)
    return tuple(keep)


def cell(text: object, style: str = "") -> Cell:
    return (str(text), style)


class RowTable(DirectLines, can_focus=True):
    """Rows keyed by string; a cursor; a fixed header line."""

    ALLOW_MAXIMIZE = True  # z: the pane fills the screen

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "move(-10)", "Page up", show=False),
        Binding("pagedown", "move(10)", "Page down", show=False),
        Binding("home", "move(-1000000)", "First", show=False),
        Binding("end", "move(1000000)", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]
    DEFAULT_CSS = "RowTable { height: 1fr; }"

    class Selected(Message):
        """A row was chosen (enter)."""
        def __init__(self, table: RowTable, key: str) -> None:
            self.table = table
            self.key = key
            super().__init__()

    COLUMNS: list[Column] = []

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.rows: list[Row] = []
        self.keys: list[str] = []
        self.cursor_row = 0
        self.top = 0
        self._styles = ThemeStyles()
        self._cache: dict[tuple[Row, int, bool], Strip] = {}
        self._fit: tuple[int, ...] = tuple(range(len(self.COLUMNS)))
        self._fit_width = -1
        # a column widens for a cell wider than it, and stays so: a number is never cut (a quantity
        # of 20000 in a four-character column read 2000). A last column of text (a note) takes
        # what is left of the line instead, and may be cut at the edge.
        self._widths = [c.width for c in self.COLUMNS]
        last = len(self.COLUMNS) - 1
        self._growing = [i for i, c in enumerate(self.COLUMNS) if c.right or i != last]
        self._overflow = ""  # "6 above · 2 below", on the pane's bottom border

    @property
    def shown_columns(self) -> list[Column]:
        return [self.COLUMNS[i] for i in self._fitted()]

    def _fitted(self, width: int | None = None) -> tuple[int, ...]:
        """The columns shown (``width``: the table's, when painting: known then, and ``size``
        is not free)."""
        if width is None:
            width = self.size.width
        if width != self._fit_width:
            self._fit_width = width
            self._fit = fit_columns(self.COLUMNS, width, self._widths)
        return self._fit

    # --- content -----------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self.rows)

    def get_row_at(self, index: int) -> list[str]:
        return [text for text, _ in self.rows[index]]

    def clear(self) -> None:
        self.rows.clear()
        self.keys.clear()
        self.cursor_row = self.top = 0
        self._widths = [c.width for c in self.COLUMNS]
        self._relayout()
        self._note_overflow()

    def add_row(self, cells: Row, key: str) -> None:
        self.rows.append(cells)
        self.keys.append(key)
        if not self._widen_for(cells):
            self._refresh_row(len(self.rows) - 1)
        self._note_overflow()

    def set_row(self, key: str, cells: Row) -> None:
        i = self.keys.index(key)
        if self.rows[i] != cells:
            self.rows[i] = cells
            if not self._widen_for(cells):
                self._refresh_row(i)

    def _widen_for(self, cells: Row) -> bool:
        """Widen the columns ``cells`` do not fit; True when that repainted the whole table."""
        widths = self._widths
        grown = False
        for i in self._growing:
            need = len(cells[i][0]) + 1  # and the space after it
            if need > widths[i]:
                widths[i] = need
                grown = True
        if grown:
            self._relayout()
        return grown

    def _relayout(self) -> None:
        self._fit_width = -1
        self._cache.clear()
        self.refresh()

    def remove_row(self, key: str) -> None:
        i = self.keys.index(key)
        del self.rows[i]
        del self.keys[i]
        self.cursor_row = min(self.cursor_row, max(0, len(self.rows) - 1))
        # no blank page below the last row: removing rows near the end pulls the view back up
        self.top = max(0, min(self.top, len(self.rows) - self._visible()))
        self.refresh()
        self._note_overflow()

    def move_cursor(self, row: int | None = None, **_: object) -> None:
        if row is None or not self.rows:
            return
        old = self.cursor_row
        self.cursor_row = max(0, min(row, len(self.rows) - 1))
        visible = self._visible()
        if self.cursor_row < self.top:
            self.top = self.cursor_row
            self.refresh()
            self._note_overflow()
        elif self.cursor_row >= self.top + visible:
            self.top = self.cursor_row - visible + 1
            self.refresh()
            self._note_overflow()
        else:
            self._refresh_row(old)
            self._refresh_row(self.cursor_row)

    def _visible(self) -> int:
        """Rows the table shows under its header."""
        return max(1, self.size.height - 1)

    def _note_overflow(self) -> None:
        """Say on the pane's border how many rows are out of view, above and below: a row
        added past the bottom of a short pane (a watchlist symbol, an order) is otherwise not
        known to be there."""
        if not self.size.height:
            return  # hidden (the compact layout's other panes): nothing to say yet
        above = self.top
        below = max(0, len(self.rows) - self.top - self._visible())
        note = " · ".join(part for part in (f"{above} above" if above else "",
                                             f"{below} below" if below else "") if part)
        if note != self._overflow:
            self._overflow = note
            if isinstance(self.parent, Pane):
                self.parent.note(note)

    def action_move(self, delta: int) -> None:
        self.move_cursor(self.cursor_row + delta)

    def action_select(self) -> None:
        if self.rows:
            self.post_message(self.Selected(self, self.keys[self.cursor_row]))

    def selected_key(self) -> str | None:
        return self.keys[self.cursor_row] if self.rows and self.cursor_row < len(self.keys) else None

    def _refresh_row(self, i: int) -> None:
        y = i - self.top + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    # --- painting ----------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        if self._styles.sync(self.app):
            self._cache.clear()
        width = self.content_size.width
        if y == 0:
            shown = self._fitted(width)
            text = "".join(self._pad(self.COLUMNS[i].label, self._widths[i], self.COLUMNS[i].right)
                           for i in shown).ljust(width)[:width]
            if len(shown) < len(self.COLUMNS) and width > 1:
                text = text[:-1] + HIDDEN_MARK
            return LeanStrip([Segment(text, self._styles.get("header"))], width)
        i = self.top + y - 1
        if i >= len(self.rows):
            return LeanStrip([Segment(" " * width, self._styles.get("base"))], width)
        cursor = i == self.cursor_row and self.has_focus
        key = (self.rows[i], width, cursor)
        strip = self._cache.get(key)
        if strip is None:
            if len(self._cache) > 512:
                self._cache.clear()
            strip = self._cache[key] = self._paint(self.rows[i], width, cursor)
        return strip

    @staticmethod
    def _pad(text: str, width: int, right: bool) -> str:
        room = width - 1
        if len(text) > room:  # cut, and marked so: "250,000@1.0" read as a price of 1.0
            text = fitted(text, room)
        return (text.rjust(room) if right else text.ljust(room)) + " "

    def _paint(self, row: Row, width: int, cursor: bool) -> Strip:
        cursor_style = self._styles.get("cursor")
        segs = []
        used = 0
        columns, widths = self.COLUMNS, self._widths
        for i in self._fitted(width):
            column = columns[i]
            text, style_name = row[i]
            style = self._styles.get(style_name)
            if cursor:
                style = style + cursor_style
            # the last column shown takes what is left, so a note is not cut at its nominal width
            w = widths[i] if i != self._fit[-1] else max(widths[i], width - used)
            segs.append(Segment(self._pad(text, w, column.right), style))
            used += w
        if width > used:
            base = self._styles.get("base")
            segs.append(Segment(" " * (width - used), base + cursor_style if cursor else base))
        # measured, not declared: a cell wider than its column (a character taking two cells)
        # is cut at the pane's edge instead of overwriting the border beside it
        return LeanStrip(segs).crop(0, width)

    def on_resize(self) -> None:
        # scrolled while hidden (height 0), a table would show only its cursor row
        visible = self._visible()
        self.top = max(0, min(self.top, self.cursor_row, len(self.rows) - visible))
        if self.cursor_row >= self.top + visible:
            self.top = self.cursor_row - visible + 1
        self._cache.clear()
        self.refresh()
        self._note_overflow()

    def on_focus(self) -> None:
        self._refresh_row(self.cursor_row)

    def on_blur(self) -> None:
        self._refresh_row(self.cursor_row)
