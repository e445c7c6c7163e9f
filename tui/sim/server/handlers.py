"""What the gateway answers to each request, as TWS answers it."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.sim.protocol import messages as msg
from tui.sim.market.bars import BAR_SECONDS, KINDS, LiveBars
from tui.sim.protocol.ids import In
from tui.sim.protocol.versions import V
from tui.sim.server.order_handlers import NO_SEC_DEF, OrderHandlers
from tui.sim.server.feed import DEPTH_MAKERS, L1Sub, TbtSub
from tui.sim.market.history import (
    HistoryError, bar_seconds, duration_seconds, format_bar_time, histogram, make_bars,
)
from tui.sim.market.hours import hours_text, sessions
from tui.sim.market.instruments import Instrument
from tui.sim.market.book import DEPTH
from tui.sim.protocol.requests import (
    Cancel, ContractQuery, ReqAccountSummary, ReqAccountUpdates,
    ReqAccountUpdatesMulti, ReqContractDetails, ReqHistoricalData,
    ReqHeadTimestamp, ReqHistogramData, ReqMatchingSymbols, ReqMktData, ReqMktDepth, ReqPnL,
    ReqRealTimeBars, ReqTickByTick, Simple, Unsupported,
)

if TYPE_CHECKING:
    from tui.sim.server.gateway import Gateway
    from tui.sim.server.session import Session

_SUMMARY_CURRENCY_TAGS = {"Cushion"}
_ORDER_TYPES_TEXT = "ACTIVETIM,AD,ADJUST,ALERT,ALLOC,DAY,GTC,IOC,LMT,MKT,STP,STPLMT,TRAIL,WHATIF"


class Handlers:
    """The dispatch table: one handler per request id (order requests in ``order_handlers``)."""
    def __init__(self, gw: Gateway) -> None:
        self.gw = gw
        self.orders = OrderHandlers(gw)
        # one handler per request id (what is parsed but not here gets TWS's "not supported")
        self.table: dict[int, Callable[[Session, Any], None]] = {
            In.START_API: _ignore,  # a second startApi changes nothing
            In.REQ_MKT_DATA: self.mkt_data, In.CANCEL_MKT_DATA: self.cancel_mkt_data,
            In.REQ_MKT_DEPTH: self.mkt_depth, In.CANCEL_MKT_DEPTH: self.cancel_depth,
            In.REQ_TICK_BY_TICK_DATA: self.tick_by_tick, In.CANCEL_TICK_BY_TICK_DATA: self.cancel_tbt,
            In.REQ_MARKET_DATA_TYPE: self.market_data_type,
            In.REQ_HISTORICAL_DATA: self.historical, In.CANCEL_HISTORICAL_DATA: self.cancel_history,
            In.REQ_CONTRACT_DETAILS: self.contract_details, In.REQ_MATCHING_SYMBOLS: self.matching_symbols,
            In.PLACE_ORDER: self.orders.place_order, In.CANCEL_ORDER: self.orders.cancel_order,
            In.REQ_GLOBAL_CANCEL: self.orders.global_cancel, In.REQ_IDS: self.orders.req_ids,
            In.REQ_OPEN_ORDERS: self.orders.open_orders, In.REQ_AUTO_OPEN_ORDERS: self.orders.auto_open_orders,
            In.REQ_ALL_OPEN_ORDERS: self.orders.all_open_orders, In.REQ_COMPLETED_ORDERS: self.orders.completed_orders,
            In.REQ_EXECUTIONS: self.orders.executions,
            In.REQ_MANAGED_ACCTS: self.managed_accounts, In.REQ_CURRENT_TIME: self.current_time,
            In.REQ_POSITIONS: self.positions, In.CANCEL_POSITIONS: self.cancel_positions,
            In.REQ_ACCOUNT_UPDATES: self.account_updates,
            In.REQ_ACCOUNT_SUMMARY: self.account_summary, In.CANCEL_ACCOUNT_SUMMARY: _ignore,
            In.REQ_ACCOUNT_UPDATES_MULTI: self.account_updates_multi, In.CANCEL_ACCOUNT_UPDATES_MULTI: _ignore,
            In.REQ_PNL: self.pnl, In.CANCEL_PNL: self.cancel_pnl,
            In.REQ_REAL_TIME_BARS: self.real_time_bars, In.CANCEL_REAL_TIME_BARS: self.cancel_real_time_bars,
            In.REQ_HEAD_TIMESTAMP: self.head_timestamp, In.CANCEL_HEAD_TIMESTAMP: _ignore,
            In.REQ_PNL_SINGLE: self.pnl, In.CANCEL_PNL_SINGLE: self.cancel_pnl,
            In.REQ_HISTOGRAM_DATA: self.histogram, In.CANCEL_HISTOGRAM_DATA: _ignore,
            In.CANCEL_WSH_META_DATA: _ignore, In.CANCEL_WSH_EVENT_DATA: _ignore,
            In.REQ_USER_INFO: self.user_info, In.REQ_CURRENT_TIME_IN_MILLIS: self.current_time_in_millis,
        }
        # requests that exist only from a server version on: below it, TWS does not know them
        self.since: dict[int, int] = {
            In.REQ_USER_INFO: V.USER_INFO, In.REQ_CURRENT_TIME_IN_MILLIS: V.CURRENT_TIME_IN_MILLIS,
        }

    def dispatch(self, s: Session, msg_id: int, r: object) -> None:
        handler = self.table.get(msg_id)
        if handler is not None and not isinstance(r, Unsupported) and s.version >= self.since.get(msg_id, 0):
            handler(s, r)
        else:
            name = r.name if isinstance(r, Unsupported) else f"message {msg_id}"
            req_id = r.req_id if isinstance(r, Unsupported) else -1
            s.invalid(req_id, name, "not supported by the simulated gateway")

    # --- contracts --------------------------------------------------------------
    def _one(self, s: Session, req_id: int, q: ContractQuery) -> Instrument | None:
        found = self.gw.resolve(q)
        if len(found) == 1:
            return found[0]
        if found:
            s.error(req_id, 200, f"The contract description specified for "
                                          f"{q.symbol or q.local_symbol} is ambiguous.")
        else:
            s.error(req_id, 200, NO_SEC_DEF)
        return None

    def contract_details(self, s: Session, r: ReqContractDetails) -> None:
        found = self.gw.resolve(r.contract)
        if not found:
            s.error(r.req_id, 200, NO_SEC_DEF)
            return
        today = self._today()
        for inst in found:
            c = inst.contract
            exchanges = "SMART,NASDAQ,NYSE,ARCA,BATS,IEX" if c.sec_type == "STK" else c.exchange
            s.send(msg.contract_details(
                s.version, r.req_id, c, inst.tick, inst.spec.long_name, inst.industry, inst.category,
                inst.spec.time_zone, hours_text(inst, today), exchanges, _ORDER_TYPES_TEXT, "26",
            ))
        s.send(msg.contract_details_end(r.req_id))

    def matching_symbols(self, s: Session, r: ReqMatchingSymbols) -> None:
        pattern = r.pattern.strip().upper()
        found = [
            i.contract for i in self.gw.instruments
            if pattern and (i.contract.symbol.startswith(pattern)
                            or i.contract.local_symbol.upper().startswith(pattern)
                            or pattern in i.spec.long_name.upper())
        ]
        # one description per underlying (a future's months are one line), exact symbols first
        unique = list({(c.symbol, c.sec_type): c for c in reversed(found)}.values())[::-1]
        unique.sort(key=lambda c: c.symbol != pattern)
        s.send(msg.symbol_samples(s.version, r.req_id, unique[:16]))

    # --- market data ------------------------------------------------------------
    def mkt_data(self, s: Session, r: ReqMktData) -> None:
        inst = self._one(s, r.req_id, r.contract)
        if inst is None:
            return
        if r.req_id in s.l1 and not r.snapshot:
            s.error(r.req_id, 322, "Error processing request.-'bW' : cause - Duplicate ticker id")
            return
        delayed = not inst.realtime
        if delayed and s.md_type in (1, 2):
            s.error(r.req_id, 354, "Requested market data is not subscribed.Delayed market data "
                                            "is available.Error&BEST/STK/Top&BEST/STK/Top")
            return
        mkt = self.gw.markets[inst.con_id]
        epoch = int(self.gw.clock.now())
        rid = str(r.req_id).encode()
        if delayed:
            s.error(r.req_id, 10167, "Requested market data is not subscribed. "
                                              "Displaying delayed market data.")
        s.send(msg.tick_req_params(r.req_id, inst.tick, "9c0001"))
        if s.md_type_requested or delayed:
            s.send(msg.market_data_type(r.req_id, 3 if delayed else 1))
        for frame in self.gw.feed.l1_snapshot(mkt, rid, epoch, delayed):
            s.send(frame)
        if r.snapshot or r.regulatory_snapshot:
            s.send(msg.tick_snapshot_end(r.req_id))
            return
        sub = L1Sub(s, r.req_id, "233" in r.generic_ticks.split(","), delayed=delayed)
        s.l1[r.req_id] = (sub, inst.con_id)
        self.gw.feed.add_l1(sub, inst.con_id)

    def resend_l1(self, s: Session) -> None:
        epoch = int(self.gw.clock.now())
        for sub, con_id in s.l1.values():
            for frame in self.gw.feed.l1_snapshot(self.gw.markets[con_id], sub.rid, epoch, sub.delayed):
                s.send(frame)

    def cancel_mkt_data(self, s: Session, r: Cancel) -> None:
        entry = s.l1.pop(r.req_id, None)
        if entry is None:
            s.error(r.req_id, 300, f"Can't find EId with tickerId:{r.req_id}")
            return
        self.gw.feed.remove_l1(entry[0])

    def mkt_depth(self, s: Session, r: ReqMktDepth) -> None:
        inst = self._one(s, r.req_id, r.contract)
        if inst is None:
            return
        if r.req_id in s.depth:
            s.error(r.req_id, 322, "Error processing request.-'bX' : cause - Duplicate ticker id")
            return
        rows = max(1, min(r.num_rows or DEPTH, DEPTH))
        maker = DEPTH_MAKERS.get(inst.contract.exchange, inst.contract.exchange)
        s.depth[r.req_id] = self.gw.feed.add_depth(s, r.req_id, inst.con_id, rows, r.smart_depth, maker)

    def cancel_depth(self, s: Session, r: Cancel) -> None:
        sub = s.depth.pop(r.req_id, None)
        if sub is not None:
            self.gw.feed.remove_depth(sub)

    def tick_by_tick(self, s: Session, r: ReqTickByTick) -> None:
        inst = self._one(s, r.req_id, r.contract)
        if inst is None:
            return
        if r.tick_type not in ("Last", "AllLast", "BidAsk", "MidPoint"):
            s.error(r.req_id, 10189, f"Failed to request tick-by-tick data: unknown tick type {r.tick_type}")
            return
        sub = TbtSub(s, r.req_id, r.tick_type)
        s.tbt[r.req_id] = sub
        self.gw.feed.add_tbt(sub, inst.con_id)

    def cancel_tbt(self, s: Session, r: Cancel) -> None:
        sub = s.tbt.pop(r.req_id, None)
        if sub is not None:
            self.gw.feed.remove_tbt(sub)

    def market_data_type(self, s: Session, r: Simple) -> None:
        """reqMarketDataType: 1 live, 2 frozen, 3 delayed, 4 delayed frozen. Live data is sent
        where the account has it; delayed data, where it does not, only when 3 or 4 allow it."""
        s.md_type_requested = True
        kind = int(str(r.args[0])) if r.args else 1
        s.md_type = kind if kind in (1, 2, 3, 4) else 1
        for req_id, (sub, _) in s.l1.items():
            s.send(msg.market_data_type(req_id, 3 if sub.delayed else 1))

    def _today(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.gw.clock.now(), dt.UTC).date()

    def historical(self, s: Session, r: ReqHistoricalData) -> None:
        inst = self._one(s, r.req_id, r.contract)
        if inst is None:
            return
        if r.what_to_show.upper() == "SCHEDULE" and s.version >= V.HISTORICAL_SCHEDULE:
            self._schedule(s, r, inst)
            return
        try:
            end = self.gw.clock.now()
            bars = make_bars(self.gw.markets[inst.con_id], self.gw.seed, end, r.bar_size,
                             r.duration, r.format_date)
            seconds = bar_seconds(r.bar_size)
        except HistoryError as e:
            s.error(r.req_id, 162, f"Historical Market Data Service error message:{e}")
            return
        start = format_bar_time(end - len(bars) * seconds, 1, 1)
        s.send(msg.historical_data(s.version, r.req_id, start, format_bar_time(end, 1, 1), bars))
        if r.keep_up_to_date:
            s.history[r.req_id] = (inst.con_id, seconds)

    def _schedule(self, s: Session, r: ReqHistoricalData, inst: Instrument) -> None:
        """whatToShow=SCHEDULE: the sessions of the trading days the duration covers."""
        try:
            days = max(1, duration_seconds(r.duration) // 86400)
        except HistoryError as e:
            s.error(r.req_id, 162, f"Historical Market Data Service error message:{e}")
            return
        last = self._today()
        found = sessions(inst, last - dt.timedelta(days=days - 1), days, r.use_rth)
        stamp = "%Y%m%d-%H:%M:%S"
        rows = [(a.strftime(stamp), b.strftime(stamp), f"{ref:%Y%m%d}") for a, b, ref in found]
        start, end = (rows[0][0], rows[-1][1]) if rows else ("", "")
        s.send(msg.historical_schedule(r.req_id, start, end, inst.spec.time_zone, rows))

    def histogram(self, s: Session, r: ReqHistogramData) -> None:
        inst = self._one(s, r.req_id, r.contract)
        if inst is None:
            return
        try:
            items = histogram(self.gw.markets[inst.con_id], self.gw.seed, self.gw.clock.now(), r.period)
        except HistoryError as e:
            s.error(r.req_id, 162, f"Historical Market Data Service error message:{e}")
            return
        s.send(msg.histogram_data(r.req_id, items))

    def cancel_history(self, s: Session, r: Cancel) -> None:
        s.history.pop(r.req_id, None)
        s.history_bars.pop(r.req_id, None)

    # --- session and account --------------------------------------------------------
    def managed_accounts(self, s: Session, r: Simple) -> None:
        s.send(msg.managed_accounts(self.gw.account.account_id))

    def current_time(self, s: Session, r: Simple) -> None:
        s.send(msg.current_time(int(self.gw.clock.now())))

    def current_time_in_millis(self, s: Session, r: Simple) -> None:
        s.send(msg.current_time_in_millis(int(self.gw.clock.now() * 1000)))

    def user_info(self, s: Session, r: Simple) -> None:
        s.send(msg.user_info(int(str(r.args[0])) if r.args else -1, ""))  # no white branding

    def positions(self, s: Session, r: Simple) -> None:
        acct = self.gw.account
        for pos in acct.positions.values():
            s.send(msg.position(acct.account_id, pos.inst.contract, pos.quantity,
                                pos.avg_price * pos.multiplier))
        s.send(msg.position_end())
        s.positions = True

    def cancel_positions(self, s: Session, r: Simple) -> None:
        s.positions = False

    def _account_frames(self, s: Session) -> None:
        acct = self.gw.account
        marks = self.gw.marks()
        for key, value in acct.values(marks).items():
            s.send(msg.account_value(key, f"{value:.2f}", "" if key == "Cushion" else "USD",
                                     acct.account_id))
        s.send(msg.account_value("AccountType", "INDIVIDUAL", "", acct.account_id))
        s.send(msg.account_value("Currency", "USD", "USD", acct.account_id))
        for con_id, pos in acct.positions.items():
            mark = marks[con_id]
            s.send(msg.portfolio_value(
                pos.inst.contract, pos.quantity, mark, round(pos.quantity * mark * pos.multiplier, 2),
                pos.avg_price * pos.multiplier, round(pos.unrealized(mark), 2), round(pos.realized, 2),
                acct.account_id,
            ))
        stamp = format_bar_time(self.gw.clock.now(), 1, 1)[-8:-3]
        s.send(msg.account_time(stamp))

    def account_updates(self, s: Session, r: ReqAccountUpdates) -> None:
        s.account_updates = r.subscribe
        if r.subscribe:
            self._account_frames(s)
            s.send(msg.account_download_end(self.gw.account.account_id))

    def account_summary(self, s: Session, r: ReqAccountSummary) -> None:
        acct = self.gw.account
        values = acct.values(self.gw.marks())
        tags = {t.strip() for t in r.tags.split(",") if t.strip()}
        if "AccountType" in tags or "All" in tags:
            s.send(msg.account_summary(r.req_id, acct.account_id, "AccountType", "INDIVIDUAL", ""))
        for key, value in values.items():
            if "All" in tags or key in tags or ("$LEDGER" in tags and key == "TotalCashValue"):
                currency = "" if key in _SUMMARY_CURRENCY_TAGS else "USD"
                s.send(msg.account_summary(r.req_id, acct.account_id, key, f"{value:.2f}", currency))
        s.send(msg.account_summary_end(r.req_id))

    def account_updates_multi(self, s: Session, r: ReqAccountUpdatesMulti) -> None:
        acct = self.gw.account
        values = acct.values(self.gw.marks())
        keys = ("NetLiquidation", "TotalCashValue") if r.ledger_and_nlv else values.keys()
        for key in keys:
            s.send(msg.account_update_multi(r.req_id, acct.account_id, r.model_code, key,
                                            f"{values[key]:.2f}", "USD"))
        s.send(msg.account_update_multi_end(r.req_id))

    def pnl(self, s: Session, r: ReqPnL) -> None:
        s.pnl[r.req_id] = r.con_id
        self._send_pnl(s, r.req_id, r.con_id)

    def cancel_pnl(self, s: Session, r: Cancel) -> None:
        s.pnl.pop(r.req_id, None)

    def _send_pnl(self, s: Session, req_id: int, con_id: int) -> None:
        acct = self.gw.account
        if con_id == 0:
            v = acct.values(self.gw.marks())
            s.send(msg.pnl(req_id, round(v["DailyPnL"], 2), round(v["UnrealizedPnL"], 2),
                           round(v["RealizedPnL"], 2)))
            return
        pos = acct.positions.get(con_id)
        mkt = self.gw.markets.get(con_id)
        if pos is None or mkt is None:
            s.send(msg.pnl_single(req_id, 0, 0.0, 0.0, 0.0, 0.0))
            return
        mark = mkt.mark
        unreal = round(pos.unrealized(mark), 2)
        s.send(msg.pnl_single(req_id, int(pos.quantity), unreal + round(pos.realized, 2), unreal,
                              round(pos.realized, 2), round(pos.quantity * mark * pos.multiplier, 2)))

    # --- pushes -----------------------------------------------------------------------
    def position_changed(self, inst: Instrument) -> None:
        acct = self.gw.account
        pos = acct.positions.get(inst.con_id)
        if pos is None:
            return
        for s in list(self.gw.sessions.values()):
            if s.positions:
                s.send(msg.position(acct.account_id, inst.contract, pos.quantity,
                                    pos.avg_price * pos.multiplier))
            if s.account_updates:
                self._account_frames(s)

    def real_time_bars(self, s: Session, r: ReqRealTimeBars) -> None:
        inst = self._one(s, r.req_id, r.contract)
        if inst is None:
            return
        if r.bar_size != BAR_SECONDS:
            s.invalid(r.req_id, "bW", f"Invalid bar size {r.bar_size}: "
                                                        "only 5 second bars are supported")
            return
        if r.what_to_show not in KINDS:
            s.invalid(r.req_id, "bW", f"Invalid what to show {r.what_to_show!r}")
            return
        self.gw.live_bars.setdefault(inst.con_id, LiveBars())
        s.rt_bars[r.req_id] = (inst.con_id, r.what_to_show)

    def cancel_real_time_bars(self, s: Session, r: Cancel) -> None:
        found = s.rt_bars.pop(r.req_id, None)
        s.rt_sent.pop(r.req_id, None)
        if found is not None and not any(found[0] == con for ses in self.gw.sessions.values()
                                         for con, _ in ses.rt_bars.values()):
            self.gw.live_bars.pop(found[0], None)

    def head_timestamp(self, s: Session, r: ReqHeadTimestamp) -> None:
        inst = self._one(s, r.req_id, r.contract)
        if inst is None:
            return
        # the simulated history reaches back a year from the gateway's clock, to the minute
        start = int(self.gw.clock.now()) // 60 * 60 - 365 * 86400
        stamp = str(start) if r.format_date == 2 else time.strftime("%Y%m%d-%H:%M:%S", time.gmtime(start))
        s.send(msg.head_timestamp(r.req_id, stamp))

    def _push_bars(self, s: Session) -> None:
        for req_id, (con_id, what) in s.rt_bars.items():
            bars = self.gw.live_bars.get(con_id)
            bar = bars.finished.get(what) if bars is not None else None
            if bar is None or s.rt_sent.get(req_id) == bar.start:
                continue
            s.rt_sent[req_id] = bar.start
            tick = self.gw.markets[con_id].tick

            def p(ticks: float, tick: float = tick) -> float:
                return round(ticks * tick, 10)  # a midpoint may lie half a tick off the grid

            s.send(msg.real_time_bar(req_id, bar.start, p(bar.open), p(bar.high), p(bar.low), p(bar.close),
                                     bar.volume, p(bar.wap), bar.count))

    def periodic(self) -> None:
        """Once a simulated second: account, P&L and live-bar pushes."""
        for s in list(self.gw.sessions.values()):
            if s.rt_bars:
                self._push_bars(s)
            if s.account_updates:
                self._account_frames(s)
            for req_id, con_id in s.pnl.items():
                self._send_pnl(s, req_id, con_id)
            for req_id, (con_id, seconds) in s.history.items():
                self._update_bar(s, req_id, con_id, seconds)

    def _update_bar(self, s: Session, req_id: int, con_id: int, seconds: int) -> None:
        """keepUpToDate: the bar in progress; its high and low from the last price sampled each
        second, its volume what traded since the bar began, its WAP the middle of its range."""
        mkt = self.gw.markets[con_id]
        start = int(self.gw.clock.now()) // seconds * seconds
        last = mkt.last
        bar = s.history_bars.get(req_id)
        if bar is None or bar[0] != start:
            bar = s.history_bars[req_id] = [start, last, last, last, last, mkt.volume]
        bar[2] = max(bar[2], last)
        bar[3] = min(bar[3], last)
        bar[4] = last
        p = mkt.price
        volume = mkt.volume - bar[5]
        s.send(msg.historical_data_update(req_id, -1, format_bar_time(start, seconds, 1), p(bar[1]),
                                          p(bar[4]), p(bar[2]), p(bar[3]), p((bar[2] + bar[3]) // 2), volume))


def _ignore(s: Session, r: object) -> None:
    """Cancels that TWS acknowledges with silence."""
