"""The broker: the app's one handle on IB, a facade over the client layer's parts.

Every public method is safe to call from any thread; answers arrive as events in
the hand-off. The parts, one job each: ``session`` (connection life), ``resync``
(what is asked again after a connect), ``requests`` (request ids, awaited answers,
contract cache), ``subscriptions`` (market data kept across reconnects) and
``orders`` (order ids, bracket legs). The wrapper writes to this facade through the
narrow ``Sink`` protocol of ``tui.ib.wrapper``.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable

from tui.core import events as ev
from tui.core.contracts import Contract, ContractSpec
from tui.core.events import ConnState
from tui.core.handoff import Handoff
from tui.core.intents import Bracket, OrderIntent
from tui.ib import compat, ticks
from tui.ib.client import Client
from tui.ib.convert import contract_to_ib, order_to_ib
from tui.ib.orders import BrokerError, OrderIds, bracket_legs
from tui.ib.pacing import Pacer, Send
from tui.ib.requests import Requests, query_key
from tui.ib.resync import Resync, resync_requests
from tui.ib.session import BrokerConfig, Session
from tui.ib.subscriptions import Subscription, Subscriptions
from tui.ib.wrapper import Wrapper

__all__ = ["Broker", "BrokerConfig", "BrokerError"]


class Broker:
    """Implements ``tui.core.ports.BrokerPort`` over IB's socket API (and ``Sink`` for the wrapper)."""

    def __init__(self, config: BrokerConfig, handoff: Handoff | None = None,
                 client_factory: Callable[..., Client] = Client) -> None:
        self.cfg = config
        self.h = handoff or Handoff()
        self.pacer = Pacer()
        self.requests = Requests()
        self.subscriptions = Subscriptions(self.requests.new_id)
        self.order_ids = OrderIds()
        self.resync = Resync()
        self.session = Session(config, self.h, self.pacer,
                               lambda closed: client_factory(Wrapper(self, self.h), closed), self._up)
        self._thread: threading.Thread | None = None

    # --- what the app reads ------------------------------------------------------------------
    @property
    def state(self) -> ConnState:
        return self.session.state

    @property
    def reason(self) -> str:
        return self.session.reason

    @property
    def reconciling(self) -> bool:
        return self.session.reconciling

    @property
    def server_version(self) -> int:
        return self.session.server_version

    @property
    def accounts(self) -> tuple[str, ...]:
        return self.session.accounts

    @property
    def reconnects(self) -> int:
        return self.session.reconnects

    @property
    def client(self) -> Client | None:
        return self.session.client

    @property
    def stale(self) -> bool:
        """Connected, but silent long enough that a probe is out."""
        return self.session.stale

    @property
    def can_trade(self) -> bool:
        return self.state == ConnState.CONNECTED and not self.reconciling

    def _account(self) -> str:
        return self.cfg.account or (self.accounts[0] if self.accounts else "")

    # --- life -------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self.session.run, name="ib-supervisor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.session.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.pacer.close()
        self.session.set_state(ConnState.DISCONNECTED, "stopped")

    def wait_connected(self, timeout: float = 10.0, reconciled: bool = True,
                       give_up_when_refused: bool = False) -> bool:
        """Block until connected (and reconciled); False after ``timeout`` seconds, or at once
        when nothing listens on the port and ``give_up_when_refused``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.state == ConnState.CONNECTED and not (reconciled and self.reconciling):
                return True
            if give_up_when_refused and self.reason.startswith("nothing listens on"):
                return False
            time.sleep(0.01)
        return False

    def _up(self, client: Client) -> None:
        """A new connection: ask again for everything (through the pacer: TWS counts it all)."""
        self.resync.begin()
        self.session.set_state(ConnState.CONNECTED, "reconciling with TWS", reconciling=True)
        new_id = self.requests.new_id
        for send in resync_requests(client, self._account(), self.cfg.account, self.cfg.market_data_type,
                                    new_id(), new_id()):
            self._data(send)
        for rid, p in self.requests.waiting():
            self._data(functools.partial(p.request, client, rid))
        self._resubscribe(client)

    def _resubscribe(self, client: Client) -> None:
        for sub in self.subscriptions.all():
            self._send_subscription(client, sub)
        for rid, con in self.subscriptions.pnl_streams():
            self._send_pnl_single(client, rid, con)

    # --- the wrapper's sink (decode thread) --------------------------------------------------------
    def next_valid_id(self, order_id: int) -> None:
        self.order_ids.offered(order_id)
        self.h.put(ev.NextOrderId(order_id))
        self.session.next_valid_id()

    def managed_accounts(self, accounts: str) -> None:
        self.session.managed_accounts(accounts)

    def error(self, req_id: int, code: int, text: str) -> None:
        """An error from TWS: an event for the desk, and what it means for the session and requests."""
        self.h.put(ev.IBError(req_id, code, text))
        self.session.error(code)
        if code == 1101:
            client = self.client
            if client is not None:
                self._resubscribe(client)
        elif code == 317:
            con = self.subscriptions.market.get(req_id)
            if con is not None:
                self.h.clear_market(con)
        failed = self.requests.failed(req_id, code)
        if failed is not None:
            self.h.put(failed)

    def open_order_seen(self, order_id: int) -> None:
        self.resync.seen(order_id)

    def end(self, name: str) -> None:
        """A resync answer is complete; after the last one the desk gets ``Reconciled``."""
        done = self.resync.end(name)
        if done is not None:
            self.h.put(done)
            self.session.set_state(ConnState.CONNECTED, "", reconciling=False)

    def contract_detail(self, req_id: int, spec: ContractSpec) -> None:
        self.requests.detail(req_id, spec)

    def contract_details_end(self, req_id: int) -> None:
        resolved = self.requests.details_end(req_id)
        if resolved is not None:
            self.h.put(resolved)

    def symbol_samples(self, req_id: int, contracts: tuple[Contract, ...]) -> None:
        found = self.requests.samples(req_id, contracts)
        if found is not None:
            self.h.put(found)

    # --- contracts ----------------------------------------------------------------------------
    def _request(self, kind: str, key: str, request: Callable[[Client, int], None]) -> None:
        rid = self.requests.add(kind, key, request)
        client = self.client
        if client is not None and self.session.sending:
            self._data(lambda: request(client, rid))
        # otherwise the next connection's resync sends it

    def resolve(self, symbol: str, sec_type: str = "", exchange: str = "", currency: str = "",
                con_id: int = 0) -> str:
        """Ask for a contract's details; the answer comes as ContractResolved. Returns the query key."""
        key = query_key(symbol, sec_type, exchange, currency, con_id)
        cached = self.requests.specs.get(key)
        if cached is not None:
            self.h.put(ev.ContractResolved(key, cached))
            return key
        c = Contract(symbol.upper(), sec_type.upper(), exchange.upper(), currency.upper(), con_id)
        if not c.exchange and c.sec_type in ("STK", ""):
            c = Contract(c.symbol, c.sec_type, "SMART", c.currency or "USD", con_id)
        ib_contract = contract_to_ib(c)
        self._request("details", key, lambda cl, rid: cl.reqContractDetails(rid, ib_contract))
        return key

    def search(self, pattern: str) -> None:
        """Symbols matching ``pattern``; the answer comes as SymbolMatches."""
        self._request("symbols", pattern, lambda cl, rid: cl.reqMatchingSymbols(rid, pattern))

    # --- market data ----------------------------------------------------------------------------
    def subscribe(self, contract: Contract, depth_rows: int = 0) -> None:
        """Stream L1 (and depth and every trade when ``depth_rows``) for a resolved contract; kept
        across reconnects."""
        if not contract.con_id:
            raise BrokerError(f"{contract.symbol}: resolve the contract before subscribing")
        sub = self.subscriptions.want(contract, depth_rows)
        client = self.client
        if sub is not None and client is not None and self.session.sending:
            self._send_subscription(client, sub)

    def _send_subscription(self, client: Client, sub: Subscription) -> None:
        contract = contract_to_ib(sub.contract)
        if sub.depth_rows:
            self.h.clear_market(sub.contract.con_id)  # the new depth stream rebuilds the book
        self.subscriptions.renew(sub)
        rid, drid, rows = sub.l1_req, sub.depth_req, sub.depth_rows
        # every trade (RTVolume) only where the screen shows trades: the ladder's instruments,
        # the ones streamed with depth; a watchlist quote needs none of that traffic
        generic = ticks.GENERIC_TICKS if rows else ""
        self._data(lambda: client.reqMktData(rid, contract, generic, False, False, []))
        if rows:
            self._data(lambda: client.reqMktDepth(drid, contract, rows, False, []))

    def pnl_single(self, con_id: int) -> None:
        """Stream P&L for one position (kept across reconnects)."""
        rid = self.subscriptions.want_pnl(con_id)
        client = self.client
        if rid is not None and client is not None and self.session.sending:
            self._send_pnl_single(client, rid, con_id)

    def _send_pnl_single(self, client: Client, rid: int, con_id: int) -> None:
        account = self._account()
        self._data(lambda: client.reqPnLSingle(rid, account, "", con_id))

    # --- orders ---------------------------------------------------------------------------------
    def _data(self, send: Send) -> None:
        self.pacer.submit(send)

    def _urgent(self, send: Send) -> None:
        self.pacer.submit(send, urgent=True)

    def _check_can_send(self) -> Client:
        client = self.client
        if not self.session.sending or client is None:
            raise BrokerError(f"not connected ({self.state.value.lower()}): order not sent")
        return client

    def reserve_order_ids(self, below: int) -> None:
        """Never allocate an id under ``below`` (ids this client used before a restart)."""
        self.order_ids.reserve(below)

    def allocate_order_id(self) -> int:
        return self.order_ids.take()[0]

    def place(self, intent: OrderIntent, order_id: int | None = None) -> int:
        """Send a new order (or, with an existing ``order_id``, a modification)."""
        client = self._check_can_send()
        oid = order_id if order_id is not None else self.allocate_order_id()
        stencils = client.stencils
        data = stencils.frame(oid, intent, self.cfg.account) if stencils is not None else None
        if data is not None:  # ibapi's bytes for it, without ibapi's walk of every field
            self._urgent(lambda: client.send_frame(data))
            return oid
        contract = contract_to_ib(intent.spec.contract)
        order = order_to_ib(intent, self.cfg.account)
        self._urgent(lambda: client.placeOrder(oid, contract, order))
        if stencils is not None:
            stencils.learn(oid, intent, self.cfg.account)  # after the send: the next of its kind is quicker
        return oid

    def place_bracket(self, b: Bracket) -> list[int]:
        """Entry, then a take-profit and stop-loss per target; only the last transmits, so none
        works alone. The ids in that order."""
        self._check_can_send()
        ids = self.order_ids.take(1 + 2 * len(b.exits()))
        for oid, intent in bracket_legs(b, ids):
            self.place(intent, oid)
        return ids

    def cancel(self, order_id: int) -> None:
        client = self._check_can_send()
        self._urgent(lambda: compat.cancel_order(client, order_id))

    def global_cancel(self) -> None:
        client = self._check_can_send()
        self._urgent(lambda: compat.global_cancel(client))

    # --- stats ----------------------------------------------------------------------------------
    def stats(self) -> dict[str, int]:
        """Counters for the status bar and the benchmark."""
        client = self.client
        return {
            "messages": client.messages if client else 0,
            "market_received": self.h.received,
            "coalesced": self.h.coalesced,
            "max_pending": self.h.max_pending,
            "pacer_queued": self.pacer.queued,
        }
