"""The order path: intent -> risk check -> journal (fsynced) -> broker, and cancels.

A mixin of ``Desk`` (one state, two files): nothing reaches the broker without a
passing verdict and a journal line; a refusal is said, naming the rule, and nothing
is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from tui.core import events as ev
from tui.core.contracts import ContractSpec
from tui.core.events import ConnState
from tui.core.guardrails import RoundTrips
from tui.core.intents import Bracket, OrderIntent
from tui.core.journal import Journal
from tui.core.orders import OrderRecord, Orders
from tui.core.ordertypes import OrderType
from tui.core.portfolio import Portfolio
from tui.core.ports import BrokerPort
from tui.core.prices import from_ticks, to_ticks
from tui.core.risk import Context, Limits, Verdict, check


class OrderPath:
    """A mixin of ``Desk``: the attributes below are the desk's."""

    broker: BrokerPort
    journal: Journal | None
    limits: Limits
    orders: Orders
    portfolio: Portfolio
    trips: RoundTrips
    markets: dict[int, ev.MarketUpdate]
    market_seen: dict[int, float]
    connection: ev.Connection
    read_only: bool
    killed: bool
    changed_orders: set[int]
    clock: Callable[[], float]
    say: Callable[..., None]
    describe: Callable[[OrderRecord], str]

    def context(self, spec: ContractSpec) -> Context:
        """What the risk checks need to know about this instrument right now."""
        con = spec.contract.con_id
        m = self.markets.get(con)
        seen = self.market_seen.get(con)
        conn = self.connection
        if seen is None:
            age = None
        elif self.broker.stale:
            age = float("inf")  # the connection went quiet: nothing on screen is current
        else:
            age = self.clock() - seen
        return Context(
            connected=conn.state in (ConnState.CONNECTED, ConnState.DEGRADED),
            reconciling=conn.reconciling,
            read_only=self.read_only,
            killed=self.killed,
            bid=(m.bid or None) if m else None,
            ask=(m.ask or None) if m else None,
            last=(m.last or None) if m else None,
            data_age=age,
            position=self.portfolio.position(con),
            working_orders=len(self.orders.working(con)),
            state=conn.state.value,
            daily_pnl=self.portfolio.daily_pnl,
            round_trips=self.trips.count,
            losing_streak=self.trips.losing_streak,
            since_last_loss=self.clock() - self.trips.last_loss_at if self.trips.last_loss_at else float("inf"),
        )

    def verdict(self, intent: OrderIntent) -> Verdict:
        """The risk verdict an intent would get now (the ticket shows it before sending)."""
        return check(intent, self.context(intent.spec), self.limits)

    def submit(self, intent: OrderIntent, order_id: int | None = None) -> int | None:
        """Check, journal, send. Returns the order id, or None when refused (with a message)."""
        verdict = self.verdict(intent)
        if order_id is not None and verdict.rule == "max_working_orders":
            verdict = check(intent, replace(self.context(intent.spec), working_orders=0), self.limits)
        if not verdict.ok:
            if self.journal:
                self.journal.write("intent", intent=intent.describe(), verdict=verdict.rule,
                                   reason=verdict.message)
            self.say(f"refused: {intent.describe()}: {verdict.message}", "error")
            return None
        try:
            oid = order_id if order_id is not None else self.broker.allocate_order_id()
        except Exception as e:  # the broker's own refusal, e.g. no order id yet
            self.say(f"refused: {intent.describe()}: {e}", "error")
            return None
        if self.journal:
            self.journal.write("intent", sync=True, order_id=oid, intent=intent.describe(),
                               verdict="ok", modify=order_id is not None,
                               contract=intent.spec.contract, action=intent.action,
                               quantity=intent.quantity, order_type=intent.order_type,
                               lmt_price=intent.lmt_price, aux_price=intent.aux_price, tif=intent.tif)
        try:
            self.broker.place(intent, oid)
        except Exception as e:
            self.say(f"not sent: {intent.describe()}: {e}", "error")
            return None
        if order_id is None:
            rec = self.orders.sent(oid, intent.spec.contract, intent.action, intent.quantity,
                                   intent.order_type, intent.lmt_price, intent.aux_price, intent.tif,
                                   intent.parent_id, intent.oca_group)
            self.changed_orders.add(rec.order_id)
        return oid

    def submit_bracket(self, b: Bracket) -> tuple[int, int, int] | None:
        """Check, journal and send a bracket; its three ids, or None when refused."""
        spec = b.entry.spec
        exit_side = "SELL" if b.entry.buy else "BUY"
        legs = [b.entry, OrderIntent(spec, exit_side, b.entry.quantity, OrderType.LMT, b.take_profit),
                OrderIntent(spec, exit_side, b.entry.quantity, OrderType.STP, None, b.stop_loss)]
        for leg in legs:
            verdict = self.verdict(leg)
            # the exits reduce the position the entry builds: size them against it
            if not verdict.ok and leg is not b.entry and verdict.rule == "max_position":
                continue
            if not verdict.ok and leg is not b.entry and verdict.rule == "price_band":
                continue
            if not verdict.ok:
                self.say(f"refused bracket: {leg.describe()}: {verdict.message}", "error")
                if self.journal:
                    self.journal.write("intent", intent=f"bracket {leg.describe()}",
                                       verdict=verdict.rule, reason=verdict.message)
                return None
        if self.journal:
            self.journal.write("intent", sync=True, intent=f"bracket {b.entry.describe()} "
                               f"tp {b.take_profit:g} sl {b.stop_loss:g}", verdict="ok")
        try:
            ids = self.broker.place_bracket(b)
        except Exception as e:
            self.say(f"not sent: bracket: {e}", "error")
            return None
        for oid, leg in zip(ids, legs):
            rec = self.orders.sent(oid, spec.contract, leg.action, leg.quantity, leg.order_type,
                                   leg.lmt_price, leg.aux_price, leg.tif, ids[0] if oid != ids[0] else 0)
            self.changed_orders.add(rec.order_id)
        return ids

    def modify_price(self, rec: OrderRecord, spec: ContractSpec, ticks: int = 0,
                     to_price: float | None = None) -> int | None:
        """Move a working order (same id): by ``ticks``, or to ``to_price``."""
        if not rec.working:
            self.say(f"order {rec.order_id} is {rec.status}: nothing to move", "warning")
            return None
        def moved(p: float | None) -> float | None:
            if p is None:
                return None
            target = to_price if to_price is not None else from_ticks(to_ticks(p, spec.tick) + ticks, spec.tick)
            return target
        if rec.order_type == OrderType.TRAIL:
            self.say(f"order {rec.order_id}: a trailing stop moves itself with the market; cancel it "
                     "(c) and place another to change it", "warning")
            return None
        lmt, aux = rec.lmt_price, rec.aux_price
        kind = OrderType.of(rec.order_type)
        if kind == OrderType.STP_LMT and rec.triggered:
            lmt = moved(lmt)  # a triggered stop-limit works at its limit: the stop is history
        elif kind == OrderType.STP_LMT and to_price is not None and lmt is not None and aux is not None:
            offset = to_ticks(lmt, spec.tick) - to_ticks(aux, spec.tick)
            aux = to_price
            lmt = from_ticks(to_ticks(to_price, spec.tick) + offset, spec.tick)
        elif kind == OrderType.STP_LMT:
            lmt, aux = moved(lmt), moved(aux)
        elif kind == OrderType.STP:
            aux = moved(aux)
        elif kind == OrderType.LMT:
            lmt = moved(lmt)
        else:
            self.say(f"order {rec.order_id} is a {rec.order_type} order: it has no price to move", "warning")
            return None
        intent = OrderIntent(spec, rec.action, rec.quantity, rec.order_type, lmt, aux,
                             rec.tif or "DAY", parent_id=rec.parent_id)
        return self.submit(intent, order_id=rec.order_id)

    def cancel(self, recs: list[OrderRecord], why: str = "") -> int:
        """Ask the gateway to cancel each working order; how many requests went out."""
        n = 0
        for rec in recs:
            if not rec.working:
                continue
            if self.journal:
                self.journal.write("cancel", sync=True, order_id=rec.order_id, reason=why)
            try:
                self.broker.cancel(rec.order_id)
                n += 1
            except Exception as e:
                self.say(f"cancel of order {rec.order_id} not sent: {e}", "error")
                break
        return n

    def cancel_everything(self, why: str) -> None:
        """Global cancel: every open order of the account, ours or not."""
        if self.journal:
            self.journal.write("global_cancel", sync=True, reason=why)
        try:
            self.broker.global_cancel()
        except Exception as e:
            self.say(f"global cancel not sent: {e}", "error")

    def flatten(self, spec: ContractSpec) -> int | None:
        """Cancel the instrument's orders and close its position at market; the order id or None."""
        qty = self.portfolio.position(spec.contract.con_id)
        if not qty:
            self.say(f"{spec.contract.key}: no position to flatten", "info")
            return None
        self.cancel(self.orders.working(spec.contract.con_id), "flatten")
        return self.submit(OrderIntent(spec, "SELL" if qty > 0 else "BUY", abs(qty), OrderType.MKT))

    def kill(self) -> None:
        """The kill switch: cancel everything now and refuse new orders until re-armed."""
        self.killed = True
        if self.journal:
            self.journal.write("kill_switch", sync=True, on=True)
        self.say("KILL SWITCH: cancelling every open order; new orders blocked until re-armed", "error")
        if self.broker.can_trade:
            self.cancel_everything("kill switch")

    def rearm(self) -> None:
        """Allow orders again after the kill switch."""
        self.killed = False
        if self.journal:
            self.journal.write("kill_switch", sync=True, on=False)
        self.say("kill switch re-armed: orders allowed again", "warning")
