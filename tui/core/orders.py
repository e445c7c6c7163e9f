"""The order state machine, tolerant of TWS's message order.

TWS may send orderStatus before openOrder, repeat a status, or report an
execution after the Filled status. Every order is keyed by its order id (ours:
one client id per process); fills are de-duplicated by execution id, so a fill
seen live and again in a resync after a reconnect counts once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tui.core import events as ev
from tui.core.contracts import Contract
from tui.core.errors import ORDER_REJECTS
from tui.core.ordertypes import GATEWAY_TERMINAL, TERMINAL, UNCONFIRMED, UNKNOWN, UNVOUCHED, drawn_price

_RANK = {"PendingSubmit": 0, "ApiPending": 0, "PreSubmitted": 1, "Submitted": 2,
         "PendingCancel": 3}


@dataclass(slots=True)
class FillRecord:
    """One execution of an order, with its commission once known."""

    exec_id: str
    shares: float
    price: float
    time: str
    commission: float | None = None
    realized: float | None = None


@dataclass(slots=True)
class OrderRecord:
    """One order as the desk knows it: what was sent, and the gateway's latest word on it."""

    order_id: int
    contract: Contract | None = None
    action: str = ""
    quantity: float = 0.0
    order_type: str = ""
    lmt_price: float | None = None
    aux_price: float | None = None
    tif: str = ""
    status: str = "PendingSubmit"
    filled: float = 0.0
    avg_price: float = 0.0
    perm_id: int = 0
    parent_id: int = 0
    client_id: int = 0
    oca_group: str = ""
    error: str = ""  # the gateway's reject or warning, with its code
    error_code: int = 0
    triggered: bool = False  # a stop whose stop price the last trade has reached
    trail_stop: float | None = None  # a trailing stop's stop now, as the gateway reports it
    fills: dict[str, FillRecord] = field(default_factory=dict)
    updated: float = 0.0

    @property
    def working(self) -> bool:
        """Live at the broker as far as the gateway has said (or just sent by us)."""
        return self.status not in TERMINAL and self.status != UNCONFIRMED

    @property
    def lost(self) -> bool:
        """The gateway did not report it after a (re)connect."""
        return self.status == UNKNOWN

    @property
    def remaining(self) -> float:
        return max(0.0, self.quantity - self.filled)

    @property
    def commission(self) -> float:
        return sum(f.commission or 0.0 for f in self.fills.values())

    @property
    def price(self) -> float | None:
        """Where the order is drawn and targeted: see ``ordertypes.drawn_price``."""
        return drawn_price(self.order_type, self.lmt_price, self.aux_price, self.triggered, self.trail_stop)

    @property
    def buy(self) -> bool:
        return self.action == "BUY"


class Orders:
    """Every order this client knows, folded from events."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.by_id: dict[int, OrderRecord] = {}
        self._by_exec: dict[str, OrderRecord] = {}
        # working orders, kept as statuses change: the screen asks every frame, and a
        # long session holds thousands of finished orders
        self._working: dict[int, OrderRecord] = {}
        # what an order rebuilt from the journal was before it became UNCONFIRMED: the gateway
        # reporting that again vouches for it and is no change of the order's (nor of its time)
        self._was: dict[int, str] = {}

    def _track(self, rec: OrderRecord | None) -> OrderRecord | None:
        if rec is not None:
            if rec.working:
                self._working[rec.order_id] = rec
            else:
                self._working.pop(rec.order_id, None)
        return rec

    def get(self, order_id: int) -> OrderRecord | None:
        """The record of ``order_id``, if the desk knows it."""
        return self.by_id.get(order_id)

    def _record(self, order_id: int) -> OrderRecord:
        rec = self.by_id.get(order_id)
        if rec is None:
            rec = self.by_id[order_id] = OrderRecord(order_id)
        return rec

    def sent(self, order_id: int, contract: Contract, action: str, quantity: float,
             order_type: str, lmt: float | None, aux: float | None, tif: str,
             parent_id: int = 0, oca_group: str = "") -> OrderRecord:
        """An order we just sent: PendingSubmit until the gateway answers."""
        rec = self._record(order_id)
        rec.contract, rec.action, rec.quantity, rec.order_type = contract, action, quantity, order_type
        rec.lmt_price, rec.aux_price, rec.tif = lmt, aux, tif
        rec.parent_id, rec.oca_group = parent_id, oca_group
        rec.updated = self.clock()
        self._track(rec)
        return rec

    def set_status(self, rec: OrderRecord, status: str) -> None:
        """A status learned elsewhere (completed orders after a reconnect)."""
        rec.status = status
        rec.updated = self.clock()
        self._track(rec)

    def completed(self, rec: OrderRecord, e: ev.CompletedOrder) -> None:
        """The gateway's word that an order ended; an order known only from its fills (placed
        before this journal began) learns here what it was."""
        if not rec.quantity:
            rec.action, rec.quantity = e.action or rec.action, e.quantity
        if not rec.order_type:
            rec.order_type, rec.lmt_price, rec.aux_price = e.order_type, e.lmt_price, e.aux_price
        rec.filled = max(rec.filled, e.filled)
        self.set_status(rec, e.status)

    def _vouches(self, rec: OrderRecord, status: str) -> bool:
        """The gateway reports a rebuilt order as the journal left it. Its first report settles
        that either way, so what the journal left is forgotten here (an order that turned UNKNOWN
        meanwhile included)."""
        return self._was.pop(rec.order_id, None) == status and rec.status == UNCONFIRMED

    def _set_status(self, rec: OrderRecord, status: str, filled: float) -> bool:
        if rec.status in UNVOUCHED:
            # the gateway speaks for an order we could not vouch for: it has the last word
            changed = status != rec.status
            rec.status = status
            return changed
        if rec.status in GATEWAY_TERMINAL and status not in GATEWAY_TERMINAL:
            return False  # a late, stale status
        if status not in TERMINAL and rec.status not in TERMINAL:
            old, new = _RANK.get(rec.status, 2), _RANK.get(status, 2)
            if new < old and rec.status != "PendingCancel" and filled <= rec.filled:
                return False
        changed = status != rec.status
        rec.status = status
        return changed

    def apply(self, e: object) -> OrderRecord | None:
        """Fold one event in; returns the order it changed, if any."""
        rec = self._apply(e)
        if isinstance(e, (ev.OrderStatus, ev.OpenOrder, ev.Fill, ev.IBError)):
            order_id = getattr(e, "order_id", getattr(e, "req_id", None))
            self._track(self.by_id.get(order_id))  # type: ignore[arg-type]
        return rec

    def _apply(self, e: object) -> OrderRecord | None:
        if isinstance(e, ev.OrderStatus):
            rec = self._record(e.order_id)
            vouched = self._vouches(rec, e.status)
            changed = self._set_status(rec, e.status, e.filled)
            news = changed and not vouched
            if e.filled >= rec.filled:
                if e.filled != rec.filled:
                    changed = news = True
                rec.filled = e.filled
                if e.avg_price:
                    rec.avg_price = e.avg_price
            if rec.quantity == 0 and e.filled + e.remaining > 0:
                rec.quantity = e.filled + e.remaining
            rec.perm_id = e.perm_id or rec.perm_id
            rec.parent_id = e.parent_id or rec.parent_id
            rec.client_id = e.client_id
            if news:
                rec.updated = self.clock()
            return rec if changed else None
        if isinstance(e, ev.OpenOrder):
            rec = self._record(e.order_id)
            vouched = self._vouches(rec, e.status)
            before = (rec.quantity, rec.lmt_price, rec.aux_price, rec.trail_stop)
            rec.contract = e.contract
            rec.action, rec.quantity, rec.order_type = e.action, e.quantity, e.order_type
            rec.lmt_price, rec.aux_price, rec.tif = e.lmt_price, e.aux_price, e.tif
            rec.trail_stop = e.trail_stop
            rec.perm_id, rec.client_id = e.perm_id, e.client_id
            rec.parent_id, rec.oca_group = e.parent_id, e.oca_group
            moved = before != (rec.quantity, rec.lmt_price, rec.aux_price, rec.trail_stop)
            if (self._set_status(rec, e.status, rec.filled) and not vouched) or moved or not rec.updated:
                rec.updated = self.clock()
            return rec
        if isinstance(e, ev.Fill):
            if e.exec_id in self._by_exec:
                return None  # seen already (live, then again in a resync)
            new = e.order_id not in self.by_id
            rec = self._record(e.order_id)
            if new:
                # an order known only from its fills is not working on their word: its open or
                # completed order says what it is
                rec.status = UNCONFIRMED
            if rec.contract is None:
                rec.contract = e.contract
                rec.action = "BUY" if e.side == "BOT" else "SELL"
            rec.fills[e.exec_id] = FillRecord(e.exec_id, e.shares, e.price, e.time)
            self._by_exec[e.exec_id] = rec
            if e.cum_qty >= rec.filled:
                rec.filled = e.cum_qty
                rec.avg_price = e.avg_price
            if rec.quantity and rec.filled >= rec.quantity:
                rec.status = "Filled"
            rec.perm_id = e.perm_id or rec.perm_id
            rec.updated = self.clock()
            return rec
        if isinstance(e, ev.Commission):
            paid = self._by_exec.get(e.exec_id)
            if paid is None:
                return None
            fill = paid.fills[e.exec_id]
            fill.commission = e.commission
            fill.realized = e.realized_pnl
            return paid
        if isinstance(e, ev.IBError) and e.req_id in self.by_id:
            paid = self.by_id[e.req_id]
            if e.code == 202:
                self._set_status(paid, "Cancelled", paid.filled)
                return paid
            paid.error, paid.error_code = e.message, e.code
            if e.code in ORDER_REJECTS and paid.status in ("PendingSubmit", "ApiPending", UNCONFIRMED):
                paid.status = "Inactive"
            paid.updated = self.clock()
            return paid
        return None

    def working(self, con_id: int | None = None) -> list[OrderRecord]:
        return [
            r for r in self._working.values()
            if r.working and (con_id is None or (r.contract is not None and r.contract.con_id == con_id))
        ]

    def unconfirmed(self) -> list[OrderRecord]:
        """Orders that may be working at the broker, but no gateway has said so since ibtui
        started or the connection dropped."""
        return [r for r in self.by_id.values() if r.status == UNCONFIRMED]

    def unconfirm(self) -> list[OrderRecord]:
        """The working orders stop being working: nobody vouches for them now (rebuilt from the
        journal, or the connection to the gateway lost) until the gateway reports them."""
        out = []
        for rec in list(self._working.values()):
            self._was[rec.order_id] = rec.status
            rec.status = UNCONFIRMED
            self._working.pop(rec.order_id, None)
            out.append(rec)
        return out

    def mark_unknown(self, seen: set[int]) -> list[OrderRecord]:
        """After a resync: orders neither reported working (``seen``) nor resolved
        otherwise (filled, cancelled) become UNKNOWN, which is not working."""
        lost = []
        for rec in self.by_id.values():
            if rec.order_id in seen or rec.status in TERMINAL:
                continue
            self.set_status(rec, UNKNOWN)
            lost.append(rec)
        return lost
