"""ibapi callbacks in, our events out.

Market data goes into the hand-off's per-instrument state; everything else
becomes one immutable event. What the client layer itself must know (ids,
accounts, errors, end markers, contract answers) goes to a ``Sink``. Runs on the
decode thread.
"""

from __future__ import annotations

from typing import Any, Protocol

from ibapi.wrapper import EWrapper

from tui.core import events as ev
from tui.core.contracts import Contract, ContractSpec
from tui.core.handoff import Handoff
from tui.core.ordertypes import has_limit, has_stop, is_trailing
from tui.ib import compat, ticks
from tui.ib.compat import is_unset
from tui.ib.convert import contract_from_ib, num, price_or_none, spec_from_details
from tui.ib.subscriptions import Subscriptions


def _prices(order: Any) -> tuple[float | None, float | None]:
    """An order's limit and its stop (or trailing amount), each where its type has one."""
    kind = order.orderType
    return (price_or_none(order.lmtPrice) if has_limit(kind) else None,
            price_or_none(order.auxPrice) if has_stop(kind) or is_trailing(kind) else None)


class Sink(Protocol):
    """What the wrapper tells the client layer (the broker implements it)."""

    subscriptions: Subscriptions  # its request-id maps are replaced whole, so read here without a lock

    def next_valid_id(self, order_id: int) -> None: ...

    def managed_accounts(self, accounts: str) -> None: ...

    def error(self, req_id: int, code: int, text: str) -> None: ...

    def open_order_seen(self, order_id: int) -> None: ...

    def end(self, name: str) -> None: ...  # a resync answer is complete: "orders", "positions", ...

    def contract_detail(self, req_id: int, spec: ContractSpec) -> None: ...

    def contract_details_end(self, req_id: int) -> None: ...

    def symbol_samples(self, req_id: int, contracts: tuple[Contract, ...]) -> None: ...


class Wrapper(EWrapper):
    """ibapi's EWrapper: callbacks on the decode thread become hand-off state and events."""
    def __init__(self, sink: Sink, handoff: Handoff) -> None:
        super().__init__()
        self.b = sink
        self.h = handoff
        self.subs = sink.subscriptions

    # --- market data (hot) ---------------------------------------------------------
    def tickPrice(self, reqId: int, tickType: int, price: float, attrib: Any) -> None:  # noqa: N802,N803
        con = self.subs.market.get(reqId)
        field = ticks.PRICES.get(tickType)
        if con is not None and field is not None:
            self.h.price(con, field, price, ticks.is_delayed(tickType))

    def tickSize(self, reqId: int, tickType: int, size: Any) -> None:  # noqa: N802,N803
        con = self.subs.market.get(reqId)
        field = ticks.SIZES.get(tickType)
        if con is not None and field is not None and not is_unset(size):  # unknown: keep the last
            self.h.size(con, field, int(size))

    def tickString(self, reqId: int, tickType: int, value: str) -> None:  # noqa: N802,N803
        if tickType in ticks.RT_VOLUMES:
            con = self.subs.market.get(reqId)
            trade = ticks.parse_rt_volume(value) if con is not None else None
            if con is not None and trade is not None:
                self.h.trade(con, *trade)
        elif tickType in ticks.LAST_TIMESTAMPS:
            con = self.subs.market.get(reqId)
            if con is not None:
                try:
                    self.h.tick_time(con, float(value))
                except ValueError:
                    pass

    def tickGeneric(self, reqId: int, tickType: int, value: float) -> None:  # noqa: N802,N803
        pass

    def updateMktDepth(self, reqId: int, position: int, operation: int, side: int,  # noqa: N802,N803
                       price: float, size: Any) -> None:
        con = self.subs.market.get(reqId)
        if con is not None:
            self.h.depth(con, position, operation, side, price, 0 if is_unset(size) else int(size))

    def updateMktDepthL2(self, reqId: int, position: int, marketMaker: str,  # noqa: N802,N803
                         operation: int, side: int, price: float, size: Any,
                         isSmartDepth: bool = False) -> None:  # noqa: N803
        con = self.subs.market.get(reqId)
        if con is not None:
            self.h.depth(con, position, operation, side, price, 0 if is_unset(size) else int(size))

    def tickByTickAllLast(self, reqId: int, tickType: int, time: int, price: float,  # noqa: N802,N803
                          size: Any, tickAttribLast: Any, exchange: str,  # noqa: N803
                          specialConditions: str) -> None:  # noqa: N803
        pass

    def tickByTickBidAsk(self, *args: Any) -> None:  # noqa: N802
        pass

    def tickByTickMidPoint(self, *args: Any) -> None:  # noqa: N802
        pass

    def tickReqParams(self, *args: Any) -> None:  # noqa: N802
        pass

    def marketDataType(self, reqId: int, marketDataType: int) -> None:  # noqa: N802,N803
        pass  # delayed data is known from the delayed tick codes themselves

    # --- connection -----------------------------------------------------------------
    def nextValidId(self, orderId: int) -> None:  # noqa: N802,N803
        self.b.next_valid_id(orderId)

    def managedAccounts(self, accountsList: str) -> None:  # noqa: N802,N803
        self.b.managed_accounts(accountsList)

    def currentTime(self, time: int) -> None:  # noqa: N802
        pass  # the watchdog only needs the bytes to arrive

    def connectAck(self) -> None:  # noqa: N802
        pass

    def connectionClosed(self) -> None:  # noqa: N802
        pass

    def error(self, reqId: int, *args: Any) -> None:  # noqa: N803
        # 9.81: (code, text); 10.x: (code, text, rejectJson) or, from 10.34, (errorTime, code, text, json)
        code, text = compat.error_args(args)
        self.b.error(reqId, code, text)

    # --- orders -------------------------------------------------------------------------
    def orderStatus(self, orderId: int, status: str, filled: Any, remaining: Any,  # noqa: N802,N803
                    avgFillPrice: float, permId: int, parentId: int, lastFillPrice: float,  # noqa: N803
                    clientId: int, whyHeld: str, mktCapPrice: float = 0.0) -> None:  # noqa: N803
        self.h.put(ev.OrderStatus(orderId, status, num(filled), num(remaining), avgFillPrice,
                                  permId, parentId, lastFillPrice, clientId, whyHeld))

    def openOrder(self, orderId: int, contract: Any, order: Any, orderState: Any) -> None:  # noqa: N802,N803
        self.b.open_order_seen(orderId)
        self.h.put(ev.OpenOrder(
            orderId, contract_from_ib(contract), order.action, num(order.totalQuantity),
            order.orderType, *_prices(order), order.tif,
            orderState.status, order.permId, order.clientId, order.parentId, order.ocaGroup,
            order.orderRef, order.account,
            price_or_none(order.trailStopPrice) if is_trailing(order.orderType) else None,
        ))

    def openOrderEnd(self) -> None:  # noqa: N802
        self.h.put(ev.OpenOrdersEnd())
        self.b.end("orders")

    def completedOrder(self, contract: Any, order: Any, orderState: Any) -> None:  # noqa: N802,N803
        self.h.put(ev.CompletedOrder(
            order.orderId, order.permId, contract_from_ib(contract), order.action, num(order.totalQuantity),
            orderState.status, num(getattr(order, "filledQuantity", 0.0) or 0.0), order.orderType,
            *_prices(order),
        ))

    def completedOrdersEnd(self) -> None:  # noqa: N802
        self.h.put(ev.CompletedOrdersEnd())
        self.b.end("completed")

    def execDetails(self, reqId: int, contract: Any, execution: Any) -> None:  # noqa: N802,N803
        self.h.put(ev.Fill(
            execution.execId, execution.orderId, execution.permId, execution.clientId,
            contract_from_ib(contract), execution.side, num(execution.shares), execution.price,
            num(execution.cumQty), execution.avgPrice, execution.time, execution.acctNumber, reqId,
        ))

    def execDetailsEnd(self, reqId: int) -> None:  # noqa: N802,N803
        self.h.put(ev.ExecutionsEnd(reqId))
        self.b.end("executions")

    def commissionReport(self, commissionReport: Any) -> None:  # noqa: N802,N803
        r = commissionReport  # ibapi 9.81
        self._commission(r.execId, r.commission, r.currency, r.realizedPNL)

    def commissionAndFeesReport(self, commissionAndFeesReport: Any) -> None:  # noqa: N802,N803
        r = commissionAndFeesReport  # ibapi 10.x's name for the same message
        self._commission(r.execId, r.commissionAndFees, r.currency, r.realizedPNL)

    def _commission(self, exec_id: str, amount: float, currency: str, realized_pnl: float) -> None:
        realized = price_or_none(realized_pnl) if realized_pnl != 0.0 else 0.0
        self.h.put(ev.Commission(exec_id, amount, currency, realized))

    # --- account ------------------------------------------------------------------------
    def position(self, account: str, contract: Any, position: Any, avgCost: float) -> None:  # noqa: N803
        self.h.put(ev.Position(account, contract_from_ib(contract), num(position), avgCost))

    def positionEnd(self) -> None:  # noqa: N802
        self.h.put(ev.PositionsEnd())
        self.b.end("positions")

    def updateAccountValue(self, key: str, val: str, currency: str, accountName: str) -> None:  # noqa: N802,N803
        self.h.put(ev.AccountValue(key, val, currency, accountName))

    def updatePortfolio(self, contract: Any, position: Any, marketPrice: float,  # noqa: N802,N803
                        marketValue: float, averageCost: float, unrealizedPNL: float,  # noqa: N803
                        realizedPNL: float, accountName: str) -> None:  # noqa: N803
        self.h.put(ev.PortfolioItem(contract_from_ib(contract), num(position), marketPrice,
                                    marketValue, averageCost, unrealizedPNL, realizedPNL,
                                    accountName))

    def updateAccountTime(self, timeStamp: str) -> None:  # noqa: N802,N803
        pass

    def accountDownloadEnd(self, accountName: str) -> None:  # noqa: N802,N803
        self.h.put(ev.AccountEnd(accountName))
        self.b.end("account")

    def pnl(self, reqId: int, dailyPnL: float, unrealizedPnL: float, realizedPnL: float) -> None:  # noqa: N803
        self.h.put(ev.PnL(dailyPnL, unrealizedPnL, realizedPnL))

    def pnlSingle(self, reqId: int, pos: Any, dailyPnL: float, unrealizedPnL: float,  # noqa: N802,N803
                  realizedPnL: float, value: float) -> None:  # noqa: N803
        con = self.subs.pnl.get(reqId, 0)
        self.h.put(ev.PnLSingle(con, num(pos), dailyPnL, unrealizedPnL, realizedPnL, value))

    def accountSummary(self, *args: Any) -> None:  # noqa: N802
        pass

    def accountSummaryEnd(self, reqId: int) -> None:  # noqa: N802,N803
        pass

    # --- contracts ------------------------------------------------------------
    def contractDetails(self, reqId: int, contractDetails: Any) -> None:  # noqa: N802,N803
        self.b.contract_detail(reqId, spec_from_details(contractDetails))

    def contractDetailsEnd(self, reqId: int) -> None:  # noqa: N802,N803
        self.b.contract_details_end(reqId)

    def symbolSamples(self, reqId: int, contractDescriptions: Any) -> None:  # noqa: N802,N803
        self.b.symbol_samples(reqId, tuple(contract_from_ib(d.contract) for d in contractDescriptions))
