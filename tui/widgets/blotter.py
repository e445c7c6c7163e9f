"""The order blotter: one row per order, as the gateway last described it.

Rows are keyed by order id and repainted only when the desk says the order
changed. Prices are printed on the instrument's tick grid; statuses in words a
trader reads at a glance (the legend is in help).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from textual.message import Message

from tui.core.errors import reason
from tui.core.orders import OrderRecord
from tui.core.ordertypes import UNKNOWN, has_limit, has_stop, is_trailing, status_word
from tui.core.words import plain_quantity
from tui.widgets.table import Column, Row, RowTable, cell

STATUS_STYLE = {"Filled": "profit", "Cancelled": "stale", "ApiCancelled": "stale", "Inactive": "loss",
                UNKNOWN: "loss", "Unconfirmed": "stale"}


def order_row(rec: OrderRecord, fmt: Callable[[OrderRecord, float | None], str]) -> Row:
    """The cells of one order's row (``fmt`` prints a price on the order's tick grid)."""
    stamp = time.strftime("%H:%M:%S", time.localtime(rec.updated)) if rec.updated else ""
    limit = fmt(rec, rec.lmt_price) if has_limit(rec.order_type) else ""
    stop = fmt(rec, rec.aux_price) if has_stop(rec.order_type) else (
        fmt(rec, rec.trail_stop) if is_trailing(rec.order_type) else "")  # a trailing stop: where it is now
    if rec.triggered and stop:
        stop += "*"  # triggered: it works at its limit now
    # filled whole: the average alone (the quantity is beside it), so the price fits the column
    filled = (f"@{fmt(rec, rec.avg_price)}" if rec.filled >= rec.quantity else
              f"{plain_quantity(rec.filled)}@{fmt(rec, rec.avg_price)}") if rec.filled else ""
    note = f"{rec.error_code}: {reason(rec.error)}" if rec.error_code else rec.error
    if rec.status == UNKNOWN and not note:
        note = "not reported by the gateway: check it in TWS"
    return (
        cell(rec.order_id), cell(stamp, "dim"), cell(rec.contract.key if rec.contract else "?"),
        cell(rec.action, "bid" if rec.buy else "ask"), cell(plain_quantity(rec.quantity)),
        cell(rec.order_type), cell(limit), cell(stop),
        cell(status_word(rec.status, rec.filled), STATUS_STYLE.get(rec.status, "")),
        # filled @ average, then the gateway's reject or warning (the last column takes the rest)
        cell("  ".join(x for x in (filled, note) if x),
             "loss" if rec.error_code or rec.status == UNKNOWN else ""),
    )


class Blotter(RowTable):
    """Orders, oldest first; ``working_only`` hides those that are done."""

    COLUMNS = [Column("id", "Id", 5, True), Column("time", "Time", 9, drop=1), Column("sym", "Sym", 8),
               Column("side", "Side", 5), Column("qty", "Qty", 5, True), Column("type", "Type", 8),
               # prices widen their columns when wider (21053.75); at these widths an FX order of up to
               # 1,000,000 keeps its time at 120x40
               Column("limit", "Limit", 8, True), Column("stop", "Stop", 8, True),
               Column("status", "Status", 11), Column("detail", "Fill/note", 10)]

    class HistoryRequested(Message):
        """Enter on an order: show its every event."""

        def __init__(self, order_id: int) -> None:
            self.order_id = order_id
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.working_only = False

    def update_orders(self, records: Iterable[OrderRecord], fmt: Callable[[OrderRecord, float | None], str],
                      rebuild: bool = False) -> None:
        """Redraw these orders' rows (all of them, in id order, when ``rebuild``)."""
        if rebuild:
            keep = self.selected_key()
            self.clear()
            for rec in sorted(records, key=lambda r: r.order_id):
                if not self.working_only or rec.working:
                    self.add_row(order_row(rec, fmt), str(rec.order_id))
            if keep in self.keys:
                self.move_cursor(row=self.keys.index(keep))
            elif self.rows:
                self.move_cursor(row=len(self.rows) - 1)
            return
        added = False
        for rec in records:
            key = str(rec.order_id)
            shown = key in self.keys
            if self.working_only and not rec.working:
                if shown:
                    self.remove_row(key)
                continue
            row = order_row(rec, fmt)
            if shown:
                self.set_row(key, row)
            else:
                self._insert(rec.order_id, row)
                added = True
        if added and self.rows and not self.has_focus:
            self.move_cursor(row=len(self.rows) - 1)  # follow the newest order unless browsing

    def _insert(self, order_id: int, row: Row) -> None:
        # ids only grow, so this is an append but for orders rebuilt or learned late
        if not self.keys or int(self.keys[-1]) < order_id:
            self.add_row(row, str(order_id))
            return
        at = next(i for i, k in enumerate(self.keys) if int(k) > order_id)
        self.rows.insert(at, row)
        self.keys.insert(at, str(order_id))
        self.refresh()
        self._note_overflow()

    def selected_order(self) -> int | None:
        key = self.selected_key()
        return int(key) if key is not None else None

    def on_row_table_selected(self, event: RowTable.Selected) -> None:
        event.stop()
        self.post_message(self.HistoryRequested(int(event.key)))
