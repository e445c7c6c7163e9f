"""Immutable events: the only things that cross from the broker thread into the app.

Market data does not travel as events one tick at a time: the hand-off keeps
the latest state per instrument and the app receives one ``MarketUpdate`` per
changed instrument per frame. Everything else (orders, fills, errors, the
connection) is an event here, delivered in order and never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from tui.core.contracts import Contract, ContractSpec


class ConnState(str, Enum):
    """The connection as the status bar shows it."""

    DISCONNECTED = "DISCONNECTED"
    CONNECTING = "CONNECTING"
    CONNECTED = "CONNECTED"
    DEGRADED = "DEGRADED"
    RECONNECTING = "RECONNECTING"


@dataclass(frozen=True, slots=True)
class Connection:
    """The connection changed state; ``reason`` is for the status bar."""

    state: ConnState
    reason: str = ""
    server_version: int = 0
    accounts: tuple[str, ...] = ()
    reconciling: bool = False
    host: str = ""
    port: int = 0
    client_id: int = 0
    retry_at: float = 0.0  # when the next connect attempt starts (epoch seconds; 0: none waiting)
    attempt: int = 0  # failed attempts in a row


@dataclass(frozen=True, slots=True)
class NextOrderId:
    """TWS says the next order id it will accept (nextValidId)."""

    order_id: int


@dataclass(frozen=True, slots=True)
class OrderStatus:
    """An order's status changed (orderStatus): the gateway's word on whether it works."""

    order_id: int
    status: str
    filled: float
    remaining: float
    avg_price: float
    perm_id: int
    parent_id: int
    last_fill_price: float
    client_id: int
    why_held: str = ""


@dataclass(frozen=True, slots=True)
class OpenOrder:
    """An order the gateway holds, with its contract and prices (openOrder)."""

    order_id: int
    contract: Contract
    action: str
    quantity: float
    order_type: str
    lmt_price: float | None
    aux_price: float | None
    tif: str
    status: str
    perm_id: int
    client_id: int
    parent_id: int = 0
    oca_group: str = ""
    order_ref: str = ""
    account: str = ""
    trail_stop: float | None = None  # TRAIL: the stop now (aux_price is the trailing amount)


@dataclass(frozen=True, slots=True)
class OpenOrdersEnd:
    """The open orders of a resync are all in."""

    pass


@dataclass(frozen=True, slots=True)
class CompletedOrder:
    """An order that ended today (filled, cancelled, inactive), from reqCompletedOrders."""

    order_id: int
    perm_id: int
    contract: Contract
    action: str
    quantity: float
    status: str
    filled: float
    order_type: str = ""  # (journal lines before these were added lack them)
    lmt_price: float | None = None
    aux_price: float | None = None


@dataclass(frozen=True, slots=True)
class CompletedOrdersEnd:
    """The completed orders of a resync are all in."""

    pass


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution. ``req_id`` is -1 for a live fill, else the reqExecutions id."""

    exec_id: str
    order_id: int
    perm_id: int
    client_id: int
    contract: Contract
    side: str  # BOT / SLD
    shares: float
    price: float
    cum_qty: float
    avg_price: float
    time: str
    account: str
    req_id: int = -1


@dataclass(frozen=True, slots=True)
class ExecutionsEnd:
    """The executions of request ``req_id`` are all in."""

    req_id: int


@dataclass(frozen=True, slots=True)
class Commission:
    """The commission (and realized P&L) of one execution."""

    exec_id: str
    commission: float
    currency: str
    realized_pnl: float | None


@dataclass(frozen=True, slots=True)
class IBError:
    """An IB message (error, warning or information), classified by ``tui.core.errors``."""

    req_id: int
    code: int
    message: str


@dataclass(frozen=True, slots=True)
class Position:
    """A position of the account (reqPositions)."""

    account: str
    contract: Contract
    quantity: float
    avg_cost: float  # IB's figure: per unit times the multiplier


@dataclass(frozen=True, slots=True)
class PositionsEnd:
    """The positions of a resync are all in."""

    pass


@dataclass(frozen=True, slots=True)
class AccountValue:
    """One account value (NetLiquidation, BuyingPower, ...)."""

    key: str
    value: str
    currency: str
    account: str


@dataclass(frozen=True, slots=True)
class PortfolioItem:
    """A position with its market value and P&L (reqAccountUpdates)."""

    contract: Contract
    position: float
    market_price: float
    market_value: float
    avg_cost: float
    unrealized: float
    realized: float
    account: str


@dataclass(frozen=True, slots=True)
class AccountEnd:
    """The account's first download is complete."""

    account: str


@dataclass(frozen=True, slots=True)
class PnL:
    """The account's daily, unrealized and realized P&L."""

    daily: float
    unrealized: float
    realized: float


@dataclass(frozen=True, slots=True)
class PnLSingle:
    """One position's P&L."""

    con_id: int
    position: float
    daily: float
    unrealized: float
    realized: float
    value: float


@dataclass(frozen=True, slots=True)
class ContractResolved:
    """The answer to a resolution: one spec, several (ambiguous), or none with an error."""

    query: str
    specs: tuple[ContractSpec, ...]
    error: str = ""


@dataclass(frozen=True, slots=True)
class SymbolMatches:
    """What a symbol search found."""

    pattern: str
    contracts: tuple[Contract, ...]


@dataclass(frozen=True, slots=True)
class Print:
    """One trade on the tape: when (epoch seconds), price, size, and who took liquidity:
    +1 a buyer lifting the offer, -1 a seller hitting the bid, 0 not known."""

    time: float
    price: float
    size: int
    side: int


@dataclass(frozen=True, slots=True)
class MarketUpdate:
    """The latest market state of one instrument, as of this frame."""

    con_id: int
    bid: float
    bid_size: int
    ask: float
    ask_size: int
    last: float
    last_size: int
    volume: int
    high: float
    low: float
    close: float
    open: float
    bids: tuple[tuple[float, int], ...]
    asks: tuple[tuple[float, int], ...]
    volume_at_price: tuple[tuple[float, int], ...]
    last_time: float
    has_depth: bool
    updates: int  # raw messages folded into this update
    delayed: bool = False  # prices come from IB's delayed feed (no live subscription)
    prints: tuple[Print, ...] = ()  # trades since the last update, oldest first


@dataclass(frozen=True, slots=True)
class Reconciled:
    """After a (re)connect: every resync answer is in. ``open_order_ids`` were reported working."""

    open_order_ids: frozenset[int]
    first: bool
