"""The broker: the app's one handle on IB.

It owns the connection's life (connect, supervise, reconnect with backoff,
resynchronise), the request ids and subscriptions that must survive a
reconnect, contract resolution with a cache, order-id allocation and pacing.
Every public method is safe to call from any thread; answers arrive as events
in the hand-off.
"""

from __future__ import annotations

import logging
import random
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ibapi.execution import ExecutionFilter

from tui.core import events as ev
from tui.core.contracts import Contract, ContractSpec
from tui.core.events import ConnState
from tui.core.handoff import Handoff
from tui.core.intents import Bracket, OrderIntent
from tui.ib.client import Client
from tui.ib.convert import contract_to_ib, order_to_ib
from tui.ib.pacing import Pacer
from tui.ib.wire import HandshakeError
from tui.ib.wrapper import Wrapper

log = logging.getLogger(__name__)

SWITCH_INTERVAL = 0.0005
# every resync answer, completed orders included: reconciliation must know what ended while away
RESYNC_ENDS = frozenset({"orders", "positions", "executions", "completed", "account"})


class BrokerError(Exception):
    """An action the broker refused, with a message for the trader."""


@dataclass
class BrokerConfig:
    host: str = "127.0.0.1"
    port: int = 7497
    client_id: int = 1
    account: str = ""
    connect_timeout: float = 5.0
    stale_after: float = 10.0  # no bytes for this long: probe with reqCurrentTime
    probe_timeout: float = 5.0  # no answer to the probe: the connection is dead
    backoff_max: float = 10.0
    market_data_type: int = 1
    client_id_tries: int = 1  # >1: on error 326 at the first connect, try the next ids (tmux panes)


@dataclass
class Subscription:
    contract: Contract
    depth_rows: int = 0
    l1_req: int = 0
    depth_req: int = 0


@dataclass
class _Pending:
    """A request awaiting its answer; re-sent on the next connection if that one ends first."""

    kind: str
    key: object
    request: Callable[[Client, int], None]
    items: list[object] = field(default_factory=list)


def connect_hint(host: str, port: int, error: BaseException) -> str:
    if isinstance(error, ConnectionRefusedError):
        return (f"nothing listens on {host}:{port}: is TWS or IB Gateway running, with "
                "'Enable ActiveX and Socket Clients' on and this host among the trusted IPs?")
    if isinstance(error, (TimeoutError, OSError)) and "timed out" in str(error):
        return f"no answer from {host}:{port} (timed out): check the host, port and firewall"
    return f"cannot connect to {host}:{port}: {error}"


class Broker:
    def __init__(self, config: BrokerConfig, handoff: Handoff | None = None,
                 client_factory: Callable[..., Client] = Client) -> None:
        self.cfg = config
        self.client_factory = client_factory
        self.h = handoff or Handoff()
        self.md_keys: dict[int, int] = {}
        self.pnl_keys: dict[int, int] = {}
        self.subs: dict[int, Subscription] = {}
        self.specs: dict[str, tuple[ContractSpec, ...]] = {}
        self._pending: dict[int, _Pending] = {}
        self._lock = threading.RLock()
        self._next_req = 1
        self._next_order = 0
        self.pacer = Pacer()
        self.client: Client | None = None
        self.state = ConnState.DISCONNECTED
        self.reason = ""
        self.reconciling = False
        self.server_version = 0
        self.accounts: tuple[str, ...] = ()
        self.reconnects = 0
        self._ready = threading.Event()
        self._got_ids = False
        self._closed = threading.Event()
        self._close_reason = ""
        self._stop = threading.Event()
        self._ends: set[str] = set()
        self._seen_open: set[int] = set()
        self._first_sync = True
        self._probe_at = 0.0
        self._last_error_reason = ""
        self._thread: threading.Thread | None = None
        self._id_tries_left = config.client_id_tries

    # --- life -------------------------------------------------------------------------------
    def start(self) -> None:
        # The decode thread is busy in a storm; with CPython's default 5 ms switch interval
        # a key press can wait whole intervals for the GIL. 0.5 ms keeps key-to-wire short
        # for a few per cent of throughput.
        if sys.getswitchinterval() > SWITCH_INTERVAL:
            sys.setswitchinterval(SWITCH_INTERVAL)
        self._thread = threading.Thread(target=self._supervise, name="ib-supervisor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        client = self.client
        if client is not None:
            client.close("stopped")
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.pacer.close()
        self._set_state(ConnState.DISCONNECTED, "stopped")

    def wait_connected(self, timeout: float = 10.0, reconciled: bool = True) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.state == ConnState.CONNECTED and not (reconciled and self.reconciling):
                return True
            time.sleep(0.01)
        return False

    @property
    def can_trade(self) -> bool:
        return self.state == ConnState.CONNECTED and not self.reconciling

    def _set_state(self, state: ConnState, reason: str = "", reconciling: bool | None = None) -> None:
        if reconciling is not None:
            self.reconciling = reconciling
        self.state = state
        self.reason = reason
        self.h.put(ev.Connection(state, reason, self.server_version, self.accounts,
                                 self.reconciling, self.cfg.host, self.cfg.port, self.cfg.client_id))

    def _supervise(self) -> None:
        attempt = 0
        lost = ""  # why the last session ended, shown until the next one is up
        while not self._stop.is_set():
            target = f"{self.cfg.host}:{self.cfg.port}"
            self._set_state(ConnState.CONNECTING if attempt == 0 and not self.reconnects
                            else ConnState.RECONNECTING,
                            f"{lost}; reconnecting to {target}" if lost else f"connecting to {target}")
            try:
                self._open()
            except (OSError, HandshakeError, TimeoutError) as e:
                attempt += 1
                reason = self._last_error_reason or connect_hint(self.cfg.host, self.cfg.port, e)
                self._last_error_reason = ""
                delay = min(self.cfg.backoff_max, 0.25 * 2 ** (attempt - 1)) * (0.7 + 0.6 * random.random())
                self._set_state(ConnState.RECONNECTING if self.reconnects or attempt > 1
                                else ConnState.DISCONNECTED, f"{reason}; retrying in {delay:.1f}s")
                self._stop.wait(delay)
                continue
            attempt = 0
            lost = ""
            self._resync()
            self._watch()
            if self._stop.is_set():
                return
            self.reconnects += 1
            self.pacer.clear()
            lost = self._close_reason
            self._set_state(ConnState.RECONNECTING, lost)

    def _open(self) -> None:
        self._ready.clear()
        self._closed.clear()
        self._got_ids = False
        self.accounts = ()
        client = self.client_factory(Wrapper(self, self.h), self._on_closed)
        self.client = client
        client.open(self.cfg.host, self.cfg.port, self.cfg.client_id, self.cfg.connect_timeout)
        if not self._ready.wait(self.cfg.connect_timeout) or self._closed.is_set():
            reason = self._close_reason or "TWS accepted the socket but never sent nextValidId"
            client.close(reason)
            raise TimeoutError(reason)
        self.server_version = client.serverVersion()

    def _on_closed(self, reason: str) -> None:
        self._close_reason = reason if not self._last_error_reason else self._last_error_reason
        self._closed.set()
        self._ready.set()  # wake a connect that is waiting

    def _watch(self) -> None:
        client = self.client
        assert client is not None and client.wire is not None
        wire = client.wire
        self._probe_at = 0.0
        while not self._stop.is_set() and not self._closed.wait(0.2):
            idle = time.monotonic() - wire.last_rx
            if idle > self.cfg.stale_after and not self._probe_at:
                self._probe_at = time.monotonic()
                self._urgent(client.reqCurrentTime)
            elif self._probe_at:
                if wire.last_rx > self._probe_at:
                    self._probe_at = 0.0
                elif time.monotonic() - self._probe_at > self.cfg.probe_timeout:
                    client.close(f"no data from TWS for {idle:.0f}s and no answer to a probe")

    @property
    def stale(self) -> bool:
        """Connected, but silent long enough that a probe is out."""
        return bool(self._probe_at)

    # --- resync ---------------------------------------------------------------------------------
    def _resync(self) -> None:
        client = self.client
        assert client is not None
        with self._lock:
            self._ends = set(RESYNC_ENDS)
            self._seen_open = set()
        self._set_state(ConnState.CONNECTED, "reconciling with TWS", reconciling=True)
        # through the pacer like everything else: TWS counts these against the 50/s too
        account = self.cfg.account or (self.accounts[0] if self.accounts else "")
        exec_req, pnl_req = self._req_id(), self._req_id()
        for send in (
            lambda: client.reqMarketDataType(self.cfg.market_data_type),
            client.reqOpenOrders,
            client.reqPositions,
            lambda: client.reqExecutions(exec_req, ExecutionFilter()),
            lambda: client.reqCompletedOrders(True),
            lambda: client.reqAccountUpdates(True, self.cfg.account),
            lambda: client.reqPnL(pnl_req, account, ""),
        ):
            self._data(send)
        with self._lock:
            pending = list(self._pending.items())
        for rid, p in pending:
            p.items.clear()
            self._data(lambda rid=rid, p=p: p.request(client, rid))
        self._resubscribe()

    def _resubscribe(self) -> None:
        with self._lock:
            subs = list(self.subs.values())
            singles = list(self.pnl_keys.items())
        for sub in subs:
            self._send_subscription(sub)
        client = self.client
        if client is not None:
            for rid, con in singles:
                self._send_pnl_single(client, rid, con)

    def on_end(self, name: str) -> None:
        with self._lock:
            if name not in self._ends:
                return
            self._ends.discard(name)
            done = not self._ends
            seen = frozenset(self._seen_open)
        if done:
            self.h.put(ev.Reconciled(seen, self._first_sync))
            self._first_sync = False
            self._set_state(ConnState.CONNECTED, "", reconciling=False)

    def on_open_order(self, order_id: int) -> None:
        with self._lock:
            self._seen_open.add(order_id)

    # --- callbacks from the wrapper -------------------------------------------------------------
    def on_next_valid_id(self, order_id: int) -> None:
        with self._lock:
            # after a reconnect: whichever is higher, what TWS says or what we already used
            self._next_order = max(self._next_order, order_id)
            self._got_ids = True
        self.h.put(ev.NextOrderId(order_id))
        if self.accounts:
            self._ready.set()

    def on_accounts(self, accounts: str) -> None:
        self.accounts = tuple(a for a in accounts.split(",") if a)
        if self._got_ids:
            self._ready.set()

    def on_error(self, req_id: int, code: int, text: str) -> None:
        self.h.put(ev.IBError(req_id, code, text))
        if code == 326 and self.reconnects == 0 and self._id_tries_left > 1:
            self._id_tries_left -= 1
            self.cfg.client_id += 1  # another pane holds this id: take the next one
            self._last_error_reason = f"client id {self.cfg.client_id - 1} in use; trying {self.cfg.client_id}"
        elif code == 326:
            self._last_error_reason = (f"client id {self.cfg.client_id} is already in use at "
                                       f"{self.cfg.host}:{self.cfg.port}; choose another client_id")
        elif code in (1100, 2110):
            self._set_state(ConnState.DEGRADED, "TWS lost its connection to IB" if code == 1100
                            else "connectivity between TWS and IB is broken")
        elif code == 1101:
            self._set_state(ConnState.CONNECTED, "IB connection restored; resubscribing market data")
            self._resubscribe()
        elif code == 1102:
            self._set_state(ConnState.CONNECTED, "IB connection restored")
        elif code == 317:
            con = self.md_keys.get(req_id)
            if con is not None:
                self.h.clear_market(con)
        with self._lock:
            pending = self._pending.pop(req_id, None) if code in (200, 162, 321, 10189) else None
        if pending is not None and pending.kind == "details":
            self.h.put(ev.ContractResolved(str(pending.key), (), error=_unknown(str(pending.key))))

    def on_market_data_type(self, req_id: int, kind: int) -> None:
        pass

    # --- contracts ----------------------------------------------------------------------------
    def _req_id(self) -> int:
        with self._lock:
            rid = self._next_req
            self._next_req += 1
            return rid

    def _request(self, kind: str, key: object, request: Callable[[Client, int], None]) -> None:
        rid = self._req_id()
        with self._lock:
            self._pending[rid] = _Pending(kind, key, request)
        client = self.client
        if client is not None and self.state in (ConnState.CONNECTED, ConnState.DEGRADED):
            self._data(lambda: request(client, rid))
        # otherwise the next connection's resync sends it

    def resolve(self, symbol: str, sec_type: str = "", exchange: str = "", currency: str = "",
                con_id: int = 0) -> str:
        """Ask for a contract's details; the answer comes as ContractResolved. Returns the query key."""
        key = query_key(symbol, sec_type, exchange, currency, con_id)
        cached = self.specs.get(key)
        if cached is not None:
            self.h.put(ev.ContractResolved(key, cached))
            return key
        c = Contract(symbol.upper(), sec_type.upper(), exchange.upper(), currency.upper(), con_id)
        if not c.exchange and c.sec_type in ("STK", ""):
            c = Contract(c.symbol, c.sec_type, "SMART", c.currency or "USD", con_id)
        ib_contract = contract_to_ib(c)
        self._request("details", key, lambda cl, rid: cl.reqContractDetails(rid, ib_contract))
        return key

    def on_contract_details(self, req_id: int, spec: ContractSpec) -> None:
        with self._lock:
            p = self._pending.get(req_id)
            if p is not None and all(s.contract.con_id != spec.contract.con_id for s in p.items):  # type: ignore[attr-defined]
                p.items.append(spec)

    def on_contract_details_end(self, req_id: int) -> None:
        with self._lock:
            p = self._pending.pop(req_id, None)
        if p is None:
            return
        specs = tuple(p.items)  # type: ignore[arg-type]
        key = str(p.key)
        if specs:
            self.specs[key] = specs
            for s in specs:
                self.specs[query_key("", con_id=s.contract.con_id)] = (s,)
        self.h.put(ev.ContractResolved(key, specs, "" if specs else _unknown(key)))

    def search(self, pattern: str) -> None:
        self._request("symbols", pattern, lambda cl, rid: cl.reqMatchingSymbols(rid, pattern))

    def on_symbol_samples(self, req_id: int, contracts: tuple[Contract, ...]) -> None:
        with self._lock:
            p = self._pending.pop(req_id, None)
        if p is not None:
            self.h.put(ev.SymbolMatches(str(p.key), contracts))

    def history(self, contract: Contract, duration: str = "1 D", bar_size: str = "5 mins") -> None:
        ib_contract = contract_to_ib(contract)
        self._request("bars", contract.con_id, lambda cl, rid: cl.reqHistoricalData(
            rid, ib_contract, "", duration, bar_size, "TRADES", 0, 1, False, []))

    def on_bar(self, req_id: int, bar: ev.Bar) -> None:
        with self._lock:
            p = self._pending.get(req_id)
            if p is not None:
                p.items.append(bar)

    def on_bars_end(self, req_id: int) -> None:
        with self._lock:
            p = self._pending.pop(req_id, None)
        if p is not None:
            self.h.put(ev.HistoricalBars(int(p.key), tuple(p.items)))  # type: ignore[arg-type]

    # --- market data ----------------------------------------------------------------------------
    def subscribe(self, contract: Contract, depth_rows: int = 0) -> None:
        """Stream L1 (and depth when ``depth_rows``) for a resolved contract; kept across reconnects."""
        if not contract.con_id:
            raise BrokerError(f"{contract.symbol}: resolve the contract before subscribing")
        with self._lock:
            sub = self.subs.get(contract.con_id)
            if sub is not None and sub.depth_rows >= depth_rows:
                return
            if sub is None:
                sub = self.subs[contract.con_id] = Subscription(contract, depth_rows)
            else:
                sub.depth_rows = depth_rows
        if self.state in (ConnState.CONNECTED, ConnState.DEGRADED):
            self._send_subscription(sub)

    def _send_subscription(self, sub: Subscription) -> None:
        client = self.client
        if client is None:
            return
        contract = contract_to_ib(sub.contract)
        con = sub.contract.con_id
        if sub.l1_req:
            self.md_keys.pop(sub.l1_req, None)
        sub.l1_req = self._req_id()
        self.md_keys[sub.l1_req] = con
        rid = sub.l1_req
        self._data(lambda: client.reqMktData(rid, contract, "", False, False, []))
        if sub.depth_rows:
            if sub.depth_req:
                self.md_keys.pop(sub.depth_req, None)
            self.h.clear_market(con)
            sub.depth_req = self._req_id()
            self.md_keys[sub.depth_req] = con
            drid, rows = sub.depth_req, sub.depth_rows
            self._data(lambda: client.reqMktDepth(drid, contract, rows, False, []))

    def unsubscribe(self, con_id: int) -> None:
        with self._lock:
            sub = self.subs.pop(con_id, None)
        if sub is None or self.client is None:
            return
        client = self.client
        self.md_keys.pop(sub.l1_req, None)
        self._data(lambda: client.cancelMktData(sub.l1_req))
        if sub.depth_req:
            self.md_keys.pop(sub.depth_req, None)
            self._data(lambda: client.cancelMktDepth(sub.depth_req, False))

    def pnl_single(self, con_id: int) -> None:
        """Stream P&L for one position (kept across reconnects)."""
        with self._lock:
            if con_id in self.pnl_keys.values():
                return
            rid = self._req_id()
            self.pnl_keys[rid] = con_id
        if self.client is not None and self.state in (ConnState.CONNECTED, ConnState.DEGRADED):
            self._send_pnl_single(self.client, rid, con_id)

    def _send_pnl_single(self, client: Client, rid: int, con_id: int) -> None:
        account = self.cfg.account or (self.accounts[0] if self.accounts else "")
        self._data(lambda: client.reqPnLSingle(rid, account, "", con_id))

    # --- orders ---------------------------------------------------------------------------------
    def _data(self, send: object) -> None:
        self.pacer.submit(send)  # type: ignore[arg-type]

    def _urgent(self, send: object) -> None:
        self.pacer.submit(send, urgent=True)  # type: ignore[arg-type]

    def _check_can_send(self) -> Client:
        if self.state not in (ConnState.CONNECTED, ConnState.DEGRADED) or self.client is None:
            raise BrokerError(f"not connected ({self.state.value.lower()}): order not sent")
        return self.client

    def reserve_order_ids(self, below: int) -> None:
        """Never allocate an id under ``below`` (ids this client used before a restart)."""
        with self._lock:
            self._next_order = max(self._next_order, below)

    def allocate_order_id(self) -> int:
        with self._lock:
            if not self._next_order:
                raise BrokerError("no order id from TWS yet")
            oid = self._next_order
            self._next_order += 1
            return oid

    def place(self, intent: OrderIntent, order_id: int | None = None) -> int:
        """Send a new order (or, with an existing ``order_id``, a modification)."""
        client = self._check_can_send()
        oid = order_id if order_id is not None else self.allocate_order_id()
        contract = contract_to_ib(intent.spec.contract)
        order = order_to_ib(intent, self.cfg.account)
        self._urgent(lambda: client.placeOrder(oid, contract, order))
        return oid

    def place_bracket(self, b: Bracket) -> tuple[int, int, int]:
        """Entry, take-profit and stop-loss; only the last transmits, so none works alone."""
        self._check_can_send()
        with self._lock:
            parent = self.allocate_order_id()
            tp = self.allocate_order_id()
            sl = self.allocate_order_id()
        e = b.entry
        exit_action = "SELL" if e.buy else "BUY"
        entry = OrderIntent(**{**_fields(e), "transmit": False})
        take = OrderIntent(e.spec, exit_action, e.quantity, "LMT", b.take_profit, None, "GTC",
                           e.outside_rth, parent, False)
        stop = OrderIntent(e.spec, exit_action, e.quantity, "STP", None, b.stop_loss, "GTC",
                           e.outside_rth, parent, True)
        self.place(entry, parent)
        self.place(take, tp)
        self.place(stop, sl)
        return parent, tp, sl

    def cancel(self, order_id: int) -> None:
        client = self._check_can_send()
        self._urgent(lambda: client.cancelOrder(order_id))

    def global_cancel(self) -> None:
        client = self._check_can_send()
        self._urgent(client.reqGlobalCancel)

    # --- stats ----------------------------------------------------------------------------------
    def stats(self) -> dict[str, int]:
        client = self.client
        return {
            "messages": client.messages if client else 0,
            "market_received": self.h.received,
            "coalesced": self.h.coalesced,
            "max_pending": self.h.max_pending,
            "pacer_queued": self.pacer.queued,
        }


def query_key(symbol: str, sec_type: str = "", exchange: str = "", currency: str = "",
              con_id: int = 0) -> str:
    if con_id:
        return f"#{con_id}"
    return ":".join(p.upper() for p in (symbol, sec_type, exchange, currency)).rstrip(":")


def _unknown(key: str) -> str:
    what = key.replace(":", " ").strip()
    return f"no contract matches {what!r}"


def _fields(intent: OrderIntent) -> dict[str, object]:
    return {f: getattr(intent, f) for f in intent.__dataclass_fields__}
