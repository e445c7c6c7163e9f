"""Every layout at every server version from 157 to 200, checked against IB's own client.

Both ways: each frame the gateway writes is read by the installed ibapi decoder at that
version, which must consume it to the last field and call the right callback with the
right values; each request the installed ibapi writes at that version is read back by the
gateway's parsers with the same values. ibapi 9.81 knows no layout past 157, so with it
installed only 157 runs; CI runs this file under both majors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from ibapi import server_versions
from ibapi.decoder import Decoder
from ibapi.execution import ExecutionFilter

from ibkit import Recorder, encoded, future, order, stock
from tui.ib import compat
from tui.sim.market.hours import hours_text
from tui.sim.market.instruments import build_catalogue
from tui.sim.protocol import messages as msg
from tui.sim.protocol.codec import FrameBuffer
from tui.sim.protocol.parsers import parse
from tui.sim.protocol.requests import (
    CancelOrder, PlaceOrder, ReqContractDetails, ReqExecutions, ReqHistoricalData, ReqMktData,
    ReqMktDepth, Simple,
)
from tui.sim.protocol.versions import NEWEST, OLDEST, V
from tui.sim.trading.orders import SimOrder

CLIENT_MAX = server_versions.MAX_CLIENT_VER
ALL = sorted({OLDEST, NEWEST, *(int(v) for v in V), *(int(v) - 1 for v in V if v - 1 > OLDEST)})
VERSIONS = [v for v in ALL if v <= CLIENT_MAX]  # the versions the installed ibapi can read

TODAY = dt.date(2026, 11, 23)
CATALOGUE = {i.contract.symbol: i for i in build_catalogue(TODAY)}
ES, AAPL = CATALOGUE["ES"], CATALOGUE["AAPL"]


def trailing_order() -> SimOrder:
    return SimOrder(order_id=5, client_id=1, perm_id=2_000_000_123, inst=ES, action="SELL", quantity=2,
                    order_type="TRAIL LIMIT", lmt=None, aux=8, tif="GTC", account="DU1234567",
                    oca_group="oca-1", parent_id=4, trail_stop=24_000, lmt_offset=2, status="PreSubmitted")


def frames(data: bytes) -> Iterator[list[bytes]]:
    buf = FrameBuffer()
    buf.feed(data)
    for payload in buf.frames():
        fields = payload.split(b"\0")
        fields.pop()
        yield fields


def read(version: int, data: bytes) -> list[tuple[str, tuple[Any, ...]]]:
    """Decode frames as the installed ibapi does at ``version``; every field must be consumed."""
    rec = Recorder()
    decoder = Decoder(rec, version)
    for fields in frames(data):
        msg_id = int(fields[0])
        info = decoder.msgId2handleInfo.get(msg_id)
        assert info is not None, f"ibapi knows no message {msg_id}"
        if info.processMeth is not None:
            rest = iter(fields[1:] if compat.INTERPRET_TAKES_MSG_ID else fields)
            info.processMeth(decoder, rest)
            left = list(rest)
            assert not left, f"message {msg_id} at {version}: {len(left)} fields left unread: {left[:5]}"
        else:  # a "wrap" message: ibapi drops it unless the field count is exact
            before = len(rec.events)
            compat.interpret(decoder, fields)
            assert len(rec.events) > before, f"message {msg_id} at {version} was dropped (field count)"
    return rec.events


def one(events: list[tuple[str, tuple[Any, ...]]], name: str) -> tuple[Any, ...]:
    found = [args for n, args in events if n == name]
    assert len(found) == 1, (name, [n for n, _ in events])
    return found[0]


@pytest.mark.parametrize("version", VERSIONS)
def test_errors_are_read_with_their_code_and_text(version: int) -> None:
    req, code, text = one(read(version, msg.error(version, 7, 201, "Order rejected - reason:x", 1_795_000_000_123)),
                          "error")
    assert (req, code, text) == (7, 201, "Order rejected - reason:x")


@pytest.mark.parametrize("version", VERSIONS)
def test_orders_executions_and_previews_are_read_whole(version: int) -> None:
    o = trailing_order()
    preview = ((1000.0, 900.0, 50000.0), (12000.0, 11000.0, -2.5), (13000.0, 11900.0, 49997.5), 2.5, "USD")
    data = (msg.open_order(version, o) + msg.order_status(o)
            + msg.open_order(version, o, "PreSubmitted", preview)
            + msg.completed_order(version, o, "20261123 10:00:01 America/New_York")
            + msg.exec_details(version, 3, o, "0001f4e8.01.01", "20261123  10:00:01", 2, 6000.25, 2, 6000.25)
            + msg.commission_report("0001f4e8.01.01", 4.5, "USD", None))
    events = read(version, data)
    (oid, contract, placed, state), (_, _, preview_order, preview_state) = [a for n, a in events if n == "openOrder"]
    assert (oid, contract.symbol, placed.orderType, placed.ocaGroup, placed.parentId) == (
        5, "ES", "TRAIL LIMIT", "oca-1", 4)
    assert placed.trailStopPrice == 6000.0 and placed.lmtPriceOffset == 0.5 and state.status == "PreSubmitted"
    assert placed.permId == 2_000_000_123
    assert preview_order.whatIf and float(preview_state.initMarginChange) == 12000.0
    assert one(events, "orderStatus")[:2] == (5, "PreSubmitted")
    c, done, done_state = one(events, "completedOrder")
    assert (c.symbol, done.orderType, done_state.completedTime) == ("ES", "TRAIL LIMIT",
                                                                     "20261123 10:00:01 America/New_York")
    req, c, execution = one(events, "execDetails")
    assert (req, execution.side, float(execution.shares), execution.price) == (3, "SLD", 2.0, 6000.25)


@pytest.mark.parametrize("version", VERSIONS)
def test_contracts_and_symbol_search_are_read_whole(version: int) -> None:
    data = b"".join(
        msg.contract_details(version, 4, i.contract, i.tick, i.spec.long_name, i.industry, i.category,
                             i.spec.time_zone, hours_text(i, TODAY), "SMART", "LMT,MKT,TRAIL", "26")
        for i in (ES, AAPL)
    ) + msg.symbol_samples(version, 6, [ES.contract, AAPL.contract])
    events = read(version, data)
    details = [a for n, a in events if n == "contractDetails"]
    assert [(r, d.contract.conId, d.minTick) for r, d in details] == [(4, ES.con_id, 0.25), (4, AAPL.con_id, 0.01)]
    es = details[0][1]
    assert es.tradingHours.startswith("20261122:1700-20261123:1600;") and es.timeZoneId == "US/Central"
    if version >= V.LAST_TRADE_DATE:
        assert es.contract.lastTradeDate == ES.contract.last_trade_date
    req, found = one(events, "symbolSamples")
    assert req == 6 and [d.contract.symbol for d in found] == ["ES", "AAPL"]


@pytest.mark.parametrize("version", VERSIONS)
def test_history_ends_in_the_layout_of_the_version(version: int) -> None:
    bars = [("20261123  10:00:00", 1.0, 2.0, 0.5, 1.5, 100, 1.25, 7)] * 3
    events = read(version, msg.historical_data(version, 8, "20261123  09:57:00", "20261123  10:00:00", bars))
    assert len([a for n, a in events if n == "historicalData"]) == 3
    assert one(events, "historicalDataEnd") == (8, "20261123  09:57:00", "20261123  10:00:00")


@pytest.mark.parametrize("version", VERSIONS)
def test_streams_read_the_same_at_every_version(version: int) -> None:
    c = AAPL.contract
    data = (
        msg.market_frame(msg.TICK_PRICE, b"11", msg.tick_price_tail(1, "228.5", 300))
        + msg.market_frame(msg.TICK_SIZE, b"11", msg.tick_size_tail(8, 12345))
        + msg.market_frame(msg.MKT_DEPTH_L2, b"12", msg.depth_l2_tail(0, "NSDQ", 0, 1, "228.5", 300, True))
        + msg.tbt_last(13, 1, 1_795_000_000, "228.51", 100, "NASDAQ")
        + msg.position("DU1234567", c, 100, 228.5) + msg.position_end()
        + msg.portfolio_value(c, 100, 228.6, 22860, 228.5, 10, 0, "DU1234567")
        + msg.account_value("NetLiquidation", "1000000.00", "USD", "DU1234567")
        + msg.pnl(14, 10.0, 5.0, 5.0) + msg.pnl_single(15, 100, 10.0, 5.0, 5.0, 22860.0)
        + msg.real_time_bar(16, 1_795_000_000, 1.0, 2.0, 0.5, 1.5, 100, 1.25, 7)
        + msg.head_timestamp(17, "20251123-14:30:00")
        + msg.historical_data_update(18, 3, "20261123  10:00:05", 1.0, 1.5, 2.0, 0.5, 1.25, 100)
        + msg.market_data_type(11, 3) + msg.tick_req_params(11, 0.01, "9c0001")
        + msg.current_time(1_795_000_000) + msg.next_valid_id(9) + msg.managed_accounts("DU1234567")
    )
    names = [n for n, _ in read(version, data)]
    for name in ("tickPrice", "tickSize", "updateMktDepthL2", "tickByTickAllLast", "position", "positionEnd",
                 "updatePortfolio", "updateAccountValue", "pnl", "pnlSingle", "realtimeBar", "headTimestamp",
                 "historicalDataUpdate", "marketDataType", "tickReqParams", "currentTime", "nextValidId",
                 "managedAccounts"):
        assert name in names, name


@pytest.mark.skipif(CLIENT_MAX < NEWEST, reason=f"ibapi {CLIENT_MAX} reads no version past {CLIENT_MAX}: CI runs "
                                                 "this file with 10.x too")
def test_the_installed_client_reads_every_version_up_to_200() -> None:
    assert VERSIONS == ALL and ALL[-1] == NEWEST


@pytest.mark.parametrize("version", [v for v in VERSIONS if v >= V.HISTORICAL_SCHEDULE])
def test_answers_that_exist_from_a_version_on(version: int) -> None:
    data = (msg.historical_schedule(9, "20261123-09:30:00", "20261123-16:00:00", "US/Eastern",
                                    [("20261123-09:30:00", "20261123-16:00:00", "20261123")])
            + (msg.user_info(10, "") if version >= V.USER_INFO else b"")
            + (msg.current_time_in_millis(1_795_000_000_123) if version >= V.CURRENT_TIME_IN_MILLIS else b""))
    events = read(version, data)
    req, start, end, tz, sessions = one(events, "historicalSchedule")
    assert (req, tz, sessions[0].refDate) == (9, "US/Eastern", "20261123")
    if version >= V.USER_INFO:
        assert one(events, "userInfo") == (10, "")
    if version >= V.CURRENT_TIME_IN_MILLIS:
        assert one(events, "currentTimeInMillis") == (1_795_000_000_123,)


# --- requests: what the installed ibapi writes at a version, read back by the gateway ---------

def parsed(version: int, method: str, *args: Any) -> object:
    (fields,) = list(frames(encoded(method, *args, version=version)))
    payload = b"\0".join(fields) + b"\0"
    return parse(payload, version)[1]


def expect(version: int, method: str, *args: Any, kind: type, check: Callable[[Any], bool]) -> None:
    r = parsed(version, method, *args)
    assert isinstance(r, kind) and check(r), (method, version, r)


@pytest.mark.parametrize("version", VERSIONS)
def test_orders_and_cancels_written_at_a_version_are_read_at_it(version: int) -> None:
    o = order("SELL", 3, "TRAIL LIMIT", tif="GTD", ocaGroup="oca-9", orderRef="ref-9", parentId=17,
              transmit=False, outsideRth=True, goodTillDate="20261130 16:00:00 US/Eastern",
              trailingPercent=1.5, lmtPriceOffset=0.75, trailStopPrice=5990.0)
    expect(version, "placeOrder", 42, future("ES"), o, kind=PlaceOrder, check=lambda r: (
        (r.order_id, r.action, r.quantity, r.order_type, r.tif) == (42, "SELL", 3.0, "TRAIL LIMIT", "GTD")
        and (r.oca_group, r.order_ref, r.parent_id, r.transmit, r.outside_rth) == ("oca-9", "ref-9", 17, False, True)
        and r.good_till_date == "20261130 16:00:00 US/Eastern"
        and (r.trailing_percent, r.lmt_price_offset, r.trail_stop_price) == (1.5, 0.75, 5990.0)))
    expect(version, "placeOrder", 43, stock("AAPL"), order("BUY", 100, "LMT", 228.5), kind=PlaceOrder,
           check=lambda r: (r.order_id, r.lmt_price, r.contract.symbol) == (43, 228.5, "AAPL"))
    expect(version, "cancelOrder", 42, *compat.cancel_args(), kind=CancelOrder, check=lambda r: r.order_id == 42)
    expect(version, "reqGlobalCancel", *compat.global_cancel_args(), kind=Simple, check=lambda r: r.msg_id == 58)


@pytest.mark.parametrize("version", VERSIONS)
def test_data_requests_written_at_a_version_are_read_at_it(version: int) -> None:
    f = ExecutionFilter()
    f.symbol = "ES"
    if version >= V.PARAMETRIZED_DAYS_OF_EXECUTIONS:
        f.lastNDays = 3
    expect(version, "reqExecutions", 5, f, kind=ReqExecutions, check=lambda r: (
        r.req_id == 5 and r.symbol == "ES" and r.last_n_days == (3 if version >= V.PARAMETRIZED_DAYS_OF_EXECUTIONS else 0)))
    expect(version, "reqContractDetails", 6, future("ES"), kind=ReqContractDetails,
           check=lambda r: (r.req_id, r.contract.symbol, r.contract.exchange) == (6, "ES", "CME"))
    expect(version, "reqMktData", 7, stock("AAPL"), "233", False, False, [], kind=ReqMktData,
           check=lambda r: (r.req_id, r.contract.symbol, r.generic_ticks) == (7, "AAPL", "233"))
    expect(version, "reqMktDepth", 8, future("ES"), 10, True, [], kind=ReqMktDepth,
           check=lambda r: (r.req_id, r.num_rows, r.smart_depth) == (8, 10, True))
    expect(version, "reqHistoricalData", 9, future("ES"), "", "1 D", "1 min", "TRADES", 1, 1, False, [],
           kind=ReqHistoricalData,
           check=lambda r: (r.req_id, r.duration, r.bar_size, r.what_to_show) == (9, "1 D", "1 min", "TRADES"))
