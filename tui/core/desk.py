"""The trading desk behind the screen: state, intents, checks, journal, sending.

The app routes keystrokes here and draws what this holds; nothing here knows
Textual or ibapi. Every order goes: intent -> risk check -> journal (written)
-> broker -> journal fsynced. A refusal is a message naming the rule, and nothing is sent.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from tui.core import events as ev
from tui.core.chase import Chase
from tui.core.contracts import Contract, ContractSpec, parse_symbol
from tui.core.errors import Kind, meaning
from tui.core.events import ConnState
from tui.core.gate import DeskGate
from tui.core.journal import Journal
from tui.core.orders import OrderRecord, Orders
from tui.core.ordertypes import OrderType, has_limit, has_stop, is_trailing
from tui.core.portfolio import Portfolio
from tui.core.guardrails import RoundTrips
from tui.core.hours import is_open
from tui.core.ports import BrokerPort
from tui.core.order_path import OrderPath
from tui.core.reconcile import Reconciliation
from tui.core.prices import format_price, plain_price
from tui.core.queue import QueueModel
from tui.core.tape import Tape
from tui.core.risk import Limits
from tui.core import session
from tui.core.words import plain_quantity


@dataclass(slots=True)
class Message:
    """One line of the messages pane."""

    time: float
    level: str  # info, warning, error, order
    text: str


_TALKING = (ConnState.CONNECTED, ConnState.DEGRADED)  # the gateway is there to speak for orders


class Desk(OrderPath, Reconciliation):
    """The state behind the screen and the only way to the broker: the app's one port.

    ``pump`` folds what the broker sent into orders, portfolio, markets and messages.
    The order path (check, journal, send) is in ``tui.core.order_path``; journal replay
    and reconciliation with the gateway in ``tui.core.reconcile``.
    """

    def __init__(self, broker: BrokerPort, limits: Limits, journal: Journal | None = None,
                 read_only: bool = False, live: str = "auto", port: int = 0,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.broker = broker
        self.limits = limits
        self.journal = journal
        if journal is not None:
            journal.on_trouble = self.say
        self.read_only = read_only
        self.live_mode, self.port = live, port  # see core.session.is_live
        self.clock = clock
        self.orders = Orders(clock)
        self.gate = DeskGate()  # the UI loop's, except while it paints (``tui.core.gate``)
        self.trips = RoundTrips()  # for the guardrails
        self.portfolio = Portfolio()
        self.markets: dict[int, ev.MarketUpdate] = {}
        self.tapes: dict[int, Tape] = {}  # time & sales and recent trades, per instrument
        self.trades_window = 60.0
        self.queue = QueueModel()  # place in the queue of each resting limit
        self.breakeven_ticks = 0  # orders.breakeven_ticks: 0 is off
        self.breakeven_offset_ticks = 0
        self.broken_even: set[int] = set()
        self.chases: dict[int, Chase] = {}
        self.market_seen: dict[int, float] = {}
        self.specs: dict[int, ContractSpec] = {}
        self.by_query: dict[str, ContractSpec] = {}
        self.connection = ev.Connection(ConnState.DISCONNECTED, "starting")
        self.messages: deque[Message] = deque(maxlen=500)
        self.said = 0  # messages ever said (the deque keeps the newest)
        # order ids whose blotter row changed since the screen last took them
        self.changed_orders: set[int] = set()
        self.killed = False
        self.pending_queries: dict[str, str] = {}  # query key -> what the user typed
        self.unresolved: dict[str, str] = {}  # what the user typed (upper case) -> why no contract
        self.matches: ev.SymbolMatches | None = None

    # --- state ------------------------------------------------------------------------------
    @property
    def accounts(self) -> tuple[str, ...]:
        return self.connection.accounts

    @property
    def is_live(self) -> bool:
        return session.is_live(self.live_mode, self.port, self.accounts)

    def say(self, text: str, level: str = "info") -> None:
        """A line in the messages pane (errors also pop up)."""
        self.messages.append(Message(self.clock(), level, text))
        self.said += 1

    def pump(self) -> tuple[list[object], list[ev.MarketUpdate]]:
        """Drain the hand-off and fold everything in; returns what changed."""
        events, updates = self.broker.h.drain()
        now = self.clock()
        for e in events:
            self.apply(e)
        self._requeue(events, {u.con_id for u in updates})
        for u in updates:
            self.markets[u.con_id] = u
            self.market_seen[u.con_id] = now
            if u.last:
                self._triggered(u)
            spec = self.specs.get(u.con_id)
            if spec is not None:
                if u.prints:
                    self.tape(spec).add(u.prints, now)
                working = self.orders.working(u.con_id)
                if working or self.queue.places:  # (most updates are of instruments with no orders)
                    self.queue.update(u, working, spec.tick)
                if working:
                    self.breakeven(u, spec, working)
        if self.chases:  # every frame, not only on news: a move held back by the pacing goes later
            self.chase_step()
        return events, updates

    def _requeue(self, events: list[object], updating: set[int]) -> None:
        """Orders that changed where the market did not: place them in the queue now."""
        changed = set()
        for e in events:
            if isinstance(e, ev.OpenOrder):
                changed.add(e.contract.con_id)
            elif isinstance(e, ev.OrderStatus):
                rec = self.orders.get(e.order_id)
                if rec is not None and rec.contract is not None:
                    changed.add(rec.contract.con_id)
        for con_id in changed - updating:
            market, spec = self.markets.get(con_id), self.specs.get(con_id)
            if market is not None and spec is not None:
                self.queue.update(market, self.orders.working(con_id), spec.tick, prints=False)

    def tape(self, spec: ContractSpec) -> Tape:
        """The instrument's tape (made on first use)."""
        tape = self.tapes.get(spec.contract.con_id)
        if tape is None:
            tape = self.tapes[spec.contract.con_id] = Tape(spec.tick, self.trades_window)
        return tape

    def apply(self, e: object) -> None:
        """Fold one broker event into the state (and journal what TWS said about orders)."""
        journal = self.journal
        if isinstance(e, ev.Connection):
            self._connection(e)
            return
        if isinstance(e, ev.Reconciled):
            self._reconciled(e)
            return
        if isinstance(e, ev.IBError):
            self._error(e)
            return
        if isinstance(e, ev.ContractResolved):
            self._resolved(e)
            return
        if isinstance(e, ev.SymbolMatches):
            self.matches = e
            return
        if isinstance(e, ev.CompletedOrder):
            self._completed(e)
            return
        rec = self.orders.apply(e)
        self.portfolio.apply(e)
        if isinstance(e, ev.PositionsEnd):
            for row in self.portfolio.end_resync():
                if row.quantity:
                    held = f"{plain_quantity(row.quantity, sign=True)} {row.contract.key}"
                    self.say(f"position {held} is not held at the gateway after connecting (closed "
                             "while ibtui was away, or another gateway's): shown flat", "warning")
        if isinstance(e, ev.Fill):
            self.trips.fill(e)
        elif isinstance(e, ev.Commission):
            self.trips.commission(e, self.clock())
        if isinstance(e, (ev.OrderStatus, ev.OpenOrder, ev.Fill, ev.Commission)):
            # every order message TWS sends is journaled, repeats included; a fill seen
            # again in a resync is the one exception (its exec id is already there)
            if journal and (rec is not None or not isinstance(e, ev.Fill)):
                journal.event(e)
            if rec is not None:
                self.changed_orders.add(rec.order_id)
                if isinstance(e, ev.Fill) and e.req_id == -1:
                    self.say(f"filled {rec.action} {plain_quantity(e.shares)} {self.key(rec)} @ "
                             f"{self.fmt(rec, e.price)} (order {rec.order_id})", "order")

    def key(self, rec: OrderRecord) -> str:
        """The order's instrument as the trader reads it (``ESZ6``)."""
        return rec.contract.key if rec.contract else "?"

    def fmt(self, rec: OrderRecord, price: float | None) -> str:
        """A price of this order's instrument, on its tick grid when the grid is known."""
        if price is None:
            return ""
        spec = self.specs.get(rec.contract.con_id) if rec.contract else None
        return format_price(price, spec.tick) if spec else plain_price(price)

    def describe(self, rec: OrderRecord) -> str:
        """``BUY 1 ESZ6 LMT 6008.75`` (stop-limits: ``stop 6010.25 lmt 6010.75``)."""
        parts = [rec.action, plain_quantity(rec.quantity), self.key(rec), rec.order_type]
        if has_stop(rec.order_type) and rec.aux_price is not None:
            parts.append(f"stop {self.fmt(rec, rec.aux_price)}")
        if is_trailing(rec.order_type) and rec.aux_price is not None:
            parts.append(f"trailing {self.fmt(rec, rec.aux_price)}"
                         + (f" stop {self.fmt(rec, rec.trail_stop)}" if rec.trail_stop is not None else ""))
        if has_limit(rec.order_type) and rec.lmt_price is not None:
            parts.append(("lmt " if has_stop(rec.order_type) else "") + self.fmt(rec, rec.lmt_price))
        return " ".join(parts)

    def _connection(self, e: ev.Connection) -> None:
        old = self.connection
        if self.journal and e.client_id:
            # the client id this session speaks as (another pane holding the configured id moves it
            # on): the journal's lines are this id's, and a restart reads back only this id's orders
            self.journal.client_id = e.client_id
        if (e.state, e.reason, e.reconciling) != (old.state, old.reason, old.reconciling):
            if self.journal:
                self.journal.event(e)
            # every change of state is said once; a new reason only when it is not a retry's countdown
            if (e.state, e.reconciling) != (old.state, old.reconciling) or \
                    (e.state != ConnState.CONNECTED and e.reason.split(";")[0] != old.reason.split(";")[0]):
                self.say(self._connection_words(e), "info" if e.state == ConnState.CONNECTED else "warning")
        self.connection = e
        if e.state == ConnState.CONNECTED and e.reconciling and not (old.state == ConnState.CONNECTED
                                                                     and old.reconciling):
            self.portfolio.begin_resync()  # the positions held are the ones the resync reports
        if e.state == ConnState.CONNECTED:
            self._connected_with(e.accounts)
        elif old.state in _TALKING and e.state not in _TALKING:
            self._connection_lost()

    @staticmethod
    def _connection_words(e: ev.Connection) -> str:
        if e.state == ConnState.CONNECTED:
            where = f" to {e.host}:{e.port}" if e.port else ""
            if e.reconciling:
                return f"CONNECTED{where} (server v{e.server_version}, {', '.join(e.accounts)}): " \
                       "reconciling orders, positions and executions"
            return "CONNECTED: reconciled; orders enabled" + (f" ({e.reason})" if e.reason else "")
        return f"{e.state.value}: {e.reason}" if e.reason else e.state.value

    def _error(self, e: ev.IBError) -> None:
        m = meaning(e.code)
        # the order takes the reject first, so its row and this message show in the same frame
        rec = self.orders.apply(e)
        if rec is not None:
            self.changed_orders.add(rec.order_id)
        if self.journal and m.kind != Kind.INFO:
            self.journal.event(e)
        if e.code in (2104, 2106, 2158, 202):
            return  # farm OK: the status bar says CONNECTED already; 202: the row says Cancelled
        level = {Kind.INFO: "info", Kind.WARNING: "warning", Kind.DATA: "warning",
                 Kind.ORDER: "error", Kind.CONNECTION: "warning"}[m.kind]
        where = f"order {e.req_id} ({self.describe(rec)}): " if rec is not None else ""
        self.say(f"{where}{e.message} [{e.code}: {m.text}]", level)

    def _triggered(self, u: ev.MarketUpdate) -> None:
        """Stop-limits whose stop the last trade reached now work at their limit."""
        for rec in self.orders.working(u.con_id):
            if rec.order_type == OrderType.STP_LMT and not rec.triggered and rec.aux_price is not None \
                    and (u.last >= rec.aux_price if rec.buy else u.last <= rec.aux_price):
                rec.triggered = True
                self.changed_orders.add(rec.order_id)

    def _resolved(self, e: ev.ContractResolved) -> None:
        typed = self.pending_queries.pop(e.query, None)
        if e.error or not e.specs:
            why = e.error or "unknown contract"
            self.unresolved[(typed or e.query).upper()] = why
            self.say(f"{typed or e.query}: {why}", "error")
            return
        if typed:
            self.unresolved.pop(typed.upper(), None)
        months = {s.contract.symbol for s in e.specs} if all(
            s.contract.sec_type == "FUT" for s in e.specs) else set()
        if len(months) == 1:
            # one future in several months: the front month, as a trader means by "GC"
            spec = min(e.specs, key=lambda s: s.contract.last_trade_date or "99999999")
        else:
            if len(e.specs) > 1:
                choices = ", ".join(s.contract.key for s in e.specs[:8])
                self.say(f"{typed or e.query} is ambiguous: {choices}", "warning")
            spec = e.specs[0]
        self.specs[spec.contract.con_id] = spec
        self.by_query[e.query] = spec
        if typed:
            self.by_query[typed.upper()] = spec

    # --- the UI's port to the broker --------------------------------------------------------------
    def start(self) -> None:
        """Start connecting (answers arrive through ``pump``)."""
        self.broker.start()

    def stop(self) -> None:
        """Disconnect and close the journal."""
        self.broker.stop()
        if self.journal is not None:
            self.journal.close()

    def watch(self, contract: Contract, depth_rows: int = 0, pnl: bool = False) -> None:
        """Stream a resolved contract's quotes (and depth, and its position's P&L)."""
        self.broker.subscribe(contract, depth_rows)
        if pnl:
            self.broker.pnl_single(contract.con_id)

    def search(self, pattern: str) -> None:
        """Symbols matching ``pattern``; the answer lands in ``matches``."""
        self.broker.search(pattern)

    def feed_counts(self) -> tuple[int, int]:
        """Market-data messages received and, of those, coalesced before the screen saw them."""
        h = self.broker.h
        return h.received, h.coalesced

    def freshness(self, spec: ContractSpec | None) -> str:
        """The data badge of an instrument: RT, DLY (delayed), STALE, CLOSED (quiet outside its
        trading hours), NONE, or … (not resolved)."""
        if spec is None:
            return "…"
        seen = self.market_seen.get(spec.contract.con_id)
        if seen is None:
            return "NONE"
        if self.broker.stale or self.connection.state not in _TALKING:  # quiet, or nobody there
            return "STALE"
        now = self.clock()
        if now - seen > self.limits.for_contract(spec.contract).stale_data_seconds:
            # quiet, and outside its trading hours: closed, not broken
            closed = is_open(spec.trading_hours, spec.time_zone, now) is False
            return "CLOSED" if closed else "STALE"
        market = self.markets.get(spec.contract.con_id)
        return "DLY" if market is not None and market.delayed else "RT"

    # --- contracts ----------------------------------------------------------------------------------
    def resolve(self, text: str) -> str:
        """Ask for the contract the trader typed (``ES``, ``EUR.USD``, ``ES:FUT:CME``); returns the query key."""
        symbol, sec_type, exchange, currency = parse_symbol(text)
        key = self.broker.resolve(symbol, sec_type, exchange, currency)
        self.pending_queries[key] = text.upper()
        return key

    def unresolved_why(self, text: str) -> str:
        """What the trader typed and why it named no contract ("" if it resolved or is on its way)."""
        why = self.unresolved.get(text.upper())
        return f"{text}: {why}; / searches for the instrument" if why else ""

    def spec_for(self, text: str) -> ContractSpec | None:
        """The resolved contract for what the trader typed, if it has resolved."""
        spec = self.by_query.get(text.upper())
        if spec is not None:
            return spec
        symbol, sec_type, exchange, currency = parse_symbol(text)
        for key, s in self.by_query.items():
            if key.split(":")[0] == symbol and (not sec_type or sec_type in key):
                return s
        return None
