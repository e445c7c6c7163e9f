"""Time & sales: the ladder instrument's trades, newest first, coloured by who took liquidity."""

from __future__ import annotations

import time

from rich.segment import Segment
from textual.strip import Strip

from tui.core.contracts import ContractSpec
from tui.core.ladder import size_text
from tui.core.prices import format_price
from tui.core.tape import Tape
from tui.widgets.styles import DirectLines, LeanStrip, ThemeStyles, fitted

SIDE = {1: ("B", "bid"), -1: ("S", "ask"), 0: (" ", "dim")}  # buyer lifted / seller hit / unknown
W_SIZE, W_FX_SIZE = 6, 9  # 12,500 shares; 1,000,000 euros, in full and in line with the header


def size_width(spec: ContractSpec | None) -> int:
    return W_FX_SIZE if spec is not None and spec.contract.sec_type == "CASH" else W_SIZE


class TimeAndSales(DirectLines, can_focus=True):
    """One line per trade: time, price, size, and B or S for the aggressor."""

    ALLOW_MAXIMIZE = True
    DEFAULT_CSS = "TimeAndSales { height: 1fr; }"

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.tape: Tape | None = None
        self.spec: ContractSpec | None = None
        self._seq = -1
        self._theme = ThemeStyles()

    def show(self, spec: ContractSpec | None, tape: Tape | None) -> None:
        """Redraw when the tape has new prints (or is another instrument's)."""
        seq = tape.seq if tape is not None else -1
        if tape is not self.tape or spec is not self.spec or seq != self._seq:
            self.tape, self.spec, self._seq = tape, spec, seq
            self.refresh()

    def render_line(self, y: int) -> Strip:
        if self._theme.sync(self.app):
            self.refresh()
        style = self._theme.get
        width = self.size.width
        if y == 0:
            title = f"{'time':<8} {'price':>10} {'size':>{size_width(self.spec)}}"
            return LeanStrip([Segment(title.ljust(width)[:width], style("title"))], width)
        tape, spec = self.tape, self.spec
        i = len(tape.prints) - y if tape is not None else -1
        if tape is None or spec is None or i < 0:
            text = "no trades yet" if y == 1 and spec is not None else ""
            return LeanStrip([Segment(text.ljust(width)[:width], style("dim"))], width)
        when, price, size, side = tape.prints[i]
        letter, name = SIDE.get(side, SIDE[0])
        stamp = time.strftime("%H:%M:%S", time.localtime(when)) if when else "--:--:--"
        w = size_width(spec)
        size_cell = size_text(size, w, grouped=True)
        line = f"{stamp} {format_price(price, spec.tick):>10} {size_cell:>{w}} {letter}"
        return LeanStrip([Segment(fitted(line, width), style(name))], width)
