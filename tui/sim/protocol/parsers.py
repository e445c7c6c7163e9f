"""Parsers for the requests a TWS API client sends, at server versions 157 to 200.

Each parser takes a field cursor positioned after the message id (and knowing the
session's version) and returns a request of ``requests``. Where a layout changes with
the version, the parser tests ``f.version >= V.NAME`` (see ``versions``). Parsers are
tolerant of other clients' encodings (see codec).
"""

from __future__ import annotations

from collections.abc import Callable

from tui.sim.protocol.codec import Fields, ProtocolError
from tui.sim.protocol.ids import In
from tui.sim.protocol.versions import OLDEST, V
from tui.sim.protocol.requests import (
    Cancel, CancelOrder, ContractQuery, PlaceOrder, ReqAccountSummary, ReqAccountUpdates,
    ReqAccountUpdatesMulti, ReqContractDetails, ReqExecutions, ReqHistoricalData,
    ReqHeadTimestamp, ReqHistogramData, ReqMatchingSymbols, ReqMktData, ReqMktDepth, ReqPnL,
    ReqRealTimeBars, ReqTickByTick, Simple, StartApi, Unsupported,
)


def read_contract(f: Fields, primary_exchange: bool = True) -> ContractQuery:
    c = ContractQuery()
    c.con_id = f.int()
    c.symbol = f.str()
    c.sec_type = f.str()
    c.last_trade_date = f.str()
    c.strike = f.float()
    c.right = f.str()
    c.multiplier = f.str()
    c.exchange = f.str()
    if primary_exchange:
        c.primary_exchange = f.str()
    c.currency = f.str()
    c.local_symbol = f.str()
    c.trading_class = f.str()
    return c


def _start_api(f: Fields) -> StartApi:
    f.skip()  # version
    client_id = f.int()
    caps = f.str() if f.remaining else ""
    return StartApi(client_id, caps)


def _req_mkt_data(f: Fields) -> ReqMktData:
    f.skip()
    req_id = f.int()
    c = read_contract(f)
    if c.sec_type == "BAG":
        for _ in range(f.int()):
            f.skip(4)
    if f.bool():  # delta-neutral contract
        f.skip(3)
    generic = f.str()
    snapshot = f.bool()
    regulatory = f.bool() if f.remaining else False
    if f.remaining:
        f.str()  # mktDataOptions
    return ReqMktData(req_id, c, generic, snapshot, regulatory)


def _req_mkt_depth(f: Fields) -> ReqMktDepth:
    f.skip()
    req_id = f.int()
    c = read_contract(f)
    rows = f.int()
    smart = f.bool() if f.remaining else False
    return ReqMktDepth(req_id, c, rows, smart)


def _versioned_cancel(f: Fields) -> Cancel:
    f.skip()
    return Cancel(f.msg_id, f.int())


def _plain_cancel(f: Fields) -> Cancel:
    return Cancel(f.msg_id, f.int())


def _place_order(f: Fields) -> PlaceOrder:
    order_id = f.int()
    c = read_contract(f)
    f.skip(2)  # secIdType, secId
    action = f.str().upper()
    quantity = f.float() or 0.0
    order_type = f.str().upper()
    lmt = f.float()
    aux = f.float()
    tif = f.str().upper() or "DAY"
    oca_group = f.str()
    account = f.str()
    f.skip()  # openClose
    f.skip()  # origin
    order_ref = f.str()
    transmit = f.bool()
    parent_id = f.int()
    f.skip(4)  # blockOrder, sweepToFill, displaySize, triggerMethod
    outside_rth = f.bool()
    f.skip()  # hidden
    has_legs = c.sec_type == "BAG"
    if has_legs:
        for _ in range(f.int()):
            f.skip(8)
        for _ in range(f.int()):
            f.skip()
        for _ in range(f.int()):
            f.skip(2)
    f.skip()  # sharesAllocation
    f.skip(2)  # discretionaryAmt, goodAfterTime
    good_till = f.str()
    f.skip(3 if f.version >= V.FA_PROFILE_GONE else 4)  # faGroup, faMethod, faPercentage, faProfile
    f.skip(4)  # modelCode, shortSaleSlot, designatedLocation, exemptCode
    oca_type = f.int()
    f.skip(9)  # rule80A .. auctionStrategy
    f.skip(5)  # startingPrice .. stockRangeUpper
    f.skip(3)  # overridePercentageConstraints, volatility, volatilityType
    dn_type = f.str()
    f.skip()  # deltaNeutralAuxPrice
    if dn_type:
        f.skip(8)
    f.skip(2)  # continuousUpdate, referencePriceType
    trail_stop = f.float()
    trailing_percent = f.float()
    f.skip(2)  # scaleInitLevelSize, scaleSubsLevelSize
    increment = f.float()
    if increment is not None and increment > 0:
        f.skip(7)
    f.skip(3)  # scaleTable, activeStartTime, activeStopTime
    if f.str():  # hedgeType
        f.skip()
    f.skip(4)  # optOutSmartRouting, clearingAccount, clearingIntent, notHeld
    if f.bool():  # delta-neutral contract
        f.skip(3)
    if f.str():  # algoStrategy
        for _ in range(f.int()):
            f.skip(2)
    f.skip()  # algoId
    what_if = f.bool()
    f.skip(4)  # orderMiscOptions, solicited, randomizeSize, randomizePrice
    if order_type == "PEG BENCH":
        f.skip(5)
    has_conditions = f.int() > 0
    # With conditions present the rest cannot be walked without a per-type
    # layout; the order is refused anyway, so stop reading here.
    lmt_offset = None
    if not has_conditions:
        f.skip(2)  # adjustedOrderType, triggerPrice
        lmt_offset = f.float()
        f.skip(4 + 4 + 4)  # adjusted stop/limit/trailing amount, unit; ext operator .. ; cash qty ..
        if f.remaining:
            f.skip(min(f.remaining, 4))
    return PlaceOrder(
        order_id, c, action, quantity, order_type, lmt, aux, tif, oca_group, account,
        order_ref, transmit, parent_id, outside_rth, oca_type, good_till,
        has_conditions, has_legs, what_if, trail_stop, trailing_percent, lmt_offset,
    )


def _cancel_order(f: Fields) -> CancelOrder:
    if f.version < V.CME_TAGGING:
        f.skip()  # version
    return CancelOrder(f.int())  # then manualOrderCancelTime, CME tags: not simulated


def _global_cancel(f: Fields) -> Simple:
    if f.version < V.CME_TAGGING:
        f.skip()  # version
    return Simple(f.msg_id, ())  # extOperator, manualOrderIndicator: not simulated


def _versioned_simple(f: Fields) -> Simple:
    f.skip()
    return _plain_simple(f)


def _plain_simple(f: Fields) -> Simple:
    args: list[object] = []
    while f.remaining:
        args.append(f.str())
    return Simple(f.msg_id, tuple(args))


def _req_contract_details(f: Fields) -> ReqContractDetails:
    f.skip()
    req_id = f.int()
    c = read_contract(f)
    include_expired = f.bool()
    if f.remaining:
        f.skip(min(2, f.remaining))
    return ReqContractDetails(req_id, c, include_expired)


def _req_matching_symbols(f: Fields) -> ReqMatchingSymbols:
    return ReqMatchingSymbols(f.int(), f.str())


def _req_executions(f: Fields) -> ReqExecutions:
    f.skip()
    r = ReqExecutions(f.int(), f.int(), f.str(), f.str(), f.str(), f.str(), f.str(), f.str())
    if f.version >= V.PARAMETRIZED_DAYS_OF_EXECUTIONS and f.remaining:
        r.last_n_days = f.int(0)
        r.specific_dates = tuple(f.str() for _ in range(f.int()))
    return r


def _req_account_updates(f: Fields) -> ReqAccountUpdates:
    f.skip()
    return ReqAccountUpdates(f.bool(), f.str() if f.remaining else "")


def _req_account_summary(f: Fields) -> ReqAccountSummary:
    f.skip()
    return ReqAccountSummary(f.int(), f.str(), f.str())


def _req_account_updates_multi(f: Fields) -> ReqAccountUpdatesMulti:
    f.skip()
    return ReqAccountUpdatesMulti(f.int(), f.str(), f.str(), f.bool())


def _req_pnl(f: Fields) -> ReqPnL:
    return ReqPnL(f.int(), f.str(), f.str())


def _req_pnl_single(f: Fields) -> ReqPnL:
    return ReqPnL(f.int(), f.str(), f.str(), f.int())


def _req_historical(f: Fields) -> ReqHistoricalData:
    req_id = f.int()
    c = read_contract(f)
    f.skip()  # includeExpired
    end = f.str()
    bar_size = f.str()
    duration = f.str()
    use_rth = f.bool()
    what = f.str()
    fmt = f.int(1)
    if c.sec_type == "BAG":
        for _ in range(f.int()):
            f.skip(4)
    keep = f.bool() if f.remaining else False
    return ReqHistoricalData(req_id, c, end, bar_size, duration, use_rth, what, fmt, keep)


def _req_real_time_bars(f: Fields) -> ReqRealTimeBars:
    f.skip()  # version
    req_id = f.int()
    c = read_contract(f)
    bar_size = f.int()
    what = f.str().upper()
    use_rth = f.bool()
    return ReqRealTimeBars(req_id, c, bar_size, what, use_rth)


def _req_head_timestamp(f: Fields) -> ReqHeadTimestamp:
    req_id = f.int()
    c = read_contract(f)
    f.skip(2)  # includeExpired, useRTH
    what = f.str().upper()
    format_date = f.int() if f.remaining else 1
    return ReqHeadTimestamp(req_id, c, what, format_date)


def _req_histogram(f: Fields) -> ReqHistogramData:
    req_id = f.int()
    c = read_contract(f)
    f.skip()  # includeExpired
    return ReqHistogramData(req_id, c, f.bool(), f.str())


def _req_tick_by_tick(f: Fields) -> ReqTickByTick:
    req_id = f.int()
    c = read_contract(f)
    tick_type = f.str()
    n = f.int() if f.remaining else 0
    ignore = f.bool() if f.remaining else False
    return ReqTickByTick(req_id, c, tick_type, n, ignore)


def _req_completed_orders(f: Fields) -> Simple:
    return Simple(f.msg_id, (f.bool(),))


def _unsupported(name: str, req_pos: int | None) -> Callable[[Fields], Unsupported]:
    def parse(f: Fields) -> Unsupported:
        req_id = -1
        if req_pos is not None:
            try:
                f.skip(req_pos)
                req_id = f.int(-1)
            except ProtocolError:
                req_id = -1
        return Unsupported(f.msg_id, name, req_id)

    return parse


PARSERS: dict[int, Callable[[Fields], object]] = {  # keyed by In
    In.START_API: _start_api,
    In.REQ_MKT_DATA: _req_mkt_data,
    In.CANCEL_MKT_DATA: _versioned_cancel,
    In.PLACE_ORDER: _place_order,
    In.CANCEL_ORDER: _cancel_order,
    In.REQ_OPEN_ORDERS: _versioned_simple,
    In.REQ_ACCOUNT_UPDATES: _req_account_updates,
    In.REQ_EXECUTIONS: _req_executions,
    In.REQ_IDS: _versioned_simple,
    In.REQ_CONTRACT_DETAILS: _req_contract_details,
    In.REQ_MKT_DEPTH: _req_mkt_depth,
    In.CANCEL_MKT_DEPTH: _versioned_cancel,
    In.REQ_AUTO_OPEN_ORDERS: _versioned_simple,
    In.REQ_ALL_OPEN_ORDERS: _versioned_simple,
    In.REQ_MANAGED_ACCTS: _versioned_simple,
    In.REQ_HISTORICAL_DATA: _req_historical,
    In.CANCEL_HISTORICAL_DATA: _versioned_cancel,
    In.REQ_CURRENT_TIME: _versioned_simple,
    In.REQ_GLOBAL_CANCEL: _global_cancel,
    In.REQ_MARKET_DATA_TYPE: _versioned_simple,
    In.REQ_POSITIONS: _versioned_simple,
    In.REQ_ACCOUNT_SUMMARY: _req_account_summary,
    In.CANCEL_ACCOUNT_SUMMARY: _versioned_cancel,
    In.CANCEL_POSITIONS: _versioned_simple,
    In.REQ_ACCOUNT_UPDATES_MULTI: _req_account_updates_multi,
    In.CANCEL_ACCOUNT_UPDATES_MULTI: _versioned_cancel,
    In.REQ_MATCHING_SYMBOLS: _req_matching_symbols,
    In.REQ_PNL: _req_pnl,
    In.CANCEL_PNL: _plain_cancel,
    In.REQ_PNL_SINGLE: _req_pnl_single,
    In.CANCEL_PNL_SINGLE: _plain_cancel,
    In.REQ_TICK_BY_TICK_DATA: _req_tick_by_tick,
    In.CANCEL_TICK_BY_TICK_DATA: _plain_cancel,
    In.REQ_COMPLETED_ORDERS: _req_completed_orders,
    In.REQ_REAL_TIME_BARS: _req_real_time_bars,
    In.CANCEL_REAL_TIME_BARS: _versioned_cancel,
    In.REQ_HEAD_TIMESTAMP: _req_head_timestamp,
    In.CANCEL_HEAD_TIMESTAMP: _plain_cancel,
    # Known requests this gateway does not serve: answered with an error that
    # carries the request id, so that no client waits for a reply.
    In.REQ_NEWS_BULLETINS: _unsupported("reqNewsBulletins", None),
    In.CANCEL_NEWS_BULLETINS: _unsupported("cancelNewsBulletins", None),
    In.SET_SERVER_LOGLEVEL: _unsupported("setServerLogLevel", None),
    In.REQ_FA: _unsupported("requestFA", None),
    In.REPLACE_FA: _unsupported("replaceFA", None),
    In.EXERCISE_OPTIONS: _unsupported("exerciseOptions", 1),
    In.REQ_SCANNER_SUBSCRIPTION: _unsupported("reqScannerSubscription", 1),
    In.CANCEL_SCANNER_SUBSCRIPTION: _unsupported("cancelScannerSubscription", 1),
    In.REQ_SCANNER_PARAMETERS: _unsupported("reqScannerParameters", None),
    In.REQ_FUNDAMENTAL_DATA: _unsupported("reqFundamentalData", 1),
    In.CANCEL_FUNDAMENTAL_DATA: _unsupported("cancelFundamentalData", 1),
    In.REQ_CALC_IMPLIED_VOLAT: _unsupported("calculateImpliedVolatility", 1),
    In.REQ_CALC_OPTION_PRICE: _unsupported("calculateOptionPrice", 1),
    In.CANCEL_CALC_IMPLIED_VOLAT: _unsupported("cancelCalculateImpliedVolatility", 1),
    In.CANCEL_CALC_OPTION_PRICE: _unsupported("cancelCalculateOptionPrice", 1),
    In.REQ_POSITIONS_MULTI: _unsupported("reqPositionsMulti", 1),
    In.CANCEL_POSITIONS_MULTI: _unsupported("cancelPositionsMulti", 1),
    In.REQ_SEC_DEF_OPT_PARAMS: _unsupported("reqSecDefOptParams", 0),
    In.REQ_SOFT_DOLLAR_TIERS: _unsupported("reqSoftDollarTiers", 0),
    In.REQ_FAMILY_CODES: _unsupported("reqFamilyCodes", None),
    In.REQ_MKT_DEPTH_EXCHANGES: _unsupported("reqMktDepthExchanges", None),
    In.REQ_SMART_COMPONENTS: _unsupported("reqSmartComponents", 0),
    In.REQ_NEWS_ARTICLE: _unsupported("reqNewsArticle", 0),
    In.REQ_NEWS_PROVIDERS: _unsupported("reqNewsProviders", None),
    In.REQ_HISTORICAL_NEWS: _unsupported("reqHistoricalNews", 0),
    In.REQ_HISTOGRAM_DATA: _req_histogram,
    In.CANCEL_HISTOGRAM_DATA: _plain_cancel,
    In.REQ_MARKET_RULE: _unsupported("reqMarketRule", 0),
    In.REQ_HISTORICAL_TICKS: _unsupported("reqHistoricalTicks", 0),
    In.REQ_WSH_META_DATA: _unsupported("reqWshMetaData", 0),
    In.REQ_WSH_EVENT_DATA: _unsupported("reqWshEventData", 0),
    In.CANCEL_WSH_META_DATA: _plain_cancel,
    In.CANCEL_WSH_EVENT_DATA: _plain_cancel,
    In.REQ_USER_INFO: _plain_simple,
    In.REQ_CURRENT_TIME_IN_MILLIS: _plain_simple,
}


def parse(payload: bytes, version: int = OLDEST) -> tuple[int, object]:
    """One request frame, read at a server version: its message id and what it asks;
    unknown ids become ``Unsupported``."""
    f = Fields.parse(payload, version)
    parser = PARSERS.get(f.msg_id)
    if parser is None:
        return f.msg_id, Unsupported(f.msg_id, f"message {f.msg_id}")
    return f.msg_id, parser(f)


def parse_request(payload: bytes, version: int = OLDEST) -> object:
    """What one request frame asks (see ``parse``)."""
    return parse(payload, version)[1]
