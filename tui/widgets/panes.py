"""The smaller panes: watchlist, positions, order log, messages, status bar."""

from __future__ import annotations

import time
from collections import deque

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable, RichLog, Static

from tui.core.contracts import ContractSpec
from tui.core.desk import LogLine
from tui.core.desk import Message as DeskMessage
from tui.core.events import ConnState, MarketUpdate
from tui.core.portfolio import PositionRow
from tui.core.prices import format_price

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


class Watchlist(DataTable):
    """Symbols with their quotes; enter opens one in the ladder."""

    class Opened(Message):
        def __init__(self, query: str) -> None:
            self.query = query
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.queries: list[str] = []
        self.history: dict[int, deque[float]] = {}
        self._sampled: dict[int, float] = {}
        self._shown: dict[tuple[str, str], object] = {}  # what each cell shows now

    def _set(self, query: str, column: str, value: object) -> None:
        # DataTable repaints on every update_cell: skip the ones that change nothing
        key = (query, column)
        if self._shown.get(key) != value:
            self._shown[key] = value
            self.update_cell(query, column, value)

    def on_mount(self) -> None:
        for label, width in (("Symbol", 7), ("Last", 9), ("Chg", 7), ("Bid", 9), ("Ask", 9),
                             ("Data", 5), ("Session", 12), ("Volume", 10)):
            self.add_column(label, width=width, key=label)

    def set_symbols(self, queries: list[str]) -> None:
        self.queries = list(queries)
        self.clear()
        for q in self.queries:
            self.add_row(q, "", "", "", "", "…", "", "", key=q)

    def add_symbol(self, query: str) -> bool:
        if query in self.queries:
            return False
        self.queries.append(query)
        self.add_row(query, "", "", "", "", "…", "", "", key=query)
        return True

    def remove_symbol(self, query: str) -> None:
        if query in self.queries:
            self.queries.remove(query)
            self.remove_row(query)

    def update_row(self, query: str, spec: ContractSpec | None, m: MarketUpdate | None,
                   badge: str, var: dict[str, str]) -> None:
        if query not in self.queries:
            return
        if spec is None:
            self._set(query, "Data", badge)
            return
        tick = spec.tick
        if m is not None:
            last = m.last or (m.bid + m.ask) / 2 if (m.bid and m.ask) else m.last
            hist = self.history.setdefault(spec.contract.con_id, deque(maxlen=24))
            now = time.monotonic()
            if last and now - self._sampled.get(spec.contract.con_id, 0) > 5:
                hist.append(last)
                self._sampled[spec.contract.con_id] = now
            chg = (m.last - m.close) if (m.last and m.close) else None
            cells = {
                "Symbol": spec.contract.key,
                "Last": format_price(m.last, tick) if m.last else "",
                "Chg": signed(chg, var, "{:+,.%df}" % min(4, len(format_price(tick, tick).split(".")[-1])))
                if chg is not None else "",
                "Bid": Text(format_price(m.bid, tick), style=var.get("bid", "")) if m.bid else "",
                "Ask": Text(format_price(m.ask, tick), style=var.get("ask", "")) if m.ask else "",
                "Volume": f"{m.volume:,}",
                "Session": sparkline(list(hist)),
            }
            for col, value in cells.items():
                self._set(query, col, value)
        style = var.get("stale", "") if badge != "RT" else var.get("profit", "")
        self._set(query, "Data", Text(badge, style=style))

    def selected_query(self) -> str | None:
        if not self.queries or self.cursor_row < 0 or self.cursor_row >= len(self.queries):
            return None
        return self.queries[self.cursor_row]

    def action_select_cursor(self) -> None:
        q = self.selected_query()
        if q:
            self.post_message(self.Opened(q))


class Positions(DataTable):
    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, cursor_type="row")
        self._keys: set[int] = set()

    def on_mount(self) -> None:
        for label, width in (("Symbol", 8), ("Qty", 6), ("Avg", 10), ("Last", 10),
                             ("Unreal", 10), ("Realized", 10), ("Daily", 9)):
            self.add_column(label, width=width, key=label)

    def update_rows(self, rows: list[PositionRow], ticks: dict[int, float], var: dict[str, str]) -> None:
        for row in rows:
            con = row.contract.con_id
            tick = ticks.get(con, 0.01)
            cells = [row.contract.key, Text(f"{row.quantity:+g}" if row.quantity else "0",
                                            style=var.get("profit") if row.quantity > 0 else
                                            var.get("loss") if row.quantity < 0 else ""),
                     format_price(row.avg_price, tick) if row.quantity else "",
                     format_price(row.market_price, tick) if row.market_price else "",
                     signed(row.unrealized, var), signed(row.realized, var), signed(row.daily, var)]
            if con not in self._keys:
                self._keys.add(con)
                self.add_row(*cells, key=str(con))
            else:
                for col, value in zip(("Symbol", "Qty", "Avg", "Last", "Unreal", "Realized", "Daily"), cells):
                    self.update_cell(str(con), col, value)


class OrderLog(DataTable):
    """One line per order event; ``working_only`` hides finished orders."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, cursor_type="row")
        self.working_only = False
        self.shown = 0
        self.order_ids: list[int] = []

    def on_mount(self) -> None:
        for label, width in (("Time", 12), ("Id", 3), ("Status", 9), ("Side", 4), ("Qty", 4),
                             ("Type", 6), ("Price", 9), ("Sym", 7), ("Filled", 14), ("Note", 50)):
            self.add_column(label, width=width, key=label)

    def update_lines(self, lines: list[LogLine], working: set[int], var: dict[str, str],
                     force: bool = False) -> None:
        if force:
            self.clear()
            self.shown = 0
            self.order_ids = []
        for line in lines[self.shown:]:
            self.shown += 1
            if self.working_only and line.order_id not in working:
                continue
            stamp = time.strftime("%H:%M:%S", time.localtime(line.time)) + f".{int(line.time * 1000) % 1000:03d}"
            status_style = {"Filled": var.get("profit"), "Cancelled": var.get("stale"),
                            "Inactive": var.get("loss")}.get(line.status, "")
            side_style = var.get("bid") if line.side == "BUY" else var.get("ask")
            filled = f"{line.filled:g} @ {line.avg_price:g}" if line.filled else ""
            self.add_row(stamp, str(line.order_id), Text(line.status[:9], style=status_style or ""),
                         Text(line.side[:4], style=side_style or ""), f"{line.quantity:g}",
                         line.order_type, f"{line.price:g}" if line.price is not None else "MKT",
                         line.symbol, filled, line.text)
            self.order_ids.append(line.order_id)
        if self.row_count:
            self.move_cursor(row=self.row_count - 1, animate=False)

    def selected_order(self) -> int | None:
        if not self.order_ids or not 0 <= self.cursor_row < len(self.order_ids):
            return None
        return self.order_ids[self.cursor_row]


class Messages(RichLog):
    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, wrap=True, markup=False, max_lines=500)
        self.shown = 0.0

    def add(self, items: list[DeskMessage], var: dict[str, str]) -> None:
        colors = {"error": var.get("loss"), "warning": var.get("stale"), "order": var.get("profit")}
        for m in items:
            if m.time <= self.shown and m is not items[-1]:
                continue
            stamp = time.strftime("%H:%M:%S", time.localtime(m.time))
            self.write(Text(f"{stamp} {m.text}", style=colors.get(m.level) or ""))
        if items:
            self.shown = items[-1].time


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
