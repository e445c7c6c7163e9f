"""Encoders for what the gateway sends, with the exact field counts ibapi expects.

ibapi drops "wrap" messages whose field count is off, and ends its message
loop on an int field that is not an integer, so every size, volume and count
below is written as an int. Layouts are those of server version 157; an encoder
whose layout changes by version takes the session's version ``v`` and tests it
against ``versions.V`` (the market-data messages are the same at every version
up to 200, so their pre-encoded heads serve every session).
"""

from __future__ import annotations

from collections.abc import Iterable

from tui.core.contracts import Contract
from tui.sim.protocol.ids import Out
from tui.sim.protocol.codec import HEADER, UNSET_DOUBLE, encode
from tui.sim.protocol.versions import V
from tui.sim.trading.orders import SimOrder

U = UNSET_DOUBLE


def handshake_reply(version: int, conn_time: str) -> bytes:
    return encode(version, conn_time)


def managed_accounts(accounts: str) -> bytes:
    return encode(Out.MANAGED_ACCTS, 1, accounts)


def next_valid_id(order_id: int) -> bytes:
    return encode(Out.NEXT_VALID_ID, 1, order_id)


def error(v: int, req_id: int, code: int, text: str, when_ms: int = 0) -> bytes:
    """An error or notice; from 166 with an (empty) advanced-reject JSON, from 194 without
    the version field and with the time it happened (epoch ms)."""
    text = text.replace("\\", "/")  # ibapi decodes with unicode-escape: ASCII, no backslash
    if v >= V.ERROR_TIME:
        return encode(Out.ERR_MSG, req_id, code, text, "", when_ms)
    if v >= V.ADVANCED_ORDER_REJECT:
        return encode(Out.ERR_MSG, 2, req_id, code, text, "")
    return encode(Out.ERR_MSG, 2, req_id, code, text)


def invalid_request_text(request: str, cause: str) -> str:
    """TWS's error 321 text: a request it can read but will not serve, naming it and why."""
    return f"Error validating request.-'{request}' : cause - {cause}"


def current_time(epoch: int) -> bytes:
    return encode(Out.CURRENT_TIME, 1, epoch)


def current_time_in_millis(epoch_ms: int) -> bytes:
    return encode(Out.CURRENT_TIME_IN_MILLIS, epoch_ms)


def user_info(req_id: int, white_branding_id: str) -> bytes:
    return encode(Out.USER_INFO, req_id, white_branding_id)


# --- market data (hot path: a prefix and a pre-formatted tail per message) ---

def market_frame(head: bytes, req_id: bytes, tail: bytes) -> bytes:
    """``head`` is ``b"1\\x006\\x00"``-style, ``tail`` the fields after the request id."""
    size = len(head) + len(req_id) + 1 + len(tail)
    return HEADER.pack(size) + head + req_id + b"\0" + tail


def _head(msg_id: Out, version: int | None = None) -> bytes:
    return f"{int(msg_id)}\0".encode() + (f"{version}\0".encode() if version is not None else b"")


# message id and version, encoded once
TICK_PRICE = _head(Out.TICK_PRICE, 6)
TICK_SIZE = _head(Out.TICK_SIZE, 6)
TICK_STRING = _head(Out.TICK_STRING, 6)
TICK_GENERIC = _head(Out.TICK_GENERIC, 6)
MKT_DEPTH = _head(Out.MARKET_DEPTH, 1)
MKT_DEPTH_L2 = _head(Out.MARKET_DEPTH_L2, 1)
TICK_BY_TICK = _head(Out.TICK_BY_TICK)


def tick_price_tail(tick_type: int, price: str, size: int, mask: int = 0) -> bytes:
    return f"{tick_type}\0{price}\0{size}\0{mask}\0".encode()


def tick_size_tail(tick_type: int, size: int) -> bytes:
    return f"{tick_type}\0{size}\0".encode()


def tick_string_tail(tick_type: int, value: str) -> bytes:
    return f"{tick_type}\0{value}\0".encode()


def depth_tail(position: int, operation: int, side: int, price: str, size: int) -> bytes:
    return f"{position}\0{operation}\0{side}\0{price}\0{size}\0".encode()


def depth_l2_tail(position: int, maker: str, operation: int, side: int, price: str, size: int,
                  smart: bool) -> bytes:
    return f"{position}\0{maker}\0{operation}\0{side}\0{price}\0{size}\0{int(smart)}\0".encode()


def market_data_type(req_id: int, kind: int) -> bytes:
    return encode(Out.MARKET_DATA_TYPE, 1, req_id, kind)


def tick_req_params(req_id: int, min_tick: float, bbo_exchange: str) -> bytes:
    return encode(Out.TICK_REQ_PARAMS, req_id, min_tick, bbo_exchange, 3)


def tick_snapshot_end(req_id: int) -> bytes:
    return encode(Out.TICK_SNAPSHOT_END, 1, req_id)


def tbt_last(req_id: int, kind: int, epoch: int, price: str, size: int, exchange: str) -> bytes:
    return encode(Out.TICK_BY_TICK, req_id, kind, epoch, price, size, 0, exchange, "")


def tbt_bid_ask(req_id: int, epoch: int, bid: str, ask: str, bid_size: int, ask_size: int) -> bytes:
    return encode(Out.TICK_BY_TICK, req_id, 3, epoch, bid, ask, bid_size, ask_size, 0)


def tbt_midpoint(req_id: int, epoch: int, mid: float) -> bytes:
    return encode(Out.TICK_BY_TICK, req_id, 4, epoch, mid)


# --- contracts ---------------------------------------------------------------

def contract_details(v: int, req_id: int, c: Contract, tick: float, long_name: str, industry: str,
                     category: str, tz: str, hours: tuple[str, str], valid_exchanges: str,
                     order_types: str, market_rule: str, size_increment: float = 1) -> bytes:
    """One contract's details; ``hours`` is (trading hours, liquid hours) in TWS's format."""
    fields: list[object] = [Out.CONTRACT_DATA]
    if v < V.SIZE_RULES:
        fields.append(8)
    fields += [req_id, c.symbol, c.sec_type, c.last_trade_date]
    if v >= V.LAST_TRADE_DATE:
        fields.append(c.last_trade_date if c.sec_type == "FUT" else "")
    fields += [0.0, "", c.exchange, c.currency, c.local_symbol, c.trading_class or c.symbol,
               c.trading_class or c.symbol, c.con_id, tick]
    if v < V.SIZE_RULES:
        fields.append(1)  # mdSizeMultiplier: sizes are in shares
    fields += [
        c.multiplier, order_types, valid_exchanges, 1, 0, long_name,
        c.primary_exchange, c.last_trade_date[:6], industry, category, "", tz, *hours,
        "", 0, 0, 1, c.symbol if c.sec_type == "FUT" else "", "IND" if c.sec_type == "FUT" else "",
        market_rule, c.last_trade_date, "COMMON" if c.sec_type == "STK" else "",
    ]
    if V.FRACTIONAL_SIZE <= v < V.SIZE_RULES:
        fields.append(size_increment)  # sizeMinTick
    if v >= V.SIZE_RULES:
        fields += [size_increment, size_increment, size_increment]  # min size, increment, suggested
    if v >= V.INELIGIBILITY_REASONS:
        fields.append(0)
    return encode(*fields)


def contract_details_end(req_id: int) -> bytes:
    return encode(Out.CONTRACT_DATA_END, 1, req_id)


def symbol_samples(v: int, req_id: int, contracts: Iterable[Contract]) -> bytes:
    fields: list[object] = [Out.SYMBOL_SAMPLES, req_id]
    items = list(contracts)
    fields.append(len(items))
    for c in items:
        derivs = ["OPT", "WAR"] if c.sec_type == "STK" else (["FOP"] if c.sec_type == "FUT" else [])
        fields += [c.con_id, c.symbol, c.sec_type, c.primary_exchange or c.exchange, c.currency,
                   len(derivs), *derivs]
        if v >= V.BOND_ISSUER_ID:
            fields += ["", ""]  # description, issuerId: bonds only
    return encode(*fields)


# --- orders ------------------------------------------------------------------

def _order_contract(c: Contract) -> list[object]:
    return [c.con_id, c.symbol, c.sec_type, c.last_trade_date, 0.0, "", c.multiplier,
            c.exchange, c.currency, c.local_symbol, c.trading_class]


def _or_empty(o: SimOrder, ticks: int | None) -> object:
    return "" if ticks is None else o.price(ticks)


def _lmt_aux(o: SimOrder) -> tuple[float, float]:
    return o.price(o.lmt), o.price(o.aux)


# a what-if preview's order state: margins before/change/after (init, maint, equity with loan),
# then the commission and its currency
Preview = tuple[tuple[float, float, float], tuple[float, float, float], tuple[float, float, float],
                float, str]


def _since(v: int, *fields: tuple[int, object]) -> list[object]:
    """The fields a layout has at version ``v``: each given as (first version, value)."""
    return [value for first, value in fields if v >= first]


def _fa_params(v: int) -> list[object]:
    """faGroup, faMethod, faPercentage (, faProfile before 177)."""
    return ["", "", ""] if v >= V.FA_PROFILE_GONE else ["", "", "", ""]


_PEG_BEST_MID = [(V.PEGBEST_PEGMID, "")] * 5  # minTradeQty .. midOffsetAtHalf: pegged orders only


def open_order(v: int, o: SimOrder, status: str | None = None, preview: Preview | None = None) -> bytes:
    lmt, aux = _lmt_aux(o)
    fields: list[object] = [Out.OPEN_ORDER, o.order_id, *_order_contract(o.inst.contract)]
    fields += [
        o.action, o.quantity, o.order_type, lmt, aux, o.tif, o.oca_group, o.account, "", 0,
        o.order_ref, o.client_id, o.perm_id, o.outside_rth, False, 0.0, "", "",  # ..sharesAllocation
        *_fa_params(v), "",  # .., modelCode
        o.good_till_date, "", "", "", 0, "", -1, 0,  # ..auctionStrategy
        "", "", "", "", "",  # startingPrice .. stockRangeUpper
        0, False, False, False, "", o.oca_type, False, False, "",  # displaySize .. nbboPriceCap
        o.parent_id, 0, "", 0, "", "", False, 0,  # parentId .. referencePriceType
        _or_empty(o, o.trail_stop), o.trail_percent if o.trail_percent is not None else "",  # trail
        "", "", "", 0, 0, 0,  # basisPoints .. smartComboRoutingParamsCount
        "", "", "", "", False, "", "", False, False, "",  # scale .. algoStrategy
        False, preview is not None, status or o.status,  # solicited, whatIf, status
        *_preview_fields(v, preview),  # margins, commission .. warningText
        False, False, 0,  # randomizeSize, randomizePrice, conditionsCount
        "None", U, o.price(o.trail_stop) if o.trail_stop is not None else U,  # .., triggerPrice, trailStopPrice
        o.price(o.lmt_offset) if o.lmt_offset is not None else U, U, U, U, 0,  # lmtPriceOffset .. unit
        "", "", "", U, False, False, False, "",  # softDollarTier .. usePriceMgmtAlgo
    ]
    fields += _since(
        v, (V.DURATION, ""), (V.POST_TO_ATS, ""), (V.AUTO_CANCEL_PARENT, False), *_PEG_BEST_MID,
        (V.CUSTOMER_ACCOUNT, ""), (V.PROFESSIONAL_CUSTOMER, False), (V.BOND_ACCRUED_INTEREST, ""),
        (V.INCLUDE_OVERNIGHT, False),
        (V.CME_TAGGING_IN_OPEN_ORDER, ""), (V.CME_TAGGING_IN_OPEN_ORDER, ""),  # extOperator, indicator
        (V.SUBMITTER, ""), (V.IMBALANCE_ONLY, False),
    )
    return encode(*fields)


def _preview_fields(v: int, preview: Preview | None) -> list[object]:
    """The order state: margins, commission (min, max), its currency, [the full preview,] warning."""
    full: list[object] = []
    if preview is None:
        if v >= V.FULL_ORDER_PREVIEW:  # margin currency, 9 outside-RTH margins, size, reason, allocations
            full = ["", *[U] * 9, "", "", 0]
        return ["", "", "", "", "", "", "", "", "", U, U, U, "", *full, ""]
    before, change, after, commission, currency = preview
    margins = [f"{m:.2f}" for part in (before, change, after) for m in part]
    if v >= V.FULL_ORDER_PREVIEW:
        full = [currency, *[U] * 9, "", "", 0]
    return [*margins, commission, commission, commission, currency, *full, ""]


def open_order_end() -> bytes:
    return encode(Out.OPEN_ORDER_END, 1)


def order_status(o: SimOrder) -> bytes:
    return encode(
        Out.ORDER_STATUS, o.order_id, o.status, o.filled, o.remaining, o.avg_price, o.perm_id, o.parent_id,
        o.last_fill_price, o.client_id, o.why_held, 0.0,
    )


def completed_order(v: int, o: SimOrder, completed_time: str) -> bytes:
    lmt, aux = _lmt_aux(o)
    fields: list[object] = [Out.COMPLETED_ORDER, *_order_contract(o.inst.contract)]
    fields += [
        o.action, o.quantity, o.order_type, lmt, aux, o.tif, o.oca_group, o.account, "", 0,
        o.order_ref, o.perm_id, o.outside_rth, False, 0.0, "",
        *_fa_params(v),
        "", o.good_till_date, "", "", "",  # modelCode, gtd, rule80A, percentOffset, settlingFirm
        0, "", -1,  # short sale params
        "", "", "", "", "",  # box and peg-to-stock params
        0, False, False, "", o.oca_type, 0,  # displaySize .. triggerMethod
        "", 0, "", "", False, 0,  # volatility params
        "", "",  # trailStopPrice, trailingPercent
        "", 0, 0, 0,  # combo legs, smart combo routing
        "", "", "",  # scale
        "", "", "", False, False, "", False,  # hedge, clearing, notHeld, dn, algo, solicited
        o.status, False, False, 0,  # status, randomize x2, conditions
        U, U, U, False, False,  # trailStopPrice, lmtPriceOffset, cashQty, dontUse.., isOms
        "", o.filled, 0, False, "", False, False, 0,  # autoCancelDate .. parentPermId
        completed_time, o.completed_status or o.status,
    ]
    fields += _since(v, *_PEG_BEST_MID, (V.CUSTOMER_ACCOUNT, ""), (V.PROFESSIONAL_CUSTOMER, False),
                     (V.SUBMITTER, ""))
    return encode(*fields)


def completed_orders_end() -> bytes:
    return encode(Out.COMPLETED_ORDERS_END)


def exec_details(v: int, req_id: int, o: SimOrder, exec_id: str, time: str, shares: float, price: float,
                 cum_qty: float, avg_price: float) -> bytes:
    c = o.inst.contract
    side = "BOT" if o.buy else "SLD"
    fields: list[object] = [
        Out.EXECUTION_DATA, req_id, o.order_id, c.con_id, c.symbol, c.sec_type, c.last_trade_date, 0.0, "",
        c.multiplier, c.exchange, c.currency, c.local_symbol, c.trading_class, exec_id, time,
        o.account, c.exchange, side, shares, price, o.perm_id, o.client_id, 0, cum_qty,
        avg_price, o.order_ref, "", "", "", 1,
    ]
    fields += _since(v, (V.PENDING_PRICE_REVISION, False), (V.SUBMITTER, ""))
    return encode(*fields)


def exec_details_end(req_id: int) -> bytes:
    return encode(Out.EXECUTION_DATA_END, 1, req_id)


def commission_report(exec_id: str, commission: float, currency: str, realized: float | None) -> bytes:
    return encode(Out.COMMISSION_REPORT, 1, exec_id, commission, currency, U if realized is None else realized, U, "")


# --- account -----------------------------------------------------------------

def position(account: str, c: Contract, qty: float, avg_cost: float) -> bytes:
    return encode(Out.POSITION_DATA, 3, account, c.con_id, c.symbol, c.sec_type, c.last_trade_date, 0.0, "",
                  c.multiplier, c.exchange, c.currency, c.local_symbol, c.trading_class, qty,
                  avg_cost)


def position_end() -> bytes:
    return encode(Out.POSITION_END, 1)


def account_value(key: str, value: str, currency: str, account: str) -> bytes:
    return encode(Out.ACCT_VALUE, 2, key, value, currency, account)


def portfolio_value(c: Contract, qty: float, price: float, value: float, avg_cost: float,
                    unrealized: float, realized: float, account: str) -> bytes:
    return encode(Out.PORTFOLIO_VALUE, 8, c.con_id, c.symbol, c.sec_type, c.last_trade_date, 0.0, "", c.multiplier,
                  c.primary_exchange or c.exchange, c.currency, c.local_symbol, c.trading_class,
                  qty, price, value, avg_cost, unrealized, realized, account)


def account_time(stamp: str) -> bytes:
    return encode(Out.ACCT_UPDATE_TIME, 1, stamp)


def account_download_end(account: str) -> bytes:
    return encode(Out.ACCT_DOWNLOAD_END, 1, account)


def account_summary(req_id: int, account: str, tag: str, value: str, currency: str) -> bytes:
    return encode(Out.ACCOUNT_SUMMARY, 1, req_id, account, tag, value, currency)


def account_summary_end(req_id: int) -> bytes:
    return encode(Out.ACCOUNT_SUMMARY_END, 1, req_id)


def account_update_multi(req_id: int, account: str, model: str, key: str, value: str,
                         currency: str) -> bytes:
    return encode(Out.ACCOUNT_UPDATE_MULTI, 1, req_id, account, model, key, value, currency)


def account_update_multi_end(req_id: int) -> bytes:
    return encode(Out.ACCOUNT_UPDATE_MULTI_END, 1, req_id)


def pnl(req_id: int, daily: float, unrealized: float, realized: float) -> bytes:
    return encode(Out.PNL, req_id, daily, unrealized, realized)


def pnl_single(req_id: int, pos: int, daily: float, unrealized: float, realized: float,
               value: float) -> bytes:
    return encode(Out.PNL_SINGLE, req_id, pos, daily, unrealized, realized, value)


# --- history -----------------------------------------------------------------

def historical_data(v: int, req_id: int, start: str, end: str,
                    bars: list[tuple[str, float, float, float, float, int, float, int]]) -> bytes:
    """The bars and the end of the data set: in one message before 196, two from 196 on."""
    fields: list[object] = [Out.HISTORICAL_DATA, req_id]
    if v < V.HISTORICAL_DATA_END:
        fields += [start, end]
    fields.append(len(bars))
    for bar in bars:
        fields.extend(bar)
    data = encode(*fields)
    if v >= V.HISTORICAL_DATA_END:
        data += encode(Out.HISTORICAL_DATA_END, req_id, start, end)
    return data


def histogram_data(req_id: int, items: list[tuple[float, int]]) -> bytes:
    fields: list[object] = [Out.HISTOGRAM_DATA, req_id, len(items)]
    for price, size in items:
        fields += [price, size]
    return encode(*fields)


def historical_schedule(req_id: int, start: str, end: str, tz: str,
                        sessions: list[tuple[str, str, str]]) -> bytes:
    """whatToShow=SCHEDULE: the trading sessions in a range, each (start, end, reference date)."""
    fields: list[object] = [Out.HISTORICAL_SCHEDULE, req_id, start, end, tz, len(sessions)]
    for session in sessions:
        fields.extend(session)
    return encode(*fields)


def real_time_bar(req_id: int, start: int, o: float, h: float, low: float, c: float, volume: int,
                  wap: float, count: int) -> bytes:
    return encode(Out.REAL_TIME_BARS, 3, req_id, start, o, h, low, c, volume, wap, count)


def head_timestamp(req_id: int, stamp: str) -> bytes:
    return encode(Out.HEAD_TIMESTAMP, req_id, stamp)


def historical_data_update(req_id: int, bar_count: int, date: str, o: float, c: float, h: float,
                           low: float, wap: float, volume: int) -> bytes:
    return encode(Out.HISTORICAL_DATA_UPDATE, req_id, bar_count, date, o, c, h, low, wap, volume)
