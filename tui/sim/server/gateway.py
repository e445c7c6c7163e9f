"""The simulated gateway: shared market, account and orders behind many sessions."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from tui.core.prices import on_grid, to_ticks
from tui.sim.protocol import messages as msg
from tui.sim.trading.account import Account
from tui.sim.clock import ManualClock, WallClock, tws_time
from tui.sim.protocol.codec import ProtocolError
from tui.sim.server.feed import Feed
from tui.sim.server.handlers import Handlers
from tui.sim.market.instruments import Instrument, build_catalogue
from tui.sim.market.bars import LiveBars
from tui.sim.market.universe import universe
from tui.sim.market.book import InstrumentMarket
from tui.sim.trading.matching import Engine, Execution
from tui.sim.trading.orders import SimOrder
from tui.sim.server.persist import load_state, save_state
from tui.sim.protocol.parsers import parse
from tui.sim.protocol.requests import ContractQuery
from tui.sim.server.session import Session

log = logging.getLogger("tui.sim")

ACCOUNT_ID = "DU1234567"
RATES = {"paused": 0.0, "quiet": 10.0, "normal": 200.0, "busy": 2000.0, "storm": 100_000.0}
# market events made per event-loop turn at most: about a millisecond or two of work, so that
# sessions write and requests are read between slices however far behind the market is
STEPS_PER_TURN = 256
_EXCHANGE_ALIASES = {"GLOBEX": "CME", "ISLAND": "NASDAQ"}


def parse_rate(rate: str | float) -> float:
    """Market events per second across all instruments (``storm``, ``5000``, ...)."""
    if isinstance(rate, (int, float)):
        return float(rate)
    text = rate.strip().lower()
    if text in RATES:
        return RATES[text]
    try:
        value = float(text)
    except ValueError:
        raise ValueError(
            f"rate {rate!r}: expected quiet, normal, busy, storm or a number of events per second"
        ) from None
    if value < 0:
        raise ValueError(f"rate {rate!r} must not be negative")
    return value


class _Markets(dict[int, InstrumentMarket]):
    """Instrument markets by con id, made on first use (a few hundred books would cost start-up
    time and spread the market's events thin over instruments nobody watches)."""

    def __init__(self, gw: Gateway) -> None:
        super().__init__()
        self.gw = gw

    def __missing__(self, con_id: int) -> InstrumentMarket:
        gw = self.gw
        inst = gw.by_con[con_id]
        m = self[con_id] = InstrumentMarket(inst, gw.seed, gw.clock.now())
        gw._market_list.append(m)
        gw.feed.prev_l1[con_id] = (m.bids[0], m.asks[0])
        return m


class Gateway:
    """One simulated TWS: a market, an account, an engine, and the sessions using them."""

    def __init__(self, *, seed: int = 1, rate: str | float = "normal",
                 clock: WallClock | ManualClock | None = None, account_id: str = ACCOUNT_ID,
                 state_path: str | Path | None = None) -> None:
        self.clock = clock or WallClock()
        self.seed = seed
        self.rate = parse_rate(rate)
        now = self.clock.now()
        today = dt.datetime.fromtimestamp(now, dt.UTC).date()
        well_known = build_catalogue(today)
        self.instruments: list[Instrument] = well_known + universe(today)
        self.by_con = {i.con_id: i for i in self.instruments}
        # the well-known ten move from the start; any other instrument's market is made the first
        # time something needs it (a subscription, an order), and then moves with the rest
        self.markets: dict[int, InstrumentMarket] = _Markets(self)
        for i in well_known:
            self.markets[i.con_id] = InstrumentMarket(i, seed, now)
        self._market_list = list(self.markets.values())
        self._rr = 0
        self.account = Account(account_id)
        self.engine = Engine(self.markets, self.account, self, self.clock.now)
        self.feed = Feed(self.markets)
        self.live_bars: dict[int, LiveBars] = {}  # instruments someone streams 5-second bars of
        self.sessions: dict[int, Session] = {}
        self.sessions_open: set[Session] = set()
        self.last_order_ids: dict[int, int] = {}
        self.handlers = Handlers(self)
        self.state_path = Path(state_path) if state_path else None
        self._save_pending = False
        self._next_second = int(now) + 1
        self.server: asyncio.AbstractServer | None = None
        self._market_task: asyncio.Task[None] | None = None
        self.steps = 0
        self.frames_out = 0  # messages written to clients' sockets, all kinds (the bench's offered rate)
        # test and fault hooks
        self.reject_next: tuple[int, str] | None = None
        self.stalled_until = 0.0  # loop time until which nothing is sent
        self.refuse_until = 0.0  # loop time until which new connections are refused
        self.enforce_pacing = True  # TWS's 50 messages per second per client
        self.on_request: Callable[[Session, bytes], None] | None = None
        if self.state_path and self.state_path.exists():
            load_state(self, self.state_path)
        # the day's P&L counts from this session's start, as TWS's does from its day's start
        self.account.start_net_liq = None
        self.account.start_net_liq = self.account.values(self.marks())["NetLiquidation"]

    # --- lifecycle ------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(lambda: Session(self), host, port)
        bound = self.server.sockets[0].getsockname()[1]
        if self.rate > 0:
            self._market_task = asyncio.create_task(self._run_market())
        log.info("simulated gateway listening on %s:%d (seed %d, %g events/s)",
                 host, bound, self.seed, self.rate)
        return bound

    async def stop(self) -> None:
        if self._market_task is not None:
            self._market_task.cancel()
            try:
                await self._market_task
            except asyncio.CancelledError:
                pass
            self._market_task = None
        if self.server is not None:
            self.server.close()
            for s in list(self.sessions_open):
                s.close()
            await self.server.wait_closed()
            self.server = None
        if self.state_path:
            save_state(self, self.state_path)

    def connection_time(self) -> str:
        return tws_time(self.clock.now())

    # --- the market -----------------------------------------------------------
    async def _run_market(self) -> None:
        loop = asyncio.get_running_loop()
        interval = 0.005 if self.rate >= 5000 else 0.02
        last = loop.time()
        backlog = 0.0  # events due and not yet made
        while True:
            # behind: only let the loop turn (sessions write, requests are read), then go on
            await asyncio.sleep(0 if backlog >= 1 else interval)
            t = loop.time()
            # never fall further behind than a quarter second of events
            backlog = min(backlog + (t - last) * self.rate, max(1.0, self.rate / 4))
            last = t
            n = min(int(backlog), STEPS_PER_TURN)
            backlog -= n
            try:
                self._advance(n)
            except Exception:  # a bug here must not stop the market for everyone
                log.exception("market step failed")

    def run_steps(self, n: int, dt_seconds: float = 0.01) -> None:
        """Advance the market by hand (tests, paused gateways); call on the loop thread."""
        for _ in range(n):
            if isinstance(self.clock, ManualClock):
                self.clock.advance(dt_seconds)
            self._advance(1)

    def _advance(self, n: int) -> None:
        now = self.clock.now()
        epoch = int(now)
        markets = self._market_list
        count = len(markets)
        rr = self._rr
        # each book walks its fair value once per batch, before its first event (its own generator)
        for i in range(min(n, count)):
            markets[(rr + i) % count].advance_fair(now)
        working, live_bars = self.engine.working, self.live_bars
        on_step, publish = self.engine.on_step, self.feed.publish
        for _ in range(n):
            mkt = markets[rr]
            rr += 1
            if rr == count:
                rr = 0
            if mkt.trades:
                mkt.trades.clear()
            mkt.step()
            con_id = mkt.con_id
            if working.get(con_id):
                on_step(mkt)
            publish(mkt, epoch)
            if live_bars:
                bars = live_bars.get(con_id)
                if bars is not None:
                    bars.observe(mkt, now)
        self._rr = rr
        self.steps += n
        if now >= self._next_second:
            self._next_second = int(now) + 1
            self.engine.expire(now)
            self.handlers.periodic()

    def marks(self) -> dict[int, float]:
        return {c: m.mark for c, m in self.markets.items()}

    # --- sessions ----------------------------------------------------------------
    def register(self, session: Session) -> bool:
        if session.client_id in self.sessions:
            return False
        self.sessions[session.client_id] = session
        log.info("client %d connected from %s", session.client_id, session.peer)
        return True

    def unregister(self, session: Session) -> None:
        self.sessions_open.discard(session)
        if self.sessions.get(session.client_id) is session:
            del self.sessions[session.client_id]
            log.info("client %d disconnected", session.client_id)
        self.feed.drop_session(session)

    def greet(self, session: Session) -> None:
        """A new session after startApi: its accounts and next order id, as TWS sends them."""
        session.send(msg.managed_accounts(self.account.account_id))
        session.send(msg.next_valid_id(self.next_order_id(session.client_id)))
        session.error(-1, 2104, "Market data farm connection is OK:usfarm")
        session.error(-1, 2106, "HMDS data farm connection is OK:ushmds")
        session.error(-1, 2158, "Sec-def data farm connection is OK:secdefnj")

    def next_order_id(self, client_id: int) -> int:
        return self.last_order_ids.get(client_id, 0) + 1

    def resume(self, session: Session) -> None:
        """A slow session caught up: send it current books and quotes instead of the backlog."""
        self.feed.resume(session)
        self.handlers.resend_l1(session)

    def handle(self, session: Session, payload: bytes) -> None:
        """One request frame of ``session``: parse and answer (a malformed one gets error 320)."""
        if self.on_request is not None:
            self.on_request(session, payload)
        try:
            msg_id, request = parse(payload, session.version)
        except ProtocolError as e:
            if "message id" in str(e):
                raise  # not a TWS frame at all: the connection is garbage
            session.error(-1, 320, f"Error reading request: {e}")
            return
        self.handlers.dispatch(session, msg_id, request)

    # --- contracts ------------------------------------------------------------------
    def resolve(self, q: ContractQuery) -> list[Instrument]:
        """The instruments a contract query matches (by con id, local symbol, or symbol and type)."""
        if q.con_id:
            inst = self.by_con.get(q.con_id)
            return [inst] if inst else []
        symbol = q.symbol.upper()
        local = q.local_symbol.upper()
        if not symbol and not local:
            return []
        out = []
        for inst in self.instruments:
            c = inst.contract
            if symbol and symbol != c.symbol and symbol != c.local_symbol:
                continue
            if local and local != c.local_symbol.upper():
                continue
            if q.sec_type and q.sec_type.upper() != c.sec_type:
                continue
            if q.currency and q.currency.upper() != c.currency:
                continue
            if q.exchange:
                ex = _EXCHANGE_ALIASES.get(q.exchange.upper(), q.exchange.upper())
                if ex not in (c.exchange, c.primary_exchange):
                    continue
            if q.last_trade_date and not c.last_trade_date.startswith(q.last_trade_date[:6]):
                continue
            out.append(inst)
        return out

    # --- the engine's reports (Reporter) -------------------------------------------------
    def _client(self, o: SimOrder) -> Session | None:
        return self.sessions.get(o.client_id)

    def order_update(self, o: SimOrder, with_open_order: bool) -> None:
        """Tell the order's client of a status change (and the order itself when asked)."""
        s = self._client(o)
        if s is not None:
            if with_open_order:
                s.send(msg.open_order(s.version, o))
            s.send(msg.order_status(o))
        self.schedule_save()

    def order_fill(self, o: SimOrder, ex: Execution) -> None:
        """Tell the order's client of a fill: status, execution, commission."""
        s = self._client(o)
        if s is not None:
            s.send(msg.exec_details(s.version, -1, o, ex.exec_id, ex.time_text, ex.shares, ex.price,
                                    ex.cum_qty, ex.avg_price))
            s.send(msg.order_status(o))
            if o.status == "Filled":
                s.send(msg.open_order(s.version, o))
            s.send(msg.commission_report(ex.exec_id, ex.commission, "USD", ex.realized))
        self.handlers.position_changed(o.inst)
        self.schedule_save()

    def order_cancelled(self, o: SimOrder) -> None:
        """Tell the order's client it was cancelled (error 202 and the status)."""
        s = self._client(o)
        if s is not None:
            s.send(msg.order_status(o))
            s.error(o.order_id, 202, "Order Canceled - reason:")
        self.schedule_save()

    # --- persistence ----------------------------------------------------------------
    def schedule_save(self) -> None:
        """Save the state file soon (coalesces bursts of changes)."""
        if self.state_path is None or self._save_pending:
            return
        self._save_pending = True
        try:
            asyncio.get_running_loop().call_later(0.2, self._save_now)
        except RuntimeError:
            self._save_now()

    def _save_now(self) -> None:
        self._save_pending = False
        if self.state_path is not None:
            save_state(self, self.state_path)

    @staticmethod
    def price_ok(price: float | None, inst: Instrument) -> bool:
        """Whether ``price`` lies on the instrument's tick grid (None: no price, fine)."""
        return price is None or on_grid(price, inst.tick)

    @staticmethod
    def ticks(price: float | None, inst: Instrument) -> int | None:
        """A price in ticks of the instrument."""
        return None if price is None else to_ticks(price, inst.tick)
