"""Between ibapi's types and ours. Nothing of ibapi leaves tui.ib."""

from __future__ import annotations


from ibapi.contract import Contract as IBContract
from ibapi.contract import ContractDetails
from ibapi.order import Order as IBOrder

from tui.core.contracts import Contract, ContractSpec
from tui.core.intents import OrderIntent
from tui.ib.compat import UNSET_DOUBLE, is_unset


def num(value: object) -> float:
    """A size from either ibapi (int/float in 9.81, Decimal in 10.x) as a float; unset reads as 0."""
    return 0.0 if is_unset(value) else float(value)  # type: ignore[arg-type]


def price_or_none(value: float) -> float | None:
    """A price, or None for ibapi's unset value and zero."""
    return None if value is None or value >= UNSET_DOUBLE or value == 0.0 else float(value)


def contract_from_ib(c: IBContract) -> Contract:
    """ibapi's Contract as ours."""
    return Contract(
        symbol=c.symbol, sec_type=c.secType, exchange=c.exchange, currency=c.currency,
        con_id=c.conId, last_trade_date=c.lastTradeDateOrContractMonth,
        multiplier=c.multiplier or "", local_symbol=c.localSymbol,
        trading_class=c.tradingClass, primary_exchange=c.primaryExchange,
    )


def contract_to_ib(c: Contract) -> IBContract:
    """Our Contract as ibapi's."""
    out = IBContract()
    out.conId = c.con_id
    out.symbol = c.symbol
    out.secType = c.sec_type
    out.exchange = c.exchange
    out.currency = c.currency
    out.lastTradeDateOrContractMonth = c.last_trade_date
    out.multiplier = c.multiplier
    out.localSymbol = c.local_symbol
    out.tradingClass = c.trading_class
    out.primaryExchange = c.primary_exchange
    return out


def spec_from_details(d: ContractDetails) -> ContractSpec:
    """ContractDetails as a ContractSpec (tick size, multiplier, names)."""
    c = contract_from_ib(d.contract)
    try:
        mult = float(c.multiplier or 1)
    except ValueError:
        mult = 1.0
    return ContractSpec(c, float(d.minTick) or 0.01, mult, d.longName, d.timeZoneId, d.tradingHours or "")


def order_to_ib(intent: OrderIntent, account: str = "") -> IBOrder:
    """An intent as ibapi's Order (prices unset where the type has none)."""
    o = IBOrder()
    o.action = intent.action
    o.totalQuantity = intent.quantity
    o.orderType = intent.order_type
    if intent.lmt_price is not None:
        o.lmtPrice = intent.lmt_price
    if intent.aux_price is not None:
        o.auxPrice = intent.aux_price
    o.tif = intent.tif
    if intent.lmt_offset is not None:
        o.lmtPriceOffset = intent.lmt_offset
    o.outsideRth = intent.outside_rth
    o.parentId = intent.parent_id
    o.transmit = intent.transmit
    o.ocaGroup = intent.oca_group
    if intent.oca_group:
        o.ocaType = 1  # the others are cancelled when one fills
    o.orderRef = intent.order_ref
    o.account = account
    # ibapi 9.81 defaults these to True; TWS rejects them for most accounts (error 10268/10269)
    o.eTradeOnly = False
    o.firmQuoteOnly = False
    return o
