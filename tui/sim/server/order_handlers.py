"""What the gateway answers to order requests: place, modify, cancel, ids, open and
completed orders, executions. Rejections use TWS's codes and texts."""

from __future__ import annotations

import datetime as dt
import math
import re
import zoneinfo
from typing import TYPE_CHECKING

from tui.sim.market.history import format_bar_time
from tui.sim.market.instruments import Instrument
from tui.sim.protocol import messages as msg
from tui.sim.protocol.requests import CancelOrder, PlaceOrder, ReqExecutions, Simple
from tui.sim.trading.account import BASE_CURRENCY
from tui.sim.trading.orders import SimOrder

if TYPE_CHECKING:
    from tui.sim.server.gateway import Gateway
    from tui.sim.server.session import Session

NO_SEC_DEF = "No security definition has been found for the request"
ORDER_TYPES = {"MKT", "LMT", "STP", "STP LMT", "TRAIL", "TRAIL LIMIT"}
TIFS = {"DAY", "GTC", "IOC", "GTD", "FOK"}
_GTD = re.compile(r"(\d{8})[ -](\d{2}):(\d{2}):(\d{2})(?: (\S+))?")


def gtd_epoch(text: str) -> float:
    """A good-till-date as TWS reads it: ``YYYYMMDD HH:MM:SS [time zone]`` (no zone: UTC) or
    ``YYYYMMDD-HH:MM:SS`` (UTC). Raises ValueError naming what is wrong."""
    m = _GTD.fullmatch(text.strip())
    if not m:
        raise ValueError(f"good-till-date {text!r} is not 'YYYYMMDD HH:MM:SS [time zone]'")
    day, hh, mm, ss, zone = m.groups()
    try:
        tz = zoneinfo.ZoneInfo(zone) if zone and zone.upper() not in ("UTC", "GMT") else dt.UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {zone!r} in good-till-date {text!r}") from None
    when = dt.datetime.strptime(day, "%Y%m%d").replace(hour=int(hh), minute=int(mm), second=int(ss), tzinfo=tz)
    return when.timestamp()
MAX_QUANTITY = {"stock": 1_000_000, "future": 5_000, "fx": 100_000_000}


def _set_trail(o: SimOrder, r: PlaceOrder, gw: Gateway) -> None:
    """A trailing stop's own fields: its first stop (if given), percent, and limit offset."""
    if not o.trailing:
        return
    o.trail_stop = gw.ticks(r.trail_stop_price, o.inst)
    o.trail_percent = r.trailing_percent if r.trailing_percent is not None and (r.aux_price or 0) <= 0 else None
    o.lmt_offset = gw.ticks(r.lmt_price_offset, o.inst)


class OrderHandlers:
    """Order requests, answered as TWS answers them."""
    def __init__(self, gw: Gateway) -> None:
        self.gw = gw

    def place_order(self, s: Session, r: PlaceOrder) -> None:
        gw = self.gw
        cid = s.client_id
        existing = gw.engine.orders.get((cid, r.order_id))
        if existing is not None:
            self._modify(s, existing, r)
            return
        if r.order_id <= gw.last_order_ids.get(cid, 0):
            s.error(r.order_id, 103, "Duplicate order id")
            return
        gw.last_order_ids[cid] = r.order_id
        gw.schedule_save()
        found = gw.resolve(r.contract)
        if len(found) != 1:
            s.error(r.order_id, 200, NO_SEC_DEF if not found else
                             f"The contract description specified for {r.contract.symbol} is ambiguous.")
            return
        inst = found[0]
        problem = self._order_problem(r, inst)
        if problem is not None:
            s.error(r.order_id, *problem)
            return
        if gw.reject_next is not None:
            code, text = gw.reject_next
            gw.reject_next = None
            s.error(r.order_id, code, text)
            return
        if r.what_if:
            self._preview(s, r, inst)
            return
        parent = None
        if r.parent_id:
            parent = gw.engine.orders.get((cid, r.parent_id))
            if parent is None or parent.status in ("Cancelled", "Inactive", "ApiCancelled"):
                s.error(r.order_id, 201, "Order rejected - reason:Parent order is not working")
                return
        else:  # a bracket's children close what the parent opens: TWS checks the parent
            short = self._margin_short(r, inst)
            if short is not None:
                s.error(r.order_id, 201, short)
                return
        gw.engine.accept(self._sim_order(s, r, inst, gw.engine.new_perm_id()))

    def _sim_order(self, s: Session, r: PlaceOrder, inst: Instrument, perm_id: int) -> SimOrder:
        gw = self.gw
        o = SimOrder(
            r.order_id, s.client_id, perm_id, inst, r.action, r.quantity, r.order_type,
            gw.ticks(r.lmt_price, inst) if "LMT" in r.order_type else None,
            gw.ticks(r.aux_price, inst) if "STP" in r.order_type or r.order_type.startswith("TRAIL") else None,
            r.tif, r.account or gw.account.account_id, r.oca_group, r.oca_type, r.order_ref,
            r.parent_id, r.transmit, r.outside_rth, r.good_till_date,
        )
        _set_trail(o, r, gw)
        if r.tif == "GTD":
            o.expires_at = gtd_epoch(r.good_till_date)  # (validated in _order_problem)
        return o

    def _preview(self, s: Session, r: PlaceOrder, inst: Instrument) -> None:
        """A what-if order: the account's margin and commission estimates, as TWS gives them in
        the open order's state; the order is not placed and no order status follows."""
        gw = self.gw
        o = self._sim_order(s, r, inst, 0)
        m = gw.markets[inst.con_id]
        price = r.lmt_price if r.lmt_price is not None and "LMT" in r.order_type else (
            m.price(m.ask) if o.buy else m.price(m.bid))
        before, change, after, commission = gw.account.what_if(inst, o.buy, r.quantity, price, gw.marks())
        s.send(msg.open_order(s.version, o, "PreSubmitted", (before, change, after, commission, inst.contract.currency)))

    def _margin_short(self, r: PlaceOrder, inst: Instrument, quantity: float | None = None) -> str | None:
        """TWS's initial-margin check of a new order (or of ``quantity`` of it), as if it filled
        at its limit (or at the market): one that adds margin the account's equity with loan
        value cannot carry is rejected, in TWS's words."""
        gw = self.gw
        m = gw.markets[inst.con_id]
        buy = r.action == "BUY"
        price = r.lmt_price if r.lmt_price is not None and "LMT" in r.order_type else (
            m.price(m.ask) if buy else m.price(m.bid))
        size = r.quantity if quantity is None else quantity
        _, change, (margin, _, equity), _ = gw.account.what_if(inst, buy, size, price, gw.marks())
        if change[0] <= 0 or margin <= equity:
            return None
        return ("Order rejected - reason:YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION "
                f"YOUR EQUITY WITH LOAN VALUE [{equity:.2f} {BASE_CURRENCY}] MUST EXCEED THE INITIAL MARGIN "
                f"[{margin:.2f} {BASE_CURRENCY}]")

    def _order_problem(self, r: PlaceOrder, inst: Instrument) -> tuple[int, str] | None:
        if r.has_conditions or r.has_combo_legs:
            return 201, "Order rejected - reason:Conditional and combination orders are not supported"
        if r.action not in ("BUY", "SELL"):
            return 201, f"Order rejected - reason:Invalid action {r.action!r}"
        if not r.quantity or r.quantity <= 0 or math.isinf(r.quantity):
            return 201, "Order rejected - reason:Order quantity must be greater than zero"
        if not float(r.quantity).is_integer():
            return 10243, "Fractional-sized order cannot be placed via API."
        if r.quantity > MAX_QUANTITY[inst.commission]:
            return 383, (f"The following order size exceeds the Size Limit of "
                         f"{MAX_QUANTITY[inst.commission]}. Restriction is specified in Precautionary Settings")
        if r.order_type not in ORDER_TYPES:
            return 387, f"Unsupported order type for this exchange and security type: {r.order_type}"
        if r.tif not in TIFS:
            return 201, f"Order rejected - reason:Time in force {r.tif} is not supported"
        if r.tif == "GTD":
            try:
                expires = gtd_epoch(r.good_till_date)
            except ValueError as e:
                return 201, f"Order rejected - reason:{e}"
            if expires <= self.gw.clock.now():
                return 201, f"Order rejected - reason:good-till-date {r.good_till_date} is in the past"
        if "LMT" in r.order_type and (r.lmt_price is None or r.lmt_price <= 0):
            return 201, "Order rejected - reason:Missing or invalid limit price"
        if "STP" in r.order_type and (r.aux_price is None or r.aux_price <= 0):
            return 201, "Order rejected - reason:Missing or invalid stop price"
        trailing = r.order_type.startswith("TRAIL")
        if trailing and not ((r.aux_price or 0) > 0 or 0 < (r.trailing_percent or 0) < 100):
            return 201, "Order rejected - reason:Missing or invalid trailing amount or percent"
        if r.order_type == "TRAIL LIMIT" and r.lmt_price_offset is None:
            return 201, "Order rejected - reason:Missing limit price offset for a trailing stop limit"
        for price, used in ((r.lmt_price, "LMT" in r.order_type),
                            (r.aux_price, "STP" in r.order_type or (trailing and r.trailing_percent is None)),
                            (r.trail_stop_price, trailing), (r.lmt_price_offset, r.order_type == "TRAIL LIMIT")):
            if used and not self.gw.price_ok(price, inst):
                return 110, "The price does not conform to the minimum price variation for this contract."
        return None

    def _modify(self, s: Session, o: SimOrder, r: PlaceOrder) -> None:
        if o.status == "Filled":
            s.error(o.order_id, 104, "Cannot modify a filled order.")
            return
        if not o.working and o.status != "PendingSubmit":
            s.error(o.order_id, 10147, f"OrderId {o.order_id} that needs to be modified is not found.")
            return
        if r.action != o.action or r.order_type != o.order_type or (
            self.gw.resolve(r.contract) != [o.inst]
        ):
            s.error(o.order_id, 105, "Order being modified does not match original order.")
            return
        problem = self._order_problem(r, o.inst)
        if problem is None and r.quantity < o.filled:
            problem = (201, "Order rejected - reason:Quantity is below the filled quantity")
        if problem is None and r.quantity > o.quantity and not o.parent_id:
            # more of it: checked as a new order of what would then be left to fill
            short = self._margin_short(r, o.inst, r.quantity - o.filled)
            problem = (201, short) if short is not None else None
        if problem is not None:
            s.error(o.order_id, *problem)
            return
        self.gw.engine.modify(
            o, r.quantity,
            self.gw.ticks(r.lmt_price, o.inst) if "LMT" in o.order_type else None,
            self.gw.ticks(r.aux_price, o.inst) if "STP" in o.order_type or o.trailing else None,
            r.tif, r.outside_rth,
        )
        o.good_till_date = r.good_till_date
        o.expires_at = gtd_epoch(r.good_till_date) if r.tif == "GTD" else None
        if not o.transmit and r.transmit:
            o.transmit = True
            self.gw.engine.accept(o)

    def cancel_order(self, s: Session, r: CancelOrder) -> None:
        o = self.gw.engine.orders.get((s.client_id, r.order_id))
        if o is None:
            s.error(r.order_id, 10147, f"OrderId {r.order_id} that needs to be cancelled is not found.")
            return
        if not o.working and o.status != "PendingSubmit":
            s.error(r.order_id, 10148, f"OrderId {r.order_id} that needs to be cancelled "
                                                f"cannot be cancelled, state: {o.status}.")
            return
        self.gw.engine.cancel(o)

    def global_cancel(self, s: Session, r: Simple) -> None:
        self.gw.engine.global_cancel()

    def req_ids(self, s: Session, r: Simple) -> None:
        s.send(msg.next_valid_id(self.gw.next_order_id(s.client_id)))

    def _send_open(self, s: Session, orders: list[SimOrder]) -> None:
        for o in orders:
            s.send(msg.open_order(s.version, o))
            s.send(msg.order_status(o))
        s.send(msg.open_order_end())

    def open_orders(self, s: Session, r: Simple) -> None:
        self._send_open(s, [o for o in self.gw.engine.orders.values()
                            if o.working and (o.client_id == s.client_id or s.client_id == 0)])

    def all_open_orders(self, s: Session, r: Simple) -> None:
        self._send_open(s, [o for o in self.gw.engine.orders.values() if o.working])

    def auto_open_orders(self, s: Session, r: Simple) -> None:
        if s.client_id != 0:
            s.invalid(-1, "bM", "auto bind of open orders is allowed for client id 0 only")
            return
        s.auto_bind = bool(r.args and str(r.args[0]) not in ("0", ""))

    def completed_orders(self, s: Session, r: Simple) -> None:
        for o in self.gw.engine.orders.values():
            if o.status in ("Filled", "Cancelled", "ApiCancelled", "Inactive"):
                stamp = format_bar_time(o.completed_at, 1, 1)
                s.send(msg.completed_order(s.version, o, stamp))
        s.send(msg.completed_orders_end())

    def executions(self, s: Session, r: ReqExecutions) -> None:
        days: set[str] = set(r.specific_dates)  # from version 200: "the last N days", given dates
        if r.last_n_days > 0:
            today = dt.datetime.fromtimestamp(self.gw.clock.now(), dt.UTC).date()
            days |= {f"{today - dt.timedelta(days=i):%Y%m%d}" for i in range(r.last_n_days)}
        for ex in self.gw.engine.executions:
            if days and ex.time_text[:8] not in days:
                continue
            o = ex.order
            if s.client_id != 0 and o.client_id != s.client_id:
                continue
            if r.client_id and o.client_id != r.client_id:
                continue
            if r.account and r.account != o.account:
                continue
            if r.symbol and r.symbol.upper() != o.inst.contract.symbol:
                continue
            if r.sec_type and r.sec_type.upper() != o.inst.contract.sec_type:
                continue
            if r.exchange and r.exchange.upper() != o.inst.contract.exchange:
                continue
            if r.side and r.side.upper()[:1] != ("B" if o.buy else "S"):
                continue
            if r.time and ex.time_text.replace("  ", " ") < r.time.replace("-", " ")[:17]:
                continue
            s.send(msg.exec_details(s.version, r.req_id, o, ex.exec_id, ex.time_text, ex.shares, ex.price,
                                    ex.cum_qty, ex.avg_price))
            s.send(msg.commission_report(ex.exec_id, ex.commission, "USD", ex.realized))
        s.send(msg.exec_details_end(r.req_id))

    # --- account ------------------------------------------------------------------
