"""The matching engine: orders against the synthetic book.

Marketable orders take liquidity from the book level by level (one execution
per level); resting limits fill when a trade prints through their price or the
book comes to them; stops trigger on the last trade. Brackets hold their
children until the parent fills; an OCA group cancels (or, for types 2 and 3,
reduces) its siblings when one member fills.
"""

from __future__ import annotations

import bisect
import time as _time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from tui.sim.trading.account import Account, commission_for
from tui.sim.market.book import InstrumentMarket
from tui.sim.trading.orders import SimOrder


@dataclass(slots=True)
class Execution:
    """One fill of one order, as reported in execDetails."""

    exec_id: str
    order: SimOrder
    epoch: float
    shares: float
    price: float
    cum_qty: float
    avg_price: float
    commission: float
    realized: float | None

    @property
    def time_text(self) -> str:
        return _time.strftime("%Y%m%d  %H:%M:%S", _time.gmtime(self.epoch))


class RestingBook:
    """One instrument's working orders, indexed by the price that can make them act.

    A market step only looks at the orders the market reached: buy limits at or
    above the lowest print or the ask, sell limits at or below the highest print or
    the bid, stops whose trigger a print touched. Thousands of resting orders cost
    a bisect per step, not a scan.
    """

    def __init__(self) -> None:
        self.buys: list[tuple[int, int]] = []  # (limit, seq), ascending
        self.sells: list[tuple[int, int]] = []
        self.buy_stops: list[tuple[int, int]] = []  # (stop, seq)
        self.sell_stops: list[tuple[int, int]] = []
        self.market: dict[int, SimOrder] = {}  # market orders (and triggered stops) still open
        self.trailing: dict[int, SimOrder] = {}  # trailing stops not yet triggered
        self.by_seq: dict[int, SimOrder] = {}
        self._where: dict[int, tuple[list[tuple[int, int]], tuple[int, int]]] = {}
        self._seq = 0

    def __len__(self) -> int:
        return len(self.by_seq)

    def __contains__(self, o: object) -> bool:
        return any(x is o for x in self.by_seq.values())

    def add(self, o: SimOrder) -> None:
        self._seq += 1
        seq = self._seq
        self.by_seq[seq] = o
        o.book_seq = seq
        self._index(o)

    def _index(self, o: SimOrder) -> None:
        seq = o.book_seq
        side: list[tuple[int, int]]
        if o.stop_like and not o.triggered:
            trigger = o.trigger
            assert trigger is not None
            side, key = (self.buy_stops if o.buy else self.sell_stops), (trigger, seq)
            if o.trailing:
                self.trailing[seq] = o
        elif o.at_market_once_triggered:
            self.market[seq] = o
            self._where.pop(seq, None)
            return
        else:
            assert o.lmt is not None
            side, key = (self.buys if o.buy else self.sells), (o.lmt, seq)
        bisect.insort(side, key)
        self._where[seq] = (side, key)

    def _unindex(self, seq: int) -> None:
        self.market.pop(seq, None)
        self.trailing.pop(seq, None)
        where = self._where.pop(seq, None)
        if where is not None:
            side, key = where
            i = bisect.bisect_left(side, key)
            if i < len(side) and side[i] == key:
                del side[i]

    def reindex(self, o: SimOrder) -> None:
        """After a modify or a stop's trigger: its price (or kind) changed."""
        self._unindex(o.book_seq)
        self._index(o)

    def remove(self, o: SimOrder) -> None:
        if self.by_seq.pop(o.book_seq, None) is not None:
            self._unindex(o.book_seq)

    def candidates(self, mkt: InstrumentMarket) -> list[SimOrder]:
        """The orders this step can affect, in time priority."""
        if not mkt.trades and not self.market:  # most steps: is any limit at or through the quote?
            buys, sells = self.buys, self.sells
            if (not buys or buys[-1][0] < mkt.ask) and (not sells or sells[0][0] > mkt.bid):
                return []
        picked: list[int] = list(self.market)
        if mkt.trades:
            low = min(t.price for t in mkt.trades)
            high = max(t.price for t in mkt.trades)
            picked += [seq for _, seq in self.buy_stops[: bisect.bisect_right(self.buy_stops, (high, 1 << 62))]]
            picked += [seq for _, seq in self.sell_stops[bisect.bisect_left(self.sell_stops, (low, -1)):]]
        else:
            low, high = mkt.ask, mkt.bid
        # buys act at or above the ask, or above a print; sells at or below the bid, or below a print
        buy_from = min(mkt.ask, low + 1)
        sell_to = max(mkt.bid, high - 1)
        picked += [seq for _, seq in self.buys[bisect.bisect_left(self.buys, (buy_from, -1)):]]
        picked += [seq for _, seq in self.sells[: bisect.bisect_right(self.sells, (sell_to, 1 << 62))]]
        if not picked:
            return []
        return [self.by_seq[seq] for seq in sorted(set(picked)) if seq in self.by_seq]


class Reporter(Protocol):
    """Where the engine's news goes (the gateway, which knows the sessions)."""

    def order_update(self, o: SimOrder, with_open_order: bool) -> None: ...

    def order_fill(self, o: SimOrder, ex: Execution) -> None: ...

    def order_cancelled(self, o: SimOrder) -> None: ...


class Engine:
    """The matching engine: orders against the synthetic books, fills into the account."""
    def __init__(self, markets: dict[int, InstrumentMarket], account: Account,
                 reporter: Reporter, now: Callable[[], float], perm_start: int = 1_000_000) -> None:
        self.markets = markets
        self.account = account
        self.reporter = reporter
        self.now = now
        self.orders: dict[tuple[int, int], SimOrder] = {}
        self.working: dict[int, RestingBook] = {}  # active orders by conId
        self.executions: list[Execution] = []
        self.next_perm = perm_start
        self.exec_seq = 0  # executions so far (numbers the exec ids; saved with the state)

    def new_perm_id(self) -> int:
        self.next_perm += 1
        return self.next_perm

    # --- life cycle -----------------------------------------------------------
    def accept(self, o: SimOrder) -> None:
        """A validated new order. Untransmitted orders wait for their family's last member."""
        o.placed_at = self.now()
        self.orders[o.key] = o
        if o.parent_id:
            parent = self.orders.get((o.client_id, o.parent_id))
            if parent is not None:
                parent.children.append(o.order_id)
        if not o.transmit:
            return
        if o.parent_id:
            parent = self.orders.get((o.client_id, o.parent_id))
            if parent is not None and parent.status == "PendingSubmit":
                self._transmit(parent)
                for child_id in parent.children:
                    child = self.orders[(o.client_id, child_id)]
                    if child is not o and child.status == "PendingSubmit":
                        self._transmit(child)
        self._transmit(o)

    def _transmit(self, o: SimOrder) -> None:
        parent = self.orders.get((o.client_id, o.parent_id)) if o.parent_id else None
        if parent is not None and parent.status != "Filled":
            o.status = "PreSubmitted"
            o.why_held = "child"
            self.reporter.order_update(o, True)
            return
        self._activate(o)

    def _activate(self, o: SimOrder) -> None:
        o.why_held = ""
        stop = o.stop_like
        if o.trailing and o.trail_stop is None:
            self._trail_start(o)
        o.status = "PreSubmitted" if stop and o.inst.contract.sec_type == "STK" else "Submitted"
        self.book(o.inst.con_id).add(o)
        self.reporter.order_update(o, True)
        if not stop:
            if o.tif == "FOK" and self._short_of_liquidity(o):
                self.cancel(o)  # all or nothing, at once: nothing
                return
            self._match_book(o)
            if o.tif in ("IOC", "FOK") and o.working:
                self.cancel(o)

    def _short_of_liquidity(self, o: SimOrder) -> bool:
        mkt = self.markets[o.inst.con_id]
        return mkt.available(o.buy, None if o.at_market_once_triggered else o.lmt) < o.remaining

    def expire(self, now: float) -> None:
        """Cancel the good-till-date orders whose time has come (TWS reports them Cancelled)."""
        for book in list(self.working.values()):
            for o in [o for o in book.by_seq.values() if o.expires_at is not None and o.expires_at <= now]:
                self.cancel(o)

    # --- trailing stops ------------------------------------------------------------
    def _trail_distance(self, o: SimOrder, reference: int) -> int:
        if o.trail_percent is not None:
            return max(1, round(reference * o.trail_percent / 100))
        return max(1, o.aux or 1)

    def _trail_start(self, o: SimOrder) -> None:
        """The first stop: the last trade, the trailing distance away (sells below, buys above)."""
        last = self.markets[o.inst.con_id].last
        d = self._trail_distance(o, last)
        o.trail_stop = last + d if o.buy else last - d

    def _trail(self, mkt: InstrumentMarket, book: RestingBook) -> None:
        """Move trailing stops with the market's favourable prints; never back."""
        high = max(t.price for t in mkt.trades)
        low = min(t.price for t in mkt.trades)
        for o in list(book.trailing.values()):
            stop = o.trail_stop
            assert stop is not None
            new = min(stop, low + self._trail_distance(o, low)) if o.buy else \
                max(stop, high - self._trail_distance(o, high))
            if new != stop:
                o.trail_stop = new
                book.reindex(o)
                self.reporter.order_update(o, True)  # TWS reports the moved stop in openOrder

    def _trail_triggered(self, o: SimOrder) -> None:
        if o.order_type == "TRAIL LIMIT":
            stop, offset = o.trail_stop or 0, o.lmt_offset or 0
            o.lmt = stop + offset if o.buy else stop - offset

    def modify(self, o: SimOrder, quantity: float, lmt: int | None, aux: int | None,
               tif: str, outside_rth: bool) -> None:
        o.quantity = quantity
        o.lmt = lmt
        o.aux = aux
        o.tif = tif
        o.outside_rth = outside_rth
        if o.status == "PendingSubmit":
            return
        self.reporter.order_update(o, True)
        book = self.working.get(o.inst.con_id)
        if o.working and book is not None and o.book_seq in book.by_seq:
            book.reindex(o)
            if o.status == "Submitted" and (o.order_type in ("MKT", "LMT") or o.triggered):
                self._match_book(o)

    def cancel(self, o: SimOrder, status: str = "Cancelled") -> None:
        if o.status in ("Filled", "Cancelled", "ApiCancelled", "Inactive"):
            return
        self._deactivate(o, status)
        self.reporter.order_cancelled(o)
        for child_id in o.children:
            child = self.orders.get((o.client_id, child_id))
            if child is not None and child.status != "Filled":
                self.cancel(child)

    def _deactivate(self, o: SimOrder, status: str) -> None:
        o.status = status
        o.completed_status = status
        o.completed_at = self.now()
        book = self.working.get(o.inst.con_id)
        if book is not None:
            book.remove(o)

    # --- matching -------------------------------------------------------------
    def _match_book(self, o: SimOrder) -> None:
        mkt = self.markets[o.inst.con_id]
        limit = None if o.at_market_once_triggered else o.lmt
        fills = mkt.take(o.buy, int(o.remaining), limit)
        for price, qty in fills:
            self._fill(o, qty, mkt.price(price))
        if o.working and limit is None:
            # a market order the book could not fill within its sweep limit
            self.cancel(o)

    def book(self, con_id: int) -> RestingBook:
        book = self.working.get(con_id)
        if book is None:
            book = self.working[con_id] = RestingBook()
        return book

    def on_step(self, mkt: InstrumentMarket) -> None:
        """Check the working orders the step could affect."""
        book = self.working.get(mkt.inst.con_id)
        if not book:
            return
        if book.trailing and mkt.trades:
            self._trail(mkt, book)
        for o in book.candidates(mkt):
            if not o.working or o.status == "PreSubmitted" and o.why_held:
                continue
            if o.stop_like and not o.triggered:
                trigger = o.trigger
                assert trigger is not None
                for trade in mkt.trades:
                    if (trade.price >= trigger) if o.buy else (trade.price <= trigger):
                        o.triggered = True
                        self._trail_triggered(o)
                        book.reindex(o)
                        if o.status == "PreSubmitted" or o.order_type == "TRAIL LIMIT":
                            o.status = "Submitted"  # (a trailing limit's new limit price is news)
                            self.reporter.order_update(o, True)
                        break
                if not o.triggered:
                    continue
                self._match_book(o)
                continue
            if o.at_market_once_triggered:
                self._match_book(o)
                continue
            lmt = o.lmt
            assert lmt is not None
            for trade in mkt.trades:
                if not o.working:
                    break
                through = trade.price < lmt if o.buy else trade.price > lmt
                if through:
                    self._fill(o, min(int(o.remaining), trade.size), mkt.price(lmt))
            if o.working and ((mkt.ask <= lmt) if o.buy else (mkt.bid >= lmt)):
                self._match_book(o)

    def _fill(self, o: SimOrder, qty: float, price: float) -> None:
        if qty <= 0:
            return
        commission = commission_for(o.inst, qty, price)
        realized = self.account.apply_fill(o.inst, o.buy, qty, price, commission)
        o.avg_price = (o.avg_price * o.filled + price * qty) / (o.filled + qty)
        o.filled += qty
        o.last_fill_price = price
        self.exec_seq += 1
        ex = Execution(
            f"{o.perm_id:08x}.{self.exec_seq:08x}.01.01", o, self.now(), qty, price, o.filled,
            round(o.avg_price, 8), commission, realized if realized else None,
        )
        self.executions.append(ex)
        if o.remaining <= 0:
            self._deactivate(o, "Filled")
        self.reporter.order_fill(o, ex)
        if o.status == "Filled":
            for child_id in o.children:
                child = self.orders.get((o.client_id, child_id))
                if child is not None and child.status == "PreSubmitted" and child.why_held:
                    self._activate(child)
        if o.oca_group:
            self._oca(o, qty)
        elif o.parent_id:
            # bracket children are one-cancels-all among themselves
            parent = self.orders.get((o.client_id, o.parent_id))
            if parent is not None:
                for sib_id in parent.children:
                    sib = self.orders.get((o.client_id, sib_id))
                    if sib is not None and sib is not o and sib.working:
                        self.cancel(sib)

    def _oca(self, o: SimOrder, qty: float) -> None:
        for other in list(self.orders.values()):
            if other is o or other.oca_group != o.oca_group or not other.working:
                continue
            if other.client_id != o.client_id:
                continue
            if o.oca_type in (2, 3):
                other.quantity -= qty
                if other.remaining <= 0:
                    self.cancel(other)
                else:
                    self.reporter.order_update(other, True)
            else:
                self.cancel(other)

    def global_cancel(self) -> None:
        for o in list(self.orders.values()):
            if o.working or o.status == "PendingSubmit":
                self.cancel(o)
