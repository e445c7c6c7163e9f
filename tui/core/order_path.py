"""The order path: intent -> risk check -> journal -> broker -> journal fsynced, and cancels.

A mixin of ``Desk`` (one state, two files): nothing reaches the broker without a
passing verdict and a journal line written; a refusal is said, naming the rule, and
nothing is sent. The line is fsynced once the request has gone (``tui.core.journal``
says why), before the desk returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

from tui.core import events as ev
from tui.core.chase import Chase
from tui.core.contracts import ContractSpec
from tui.core.events import ConnState
from tui.core.guardrails import RoundTrips
from tui.core.intents import Bracket, OrderIntent
from tui.core.journal import Journal
from tui.core.orders import OrderRecord, Orders
from tui.core.ordertypes import OrderType, is_trailing
from tui.core.portfolio import Portfolio
from tui.core.ports import BrokerPort
from tui.core.prices import format_price, from_ticks, to_ticks
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
    specs: dict[int, ContractSpec]
    breakeven_ticks: int  # auto-breakeven (0: off) and the stop's offset from the entry
    breakeven_offset_ticks: int
    broken_even: set[int]  # stops already moved
    chases: dict[int, Chase]  # chasing orders by order id
    clock: Callable[[], float]
    say: Callable[..., None]
    _flush_held = 0  # inside one_flush(): the requests' fsync waits for the last of them
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
        return check(intent, self.context(intent.spec), self.limits.for_contract(intent.spec.contract))

    def submit(self, intent: OrderIntent, order_id: int | None = None) -> int | None:
        """Check, journal, send. Returns the order id, or None when refused (with a message)."""
        verdict = self.verdict(intent)
        if order_id is not None and verdict.rule == "max_working_orders":
            verdict = check(intent, replace(self.context(intent.spec), working_orders=0),
                            self.limits.for_contract(intent.spec.contract))
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
            self.journal.write("intent", order_id=oid, intent=intent.describe(),
                               verdict="ok", modify=order_id is not None,
                               contract=intent.spec.contract, action=intent.action,
                               quantity=intent.quantity, order_type=intent.order_type,
                               lmt_price=intent.lmt_price, aux_price=intent.aux_price, tif=intent.tif)
        try:
            self.broker.place(intent, oid)
        except Exception as e:
            self.say(f"not sent: {intent.describe()}: {e}", "error")
            return None
        finally:
            self._synced()
        if order_id is None:
            rec = self.orders.sent(oid, intent.spec.contract, intent.action, intent.quantity,
                                   intent.order_type, intent.lmt_price, intent.aux_price, intent.tif,
                                   intent.parent_id, intent.oca_group)
            self.changed_orders.add(rec.order_id)
        return oid

    def submit_bracket(self, b: Bracket) -> list[int] | None:
        """Check, journal and send a bracket; its ids (entry, then take-profit and stop-loss per
        target), or None when refused."""
        spec = b.entry.spec
        legs = [b.entry, *(leg for pair in b.exits() for leg in pair)]
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
            self.journal.write("intent", intent=f"bracket {b.describe()}", verdict="ok")
        try:
            ids = self.broker.place_bracket(b)
        except Exception as e:
            self.say(f"not sent: bracket: {e}", "error")
            return None
        finally:
            self._synced()
        for oid, leg in zip(ids, legs):
            rec = self.orders.sent(oid, spec.contract, leg.action, leg.quantity, leg.order_type,
                                   leg.lmt_price, leg.aux_price, leg.tif, ids[0] if oid != ids[0] else 0)
            self.changed_orders.add(rec.order_id)
        return ids

    def chase(self, spec: ContractSpec, side: str, quantity: float, max_ticks: int,
              tif: str = "DAY") -> int | None:
        """A limit at the best bid (buy) or offer (sell) that follows it until filled, within the
        bounds of ``tui.core.chase``. The order id, or None when refused."""
        m = self.markets.get(spec.contract.con_id)
        best = (m.bid if side == "BUY" else m.ask) if m is not None else 0.0
        if not best:
            self.say(f"{spec.contract.key}: no {'bid' if side == 'BUY' else 'offer'} to chase", "error")
            return None
        oid = self.submit(OrderIntent(spec, side, quantity, OrderType.LMT, best, None, tif, order_ref="chase"))
        if oid is not None:
            start = to_ticks(best, spec.tick)
            self.chases[oid] = Chase(oid, side == "BUY", start, max_ticks, start, last_move=self.clock())
        return oid

    def chase_step(self) -> None:
        """Re-price the chasing orders to their markets (see ``tui.core.chase``)."""
        for oid, c in list(self.chases.items()):
            rec = self.orders.get(oid)
            if rec is None or not rec.working or rec.contract is None:
                del self.chases[oid]
                continue
            market = self.markets.get(rec.contract.con_id)
            spec = self.specs.get(rec.contract.con_id)
            if market is None or spec is None:
                continue
            acked = to_ticks(rec.lmt_price, spec.tick) if rec.lmt_price is not None and \
                rec.status in ("Submitted", "PreSubmitted") else None
            target = c.next_price(market, spec.tick, acked, self.clock())
            if c.stopped:
                del self.chases[oid]
                self.say(f"chase of order {oid} stopped: {c.stopped}; it rests at "
                         f"{format_price(from_ticks(c.sent, spec.tick), spec.tick)}", "warning")
            elif target is not None:
                self.modify_price(rec, spec, to_price=from_ticks(target, spec.tick))

    def breakeven(self, market: ev.MarketUpdate, spec: ContractSpec, working: list[OrderRecord]) -> None:
        """Auto-breakeven: once the last trade is ``breakeven_ticks`` in profit from a bracket's
        filled entry, its stops move to the entry (plus ``breakeven_offset_ticks`` of profit).
        Only ever tightens a stop; each stop is moved once."""
        ticks, offset = self.breakeven_ticks, self.breakeven_offset_ticks
        if ticks <= 0 or not market.last:
            return
        tick = spec.tick
        for rec in working:
            if rec.order_type != OrderType.STP or not rec.parent_id or rec.aux_price is None \
                    or rec.order_id in self.broken_even:
                continue
            entry = self.orders.get(rec.parent_id)
            if entry is None or entry.status != "Filled" or not entry.avg_price:
                continue
            sign = 1 if entry.buy else -1
            if (to_ticks(market.last, tick) - to_ticks(entry.avg_price, tick)) * sign < ticks:
                continue
            self.broken_even.add(rec.order_id)
            target = from_ticks(to_ticks(entry.avg_price, tick) + sign * offset, tick)
            if (target - rec.aux_price) * sign <= 0:
                continue  # already at or beyond it
            self.say(f"breakeven: order {rec.order_id}'s stop to {format_price(target, tick)} "
                     f"({ticks} ticks in profit from {format_price(entry.avg_price, tick)})", "order")
            self.modify_price(rec, spec, to_price=target)

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
        if is_trailing(rec.order_type):
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
        try:
            for rec in recs:
                if not rec.working:
                    continue
                if self.journal:
                    self.journal.write("cancel", order_id=rec.order_id, reason=why)
                try:
                    self.broker.cancel(rec.order_id)
                    n += 1
                except Exception as e:
                    self.say(f"cancel of order {rec.order_id} not sent: {e}", "error")
                    break
        finally:
            self._synced()  # one flush for all of them
        return n

    def cancel_everything(self, why: str) -> None:
        """Global cancel: every open order of the account, ours or not."""
        if self.journal:
            self.journal.write("global_cancel", reason=why)
        try:
            self.broker.global_cancel()
        except Exception as e:
            self.say(f"global cancel not sent: {e}", "error")
        finally:
            self._synced()

    @contextmanager
    def one_flush(self) -> Iterator[None]:
        """Several requests (a flatten's cancels and its order) sent back to back, one fsync after
        the last: the order does not wait for the cancels' flush."""
        self._flush_held += 1
        try:
            yield
        finally:
            self._flush_held -= 1
            self._synced()

    def _synced(self) -> None:
        """The journal on the disk: every request the desk sends is written before it goes and
        fsynced here, once it has gone (``tui.core.journal`` says why in that order)."""
        if self.journal and not self._flush_held:
            try:
                self.journal.sync()
            except OSError as e:  # the request has gone: it is still tracked, and the trader told
                self.say(f"journal not on disk ({self.journal.path}): {e}", "error")

    def flatten(self, spec: ContractSpec) -> int | None:
        """Cancel the instrument's orders and close its position at market; the order id or None."""
        qty = self.portfolio.position(spec.contract.con_id)
        if not qty:
            self.say(f"{spec.contract.key}: no position to flatten", "info")
            return None
        with self.one_flush():
            self.cancel(self.orders.working(spec.contract.con_id), "flatten")
            return self.submit(OrderIntent(spec, "SELL" if qty > 0 else "BUY", abs(qty), OrderType.MKT))

    def reverse(self, spec: ContractSpec) -> int | None:
        """Cancel the instrument's orders and turn the position around at market: one order of
        twice the position, so long 3 becomes short 3. The order id or None (refused, or flat)."""
        qty = self.portfolio.position(spec.contract.con_id)
        if not qty:
            self.say(f"{spec.contract.key}: no position to reverse", "info")
            return None
        intent = OrderIntent(spec, "SELL" if qty > 0 else "BUY", 2 * abs(qty), OrderType.MKT, order_ref="reverse")
        verdict = self.verdict(intent)
        if not verdict.ok:  # refused before anything is cancelled: the position keeps its exits
            return self.submit(intent)
        with self.one_flush():
            self.cancel(self.orders.working(spec.contract.con_id), "reverse")
            return self.submit(intent)

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
