"""Journal replay and reconciliation with the gateway: the desk's second day.

On the first connect with the account, today's journal of this account behind
this gateway is replayed: orders that were working come back UNCONFIRMED (not
working, not drawn). When the gateway's resync ends, what it reported stays
working, what ended while away says so once, and the rest become UNKNOWN.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

from tui.core import events as ev
from tui.core.contracts import Contract
from tui.core.guardrails import RoundTrips
from tui.core.journal import Journal, belongs, epoch, read, to_event
from tui.core.orders import OrderRecord, Orders
from tui.core.ordertypes import GATEWAY_TERMINAL, UNKNOWN, UNVOUCHED
from tui.core.portfolio import Portfolio
from tui.core.ports import BrokerPort
from tui.core.words import counted


class Reconciliation:
    """A mixin of ``Desk``: the attributes below are the desk's."""

    broker: BrokerPort
    journal: Journal | None
    orders: Orders
    portfolio: Portfolio
    changed_orders: set[int]
    trips: RoundTrips
    say: Callable[..., None]
    describe: Callable[[OrderRecord], str]
    killed: bool

    def __init__(self) -> None:
        self.killed_at: float | None = None  # when the kill switch still on was engaged
        self._journal_loaded = False
        self._unconfirmed: set[int] = set()  # rebuilt from the journal, awaiting the first resync
        self.reconciliations = 0  # completed resyncs with TWS (1 after the first connect)

    def _connected_with(self, accounts: tuple[str, ...]) -> None:
        """The first connect that names the accounts replays the journal (once)."""
        if accounts and not self._journal_loaded:
            self._journal_loaded = True
            self.load_journal(accounts)

    def _connection_lost(self) -> None:
        """No gateway to speak for the working orders: they are not shown as working (nor drawn on
        the ladder) until its resync after the reconnect reports them, as after a restart."""
        gone = self.orders.unconfirm()
        for rec in gone:
            self._unconfirmed.add(rec.order_id)
            self.changed_orders.add(rec.order_id)
        if gone:
            self.say(f"{counted(len(gone), 'working order')}: not shown as working while disconnected; "
                     "the gateway's resync will say what became of them", "warning")

    def _reconciled(self, e: ev.Reconciled) -> None:
        """Every resync answer is in: what the gateway did not vouch for is not working."""
        self.reconciliations += 1
        away = self._unconfirmed
        self._unconfirmed = set()
        for oid in sorted(away):
            rec = self.orders.get(oid)
            if rec is not None and rec.status in GATEWAY_TERMINAL:
                away_from = "ibtui was closed" if e.first else "disconnected"
                self.say(f"order {oid} ({self.describe(rec)}) was {rec.status} while {away_from}", "order")
        unknown = self.orders.mark_unknown(set(e.open_order_ids))
        when = "after a restart" if e.first else "after reconnecting"
        for rec in unknown:
            self.changed_orders.add(rec.order_id)
            self.say(f"order {rec.order_id} ({self.describe(rec)}) is UNKNOWN at the broker: the gateway "
                     f"did not report it {when}, so it is not shown as working; check it in TWS", "warning")
        if self.journal:
            self.journal.write("reconciled", open_orders=sorted(e.open_order_ids),
                               unknown=[r.order_id for r in unknown])

    def _completed(self, e: ev.CompletedOrder) -> None:
        for rec in self.orders.by_id.values():
            if not (rec.working or rec.status in UNVOUCHED):
                continue
            same = rec.perm_id == e.perm_id if rec.perm_id and e.perm_id else (
                e.order_id == rec.order_id and rec.contract is not None
                and rec.contract.con_id == e.contract.con_id)
            if same:
                was_working = rec.working
                self.orders.completed(rec, e)
                self.changed_orders.add(rec.order_id)
                if self.journal:
                    self.journal.event(e)
                if was_working and self.journal is not None:  # None while replaying: said then already
                    self.say(f"order {rec.order_id} ({self.describe(rec)}) ended {e.status} "
                             "while we were away", "order")

    def load_journal(self, accounts: tuple[str, ...]) -> int:
        """Once connected: rebuild today's orders of this account behind this gateway.

        Rebuilt orders that were working are UNCONFIRMED (not working) until the
        gateway's resync reports them; the rest become UNKNOWN when it ends.
        """
        journal = self.journal
        if journal is None:
            return 0
        if journal.account not in accounts:
            journal.account = accounts[0]
        journal.open_today()  # a line a crash cut short is ended (and said) before the read
        records, note = read(journal.path)
        if note and not journal.error:  # a journal that cannot be written was said already
            self.say(f"journal: {note}", "warning")
        mine = [r for r in records if belongs(r, journal.account, journal.gateway, journal.client_id)]
        n = self.rebuild(mine)
        if self.killed:
            when = time.strftime(" at %H:%M", time.localtime(self.killed_at)) if self.killed_at else ""
            self.say(f"kill switch engaged{when} today is still on: new orders are refused until K re-arms it",
                     "warning")
        if mine:
            used = [int(r["order_id"]) for r in mine if r.get("kind") == "intent" and "order_id" in r]
            if used:
                self.broker.reserve_order_ids(max(used) + 1)  # never reuse an id of this gateway
        if n:
            self.say(f"journal: {counted(len(self.orders.by_id), 'order')} of {journal.account} at {journal.gateway} "
                     f"from earlier today; {len(self._unconfirmed)} to check with the gateway")
        return n

    def rebuild(self, records: list[dict[str, object]]) -> int:
        """Replay journal lines into the orders; returns how many were applied."""
        journal, self.journal = self.journal, None  # replaying must not journal again
        clock = self.orders.clock
        n = 0
        try:
            for r in records:
                # an order's time is when its line says it changed: a line that changed nothing
                # (a resync's report of it, say) leaves it as it was
                stamp = epoch(r)  # type: ignore[arg-type]
                self.orders.clock = clock if stamp is None else functools.partial(float, stamp)
                kind = r.get("kind")
                rec: OrderRecord | None = None
                if kind == "intent" and r.get("verdict") == "ok" and "order_id" in r and not r.get("modify"):
                    c = r.get("contract")
                    if isinstance(c, dict):
                        rec = self.orders.sent(int(r["order_id"]), Contract(**c), str(r["action"]),  # type: ignore[call-overload]
                                               float(r["quantity"]), str(r["order_type"]),  # type: ignore[arg-type]
                                               r.get("lmt_price"), r.get("aux_price"), str(r.get("tif", "")))  # type: ignore[arg-type]
                elif kind == "kill_switch":  # engaged today stays engaged across a restart
                    self.killed = bool(r.get("on"))
                    self.killed_at = stamp if self.killed else None
                elif kind == "reconciled":
                    for oid in r.get("unknown") or r.get("lost") or ():  # type: ignore[attr-defined]
                        found = self.orders.get(int(oid))
                        if found is not None and found.working:
                            self.orders.set_status(found, UNKNOWN)
                            rec = found
                else:
                    e = to_event(r)
                    if isinstance(e, (ev.OrderStatus, ev.OpenOrder, ev.Fill, ev.Commission)):
                        rec = self.orders.apply(e)
                        self.portfolio.apply(e)
                        # today's round trips count for the guardrails across a restart
                        if isinstance(e, ev.Fill):
                            self.trips.fill(e)
                        elif isinstance(e, ev.Commission):
                            self.trips.commission(e, epoch(r) or 0.0)  # type: ignore[arg-type]
                    elif isinstance(e, ev.IBError):
                        rec = self.orders.apply(e)
                    elif isinstance(e, ev.CompletedOrder):
                        self._completed(e)
                if rec is not None:
                    n += 1
                    self.changed_orders.add(rec.order_id)
        finally:
            self.journal = journal
            self.orders.clock = clock
        self._unconfirmed = {rec.order_id for rec in self.orders.unconfirm()}
        return n
