"""The tick ladder: one row per price, painted line by line with a row cache.

It is a Line-API widget: each frame it rebuilds the row values (cheap), and
repaints only the lines whose values changed; a painted row is cached by its
values, so a price that comes back costs nothing to draw again.
"""

from __future__ import annotations

from time import perf_counter

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip

from tui.core.contracts import ContractSpec
from tui.core.events import MarketUpdate
from tui.core.ladder import (AVG, BEST_ASK, BEST_BID, CURSOR, IN_SPREAD, LAST, SELECTED, LadderRow,
                             bar_scale, build_rows, mid_ticks, order_marks, short_number, size_text)
from tui.core.orders import OrderRecord
from tui.core.prices import format_price, from_ticks, to_ticks
from tui.core.words import plain_quantity
from tui.widgets.styles import DirectLines, LeanStrip, ThemeStyles, fitted

HEADER_LINES = 2
# column widths: my buys | bid size + bar | price | ask size + bar | my sells | trades | volume
W_ORD, W_SIZE, W_BAR, W_PRICE, W_VOL, W_TRD = 7, 6, 5, 11, 8, 9


def core_width(w_ord: int, w_size: int, w_bar: int) -> int:
    """The columns always shown, both sides and the price, with a space between each two."""
    return 2 * (w_ord + w_size + w_bar) + W_PRICE + 4


W_CORE = core_width(W_ORD, W_SIZE, W_BAR)


def fit_columns(width: int) -> tuple[int, int, int]:
    """The order, size and depth-bar columns' widths in a ladder ``width`` cells wide. A narrow
    pane (a tmux split) loses the bars first, then a cell of each order and size column, so both
    sides of the book and the trader's own orders on both sides stay in view."""
    if width >= W_CORE:
        return W_ORD, W_SIZE, W_BAR
    if width >= core_width(W_ORD, W_SIZE, 0):
        return W_ORD, W_SIZE, 0
    return W_ORD - 2, W_SIZE - 1, 0


class Ladder(DirectLines, can_focus=True):
    """The price ladder for one instrument."""

    ALLOW_MAXIMIZE = True  # z: the pane fills the screen

    DEFAULT_CSS = """
    Ladder { height: 1fr; min-width: 40; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.spec: ContractSpec | None = None
        self.cursor: int | None = None
        self.top = 0
        self.hold = False
        self.auto_center = True
        self.max_rows = 0  # ui.ladder_rows: 0 fits the window
        self.rows: list[LadderRow] = []
        self.header = ""
        self.header_style = Style()
        self._cache: dict[tuple[LadderRow, int, int], Strip] = {}
        self.max_size = 1  # a full depth bar's size (a step above the largest size in view)
        self._theme = ThemeStyles()
        self.paint_seconds = 0.0  # time spent painting lines, for the benchmark
        self._width = 0  # as of the paint in progress
        self._inputs: tuple[object, ...] = ()  # what self.rows were built from
        self._header_inputs: tuple[object, ...] = ()  # what self.header was made from
        self._marks: tuple[tuple[object, ...], dict[int, float] | None, dict[int, tuple[str, str]]] = ((), None, {})

    # --- navigation --------------------------------------------------------------------
    @property
    def visible_rows(self) -> int:
        rows = max(1, self.content_size.height - HEADER_LINES)
        return min(rows, self.max_rows) if self.max_rows else rows

    def set_instrument(self, spec: ContractSpec, market: MarketUpdate | None) -> None:
        self.spec = spec
        self.cursor = None
        self._cache.clear()
        self._inputs = ()
        self.center_on(mid_ticks(market, spec.tick))

    def show_note(self, text: str) -> None:
        """No instrument yet: the header says why (a symbol with no contract), or nothing."""
        if text != self.header:
            self.header = text
            self.refresh(Region(0, 0, self.size.width, 1))

    def center_on(self, ticks: int | None) -> None:
        if ticks is None:
            return
        self.top = ticks + self.visible_rows // 2
        if self.cursor is None:
            self.cursor = ticks

    def move_cursor(self, delta: int) -> None:
        if self.cursor is None:
            return
        self.cursor += delta
        n = self.visible_rows
        if self.cursor > self.top:
            self.top = self.cursor
        elif self.cursor <= self.top - n:
            self.top = self.cursor + n - 1

    def on_resize(self) -> None:
        # a tmux pane resized: the cursor stays where it was, in the middle of the new window
        self._cache.clear()
        if self.cursor is not None:
            self.top = self.cursor + self.visible_rows // 2
        self.refresh()

    def recenter(self, market: MarketUpdate | None) -> None:
        if self.spec is None:
            return
        mid = mid_ticks(market, self.spec.tick)
        if mid is not None:
            self.top = mid + self.visible_rows // 2
            self.cursor = mid

    @property
    def cursor_price(self) -> float | None:
        if self.spec is None or self.cursor is None:
            return None
        return from_ticks(self.cursor, self.spec.tick)

    # --- per frame ------------------------------------------------------------------------
    def update_view(self, market: MarketUpdate | None, working: list[OrderRecord], position: float,
                    avg_price: float | None, quantity: int, pnl: float | None,
                    selected: frozenset[int] = frozenset(), ahead: dict[int, float] | None = None,
                    traded: dict[int, tuple[int, int]] | None = None, badge: str = "") -> None:
        spec = self.spec
        if spec is None:
            return
        tick = spec.tick
        width = self.content_size.width
        n = self.visible_rows
        mid = mid_ticks(market, tick)
        if self.cursor is None and mid is not None:
            self.center_on(mid)
        if mid is not None and self.auto_center and not self.hold:
            # re-centre when the market leaves the middle half of the window
            if not (self.top - n + n // 4 <= mid <= self.top - n // 4):
                self.top = mid + n // 2
        avg = to_ticks(avg_price, tick) if avg_price else None
        # the header and the order marks are made again only from other inputs: most frames
        # bring a market update and no news of the position or the orders
        header_inputs = (spec, position, avg_price, quantity, pnl, badge, self.hold, width,
                         market.last if market is not None and position else None,
                         market is not None and not market.has_depth)
        if header_inputs != self._header_inputs:
            self._header_inputs = header_inputs
            header = self._header(market, position, avg_price, quantity, pnl, badge)
            if header != self.header:
                self.header = header
                self.refresh(Region(0, 0, width, 1))
        cursor = self.cursor if self.cursor is not None else -1
        marks = self._order_marks(working, tick, ahead)
        # the rows are build_rows' of exactly these (a market update is frozen: a new one is a
        # change): a quiet frame, most frames of a quiet market, builds nothing
        inputs = (market, self.top, n, tick, marks, cursor, avg, selected, traded)
        if inputs == self._inputs:
            return
        self._inputs = inputs
        rows = build_rows(self.top, n, tick, market, marks, cursor, avg, selected, traded)
        old = self.rows
        self.rows = rows
        max_size = bar_scale(max(max((r.bid_size for r in rows), default=0),
                                 max((r.ask_size for r in rows), default=0), 1))
        if len(old) != len(rows) or max_size != self.max_size:
            self.max_size = max_size
            self.refresh()
            return
        changed = [Region(0, HEADER_LINES + i, width, 1) for i, (a, b) in enumerate(zip(old, rows)) if a != b]
        if changed:
            self.refresh(*changed)  # one call: each is a walk up Textual's tree

    def _order_marks(self, working: list[OrderRecord], tick: float,
                     ahead: dict[int, float] | None) -> dict[int, tuple[str, str]]:
        """``order_marks`` of these orders, made again only when one of them changed (every
        field the marks are made of is in the key) or a place in a queue moved."""
        key = (tick, *[(r.order_id, r.order_type, r.lmt_price, r.aux_price, r.triggered, r.trail_stop,
                        r.action, r.quantity, r.filled) for r in working])
        last_key, last_ahead, marks = self._marks
        if key != last_key or ahead != last_ahead:
            marks = order_marks(working, tick, ahead)
            self._marks = (key, ahead, marks)
        return marks

    def _header(self, market: MarketUpdate | None, position: float, avg: float | None,
                quantity: int, pnl: float | None, badge: str = "") -> str:
        """The instrument, position, P&L and the quantity a key sends, fitted to the pane: in
        a narrow one the P&L's ticks, then the entry price, the wide gaps and the P&L itself
        give way; the symbol, the position and the quantity always show."""
        spec = self.spec
        assert spec is not None
        symbol = f"{spec.contract.key} {badge}" if badge else spec.contract.key
        pos, at, pnl_text, ticks_text = "flat", "", "", ""
        if position:
            pos, at = f"pos {plain_quantity(position, sign=True)}", f" @ {format_price(avg or 0, spec.tick)}"
            if pnl is not None and market is not None and market.last and avg:
                ticks = (market.last - avg) / spec.tick * (1 if position > 0 else -1)
                pnl_text, ticks_text = f"P&L {pnl:+,.2f}", f" ({ticks:+.0f}t)"
        tail = [f"qty {plain_quantity(quantity)}"]
        if self.hold:
            tail.append("HOLD")
        if market is not None and not market.has_depth:
            tail.append("L1")
        width = self.content_size.width or 10 ** 6
        header = ""
        for gap, with_at, with_pnl, with_ticks in (("  ", 1, 1, 1), ("  ", 1, 1, 0), ("  ", 0, 1, 0),
                                                   (" ", 0, 1, 0), (" ", 0, 0, 0)):
            parts = [symbol, pos + at if with_at else pos]
            if with_pnl and pnl_text:
                parts.append(pnl_text + ticks_text if with_ticks else pnl_text)
            header = gap.join(parts + tail)
            if len(header) <= width:
                break
        return header

    # --- painting ---------------------------------------------------------------------------
    def _style(self, name: str) -> Style:
        return self._theme.get(name)

    def paint_lines(self, start: int, end: int) -> list[Strip]:
        # the theme and the width are looked up once a paint, not once a line: asking Textual
        # for either costs more than painting a cached line
        started = perf_counter()
        self._begin_paint()
        lines = [self._line(y) for y in range(start, end)]
        self.paint_seconds += perf_counter() - started
        return lines

    def render_line(self, y: int) -> Strip:
        started = perf_counter()
        self._begin_paint()
        line = self._line(y)
        self.paint_seconds += perf_counter() - started
        return line

    def _begin_paint(self) -> None:
        if self._theme.sync(self.app):
            self._cache.clear()
        self._width = self.content_size.width

    def _line(self, y: int) -> Strip:
        width = self._width
        if y == 0:
            return LeanStrip([Segment(fitted(self.header, width), self._style("header"))], width)
        if y == 1:
            w_ord, w_size, w_bar = fit_columns(width)
            title = (f"{'BUY':>{w_ord}} {'BID':>{w_size + w_bar}} {'PRICE':^{W_PRICE}} "
                     f"{'ASK':<{w_size + w_bar}} {'SELL':<{w_ord}}")
            if self._show_trades(width):
                title += f" {'TRADES':^{W_TRD}}"
            if self._show_volume(width):
                title += f" {'VOL':>{W_VOL}}"
            return LeanStrip([Segment(title.ljust(width)[:width], self._style("title"))], width)
        i = y - HEADER_LINES
        if i >= len(self.rows):
            return LeanStrip([Segment(" " * width, self._style("base"))], width)
        row = self.rows[i]
        key = (row, width, self.max_size)
        strip = self._cache.get(key)
        if strip is None:
            # small: painted strips that outlive a few frames are promoted to the oldest GC generation,
            # and a busy market's churn of them lengthened full collections (and a key's wait)
            if len(self._cache) > max(256, 4 * len(self.rows)):
                self._cache.clear()
            strip = self._cache[key] = self._paint(row, width)
        return strip

    def _show_trades(self, width: int) -> bool:
        return width >= W_CORE + W_TRD + 1

    def _show_volume(self, width: int) -> bool:
        return width >= W_CORE + W_TRD + W_VOL + 2

    def _paint(self, row: LadderRow, width: int) -> Strip:
        s = self._theme.table().__getitem__
        st = self._theme.table("cursor").__getitem__ if row.flags & CURSOR else s
        max_size = self.max_size
        w_ord, w_size, w_bar = fit_columns(width)

        segs: list[Segment] = []
        segs.append(Segment(f"{row.buys[:w_ord]:>{w_ord}}", st("order")))
        segs.append(Segment(" ", st("base")))
        bars = min(w_bar, round(row.bid_size / max_size * w_bar)) if row.bid_size else 0
        size = f"{size_text(row.bid_size, w_size):>{w_size}}" if row.bid_size else " " * w_size
        segs.append(Segment(" " * (w_bar - bars), st("base")))
        segs.append(Segment(" " * bars, s("bid_bar")))
        segs.append(Segment(size, st("best_bid" if row.flags & BEST_BID else "bid")))
        segs.append(Segment(" ", st("base")))
        marker = "◆" if row.flags & AVG else ("»" if row.flags & SELECTED else " ")
        price = f"{marker}{row.price:^{W_PRICE - 2}} "
        if row.flags & LAST:
            pstyle = "last"
        elif row.flags & BEST_BID:
            pstyle = "best_bid"
        elif row.flags & BEST_ASK:
            pstyle = "best_ask"
        elif row.flags & AVG:
            pstyle = "avg"
        else:
            pstyle = "dim" if row.flags & IN_SPREAD else "base"
        segs.append(Segment(price, st(pstyle) if pstyle != "last" else s("last")))
        segs.append(Segment(" ", st("base")))
        bars = min(w_bar, round(row.ask_size / max_size * w_bar)) if row.ask_size else 0
        size = f"{size_text(row.ask_size, w_size):<{w_size}}" if row.ask_size else " " * w_size
        segs.append(Segment(size, st("best_ask" if row.flags & BEST_ASK else "ask")))
        segs.append(Segment(" " * bars, s("ask_bar")))
        segs.append(Segment(" " * (w_bar - bars), st("base")))
        segs.append(Segment(" ", st("base")))
        segs.append(Segment(f"{row.sells[:w_ord]:<{w_ord}}", st("order")))
        used = core_width(w_ord, w_size, w_bar)
        if self._show_trades(width):
            # what printed here lately: buyers lifting the offer | sellers hitting the bid
            half = (W_TRD - 1) // 2
            bought = short_number(row.traded_buy) if row.traded_buy else ""
            sold = short_number(row.traded_sell) if row.traded_sell else ""
            segs.append(Segment(" ", st("base")))
            segs.append(Segment(f"{bought:>{half}}", st("bid")))
            segs.append(Segment("│" if bought or sold else " ", st("dim")))
            segs.append(Segment(f"{sold:<{half}}", st("ask")))
            used += W_TRD + 1
        if self._show_volume(width):
            segs.append(Segment(" ", st("base")))
            # short past a size column's width, as the sizes are: 31M, not 31000000 (and 123M, not
            # 12345678 cut from 123456789 at the pane's edge)
            vol = size_text(row.volume, W_SIZE) if row.volume else ""
            segs.append(Segment(f"{vol:>{W_VOL}}", st("dim")))
            used += W_VOL + 1
        if width > used:
            segs.append(Segment(" " * (width - used), st("base")))
        # the length the segments have, not the one planned: a column wider than planned is cut
        # at the pane's edge instead of overwriting the border beside it (which the screen then
        # never redraws). Every character here takes one cell, so counting them measures it.
        return LeanStrip(segs, sum([len(seg.text) for seg in segs])).crop(0, width)

