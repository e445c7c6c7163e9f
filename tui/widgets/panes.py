"""The smaller panes: watchlist, positions, order log, messages, status bar."""

from __future__ import annotations

import time
from collections import deque

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import RichLog, Static

from tui.core.contracts import ContractSpec
from tui.core.desk import Message as DeskMessage
from tui.core.events import ConnState, MarketUpdate
from tui.core.portfolio import PositionRow
from tui.core.prices import format_price
from tui.core.words import plain_quantity
from tui.widgets.table import Column, Row, RowTable, cell

SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float], width: int = 12) -> str:
    values = values[-width:]
    if len(values) < 2:
        return ""
    lo, hi = min(values), max(values)
    if hi == lo:
        return SPARKS[3] * len(values)
    return "".join(SPARKS[int((v - lo) / (hi - lo) * (len(SPARKS) - 1))] for v in values)


def signed(value: float | None, var: dict[str, str], fmt: str = "{:+,.2f}") -> Text:
    if value is None:
        return Text("")
    color = var.get("profit") if value > 0 else var.get("loss") if value < 0 else None
    return Text(fmt.format(value), style=color or "")


def sign_style(value: float | None) -> str:
    if not value:
        return ""
    return "profit" if value > 0 else "loss"


class Watchlist(RowTable):
    """Symbols with their quotes; enter opens one in the ladder."""

    COLUMNS = [Column("sym", "Symbol", 8), Column("last", "Last", 9, True),
               Column("chg", "Chg", 9, True, drop=1), Column("bid", "Bid", 9, True),
               Column("ask", "Ask", 9, True), Column("data", "Data", 6),
               Column("vol", "Volume", 13, True, drop=2), Column("spark", "Session", 13, drop=3)]

    class Opened(Message):
        """A watchlist row was opened (enter): show it on the ladder."""
        def __init__(self, query: str) -> None:
            self.query = query
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.history: dict[int, deque[float]] = {}
        self._sampled: dict[int, float] = {}

    @property
    def queries(self) -> list[str]:
        return self.keys

    @staticmethod
    def _blank(query: str) -> Row:
        return (cell(query), cell(""), cell(""), cell(""), cell(""), cell("…", "dim"), cell(""), cell(""))

    def set_symbols(self, queries: list[str]) -> None:
        self.clear()
        for q in dict.fromkeys(queries):
            self.add_row(self._blank(q), q)

    def add_symbol(self, query: str) -> bool:
        if query in self.keys:
            return False
        self.add_row(self._blank(query), query)
        return True

    def remove_symbol(self, query: str) -> None:
        if query in self.keys:
            self.remove_row(query)

    def update_row(self, query: str, spec: ContractSpec | None, m: MarketUpdate | None,
                   badge: str) -> None:
        if query not in self.keys:
            return
        badge_cell = cell(badge, "profit" if badge == "RT" else "stale")
        if spec is None or m is None:
            row = list(self.rows[self.keys.index(query)])
            row[5] = badge_cell
            self.set_row(query, tuple(row))
            return
        tick = spec.tick
        price = m.last or ((m.bid + m.ask) / 2 if m.bid and m.ask else 0.0)
        hist = self.history.setdefault(spec.contract.con_id, deque(maxlen=24))
        now = time.monotonic()
        if price and now - self._sampled.get(spec.contract.con_id, 0) > 5:
            hist.append(price)
            self._sampled[spec.contract.con_id] = now
        chg = (m.last - m.close) if (m.last and m.close) else None
        decimals = len(format_price(tick, tick).split(".")[-1]) if "." in format_price(tick, tick) else 0
        self.set_row(query, (
            cell(spec.contract.key),
            cell(format_price(m.last, tick) if m.last else ""),
            cell(f"{chg:+,.{decimals}f}" if chg is not None else "", sign_style(chg)),
            cell(format_price(m.bid, tick) if m.bid else "", "bid"),
            cell(format_price(m.ask, tick) if m.ask else "", "ask"),
            badge_cell,
            cell(f"{m.volume:,}" if m.volume else ""),
            cell(sparkline(list(hist)), "dim"),
        ))

    def selected_query(self) -> str | None:
        return self.selected_key()

    def on_row_table_selected(self, event: RowTable.Selected) -> None:
        event.stop()
        self.post_message(self.Opened(event.key))


class Positions(RowTable):
    """One row per instrument held (or held earlier today): size, cost, P&L."""

    COLUMNS = [Column("sym", "Symbol", 8), Column("qty", "Qty", 6, True), Column("avg", "Avg", 9, True),
               Column("last", "Last", 9, True, drop=2), Column("unreal", "Unreal", 11, True),
               Column("real", "Realized", 11, True, drop=1), Column("daily", "Daily", 11, True, drop=1)]

    def update_rows(self, rows: list[PositionRow], ticks: dict[int, float],
                    markets: dict[int, MarketUpdate] | None = None) -> None:
        """``markets``: the live quotes; an instrument with a last trade is valued at it, as the
        ladder values it (the gateway's own figures follow its mark, a second or so behind).
        A row no longer among ``rows`` (not held at a gateway connected to since) goes."""
        held = {str(row.contract.con_id) for row in rows}
        for key in [k for k in self.keys if k not in held]:
            self.remove_row(key)
        for row in rows:
            con = row.contract.con_id
            tick = ticks.get(con, 0.01)
            last, unreal = row.market_price, row.unrealized
            m = markets.get(con) if markets else None
            if m is not None and m.last:
                last = m.last
                if row.quantity:
                    unreal = row.unrealized_at(m.last)
            cells = (
                cell(row.contract.key),
                cell(plain_quantity(row.quantity, sign=True), sign_style(row.quantity)),
                cell(format_price(row.avg_price, tick) if row.quantity else ""),
                cell(format_price(last, tick) if last else ""),
                cell(f"{unreal:+,.2f}", sign_style(unreal)),
                cell(f"{row.realized:+,.2f}", sign_style(row.realized)),
                cell(f"{row.daily:+,.2f}", sign_style(row.daily)),
            )
            key = str(con)
            if key in self.keys:
                self.set_row(key, cells)
            else:
                self.add_row(cells, key)


class Messages(RichLog):
    """The desk's messages, newest last, coloured by level."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, wrap=True, markup=False, max_lines=500, min_width=20)
        self.seen = 0  # desk messages already written
        self._shown: deque[Text] = deque(maxlen=500)  # as written, to wrap again at a new width
        self._width = 0

    def fresh(self, messages: deque[DeskMessage], said: int) -> list[DeskMessage]:
        """What the desk said since the last call (``said`` counts every message ever)."""
        new = min(said - self.seen, len(messages))
        self.seen = said
        return list(messages)[len(messages) - new:] if new > 0 else []

    def on_resize(self, event: events.Resize) -> None:
        # (Textual also runs RichLog's own handler.) RichLog wraps a line when it is written:
        # at a new width the lines are written again, so a wider pane uses its width; and a
        # pane made smaller keeps showing the newest lines, not the oldest.
        width = event.size.width
        if self._width and width != self._width and self._shown:
            super().clear()
            for line in self._shown:
                self.write(line)
        self._width = width
        # after the lines just written are laid out (their height is not known before)
        self.call_after_refresh(self.scroll_end, animate=False)

    def clear(self) -> Messages:
        self._shown.clear()
        super().clear()
        return self

    def add(self, items: list[DeskMessage], var: dict[str, str]) -> None:
        colors = {"error": var.get("loss"), "warning": var.get("stale"), "order": var.get("profit")}
        for m in items:
            stamp = time.strftime("%H:%M:%S", time.localtime(m.time))
            line = Text(f"{stamp} {m.text}", style=colors.get(m.level) or "")
            self._shown.append(line)
            self.write(line)
        if items:
            # the newest line in view once it is laid out: RichLog's own scroll can fall a
            # wrapped line short when it scrolls before the new lines' height is known
            self.call_after_refresh(self.scroll_end, animate=False)


class StatusBar(Static):
    """CONNECTED/…, server version, account, PAPER or LIVE, READ-ONLY, money, stats."""

    def show(self, state: ConnState, reason: str, reconciling: bool, version: int, account: str,
             live: bool, read_only: bool, killed: bool, net_liq: float | None,
             buying_power: float | None, daily: float | None, stats: str, var: dict[str, str]) -> None:
        t = Text()
        color = {ConnState.CONNECTED: var.get("profit"), ConnState.DEGRADED: var.get("stale"),
                 ConnState.CONNECTING: var.get("stale"), ConnState.RECONNECTING: var.get("stale"),
                 ConnState.DISCONNECTED: var.get("loss")}[state]
        t.append(f" {state.value} ", style=f"bold reverse {color}" if color else "bold reverse")
        if reconciling:
            t.append(" RECONCILING ", style=f"bold {var.get('stale', '')}")
        if reason and (state != ConnState.CONNECTED or reason):
            t.append(f" {reason[:60]}", style="italic")
        if version:
            t.append(f"  v{version}")
        if account:
            t.append(f"  {account}")
        if live:
            t.append(" LIVE ", style=f"bold reverse blink {var.get('live-warning', 'red')}")
        else:
            t.append("  ")
            t.append(" PAPER ", style=f"bold reverse {var.get('paper', 'green')}")
        if read_only:
            t.append(" READ-ONLY ", style="bold reverse")
        if killed:
            t.append(" KILL SWITCH ON ", style=f"bold reverse {var.get('live-warning', 'red')}")
        if net_liq is not None:
            t.append(f"  NetLiq {net_liq:,.0f}")
        if buying_power is not None:
            t.append(f"  BP {buying_power:,.0f}")
        if daily is not None:
            t.append("  Day ")
            t.append_text(signed(daily, var, "{:+,.0f}"))
        if stats:
            t.append(f"  {stats}", style="dim")
        self.update(t)
