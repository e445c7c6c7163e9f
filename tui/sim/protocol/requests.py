"""The requests a TWS API client sends, as small dataclasses (parsed in ``parsers``)."""

from __future__ import annotations

from dataclasses import dataclass



@dataclass(slots=True)
class ContractQuery:
    """The 12-field contract block of requests (C12)."""

    con_id: int = 0
    symbol: str = ""
    sec_type: str = ""
    last_trade_date: str = ""
    strike: float | None = None
    right: str = ""
    multiplier: str = ""
    exchange: str = ""
    primary_exchange: str = ""
    currency: str = ""
    local_symbol: str = ""
    trading_class: str = ""


@dataclass(slots=True)
class StartApi:
    """startApi: the client id and its optional capabilities."""

    client_id: int
    capabilities: str


@dataclass(slots=True)
class ReqMktData:
    """reqMktData: L1 quotes for a contract."""

    req_id: int
    contract: ContractQuery
    generic_ticks: str
    snapshot: bool
    regulatory_snapshot: bool


@dataclass(slots=True)
class ReqMktDepth:
    """reqMktDepth: the depth book for a contract."""

    req_id: int
    contract: ContractQuery
    num_rows: int
    smart_depth: bool


@dataclass(slots=True)
class Cancel:
    """Any request that names only a request id to stop."""

    msg_id: int
    req_id: int


@dataclass(slots=True)
class PlaceOrder:
    """placeOrder: a new order, or a modification of an existing id."""

    order_id: int
    contract: ContractQuery
    action: str
    quantity: float
    order_type: str
    lmt_price: float | None
    aux_price: float | None
    tif: str
    oca_group: str
    account: str
    order_ref: str
    transmit: bool
    parent_id: int
    outside_rth: bool
    oca_type: int
    good_till_date: str
    has_conditions: bool = False
    has_combo_legs: bool = False
    what_if: bool = False  # a preview: margin and commission estimates, nothing placed
    trail_stop_price: float | None = None  # TRAIL / TRAIL LIMIT: the initial stop (else from the market)
    trailing_percent: float | None = None  # TRAIL by percent instead of auxPrice's amount
    lmt_price_offset: float | None = None  # TRAIL LIMIT: the limit's distance from the stop


@dataclass(slots=True)
class CancelOrder:
    """cancelOrder."""

    order_id: int


@dataclass(slots=True)
class Simple:
    """A request with no parameters worth a type of its own."""

    msg_id: int
    args: tuple[object, ...] = ()


@dataclass(slots=True)
class ReqContractDetails:
    """reqContractDetails."""

    req_id: int
    contract: ContractQuery
    include_expired: bool


@dataclass(slots=True)
class ReqMatchingSymbols:
    """reqMatchingSymbols: a symbol search."""

    req_id: int
    pattern: str


@dataclass(slots=True)
class ReqExecutions:
    """reqExecutions, with its filter's fields."""

    req_id: int
    client_id: int
    account: str
    time: str
    symbol: str
    sec_type: str
    exchange: str
    side: str
    last_n_days: int = 0  # from server version 200
    specific_dates: tuple[str, ...] = ()


@dataclass(slots=True)
class ReqAccountUpdates:
    """reqAccountUpdates: start or stop the account stream."""

    subscribe: bool
    account: str


@dataclass(slots=True)
class ReqAccountSummary:
    """reqAccountSummary."""

    req_id: int
    group: str
    tags: str


@dataclass(slots=True)
class ReqAccountUpdatesMulti:
    """reqAccountUpdatesMulti."""

    req_id: int
    account: str
    model_code: str
    ledger_and_nlv: bool


@dataclass(slots=True)
class ReqPnL:
    """reqPnL, or reqPnLSingle when ``con_id`` is set."""

    req_id: int
    account: str
    model_code: str
    con_id: int = 0


@dataclass(slots=True)
class ReqHistogramData:
    """reqHistogramData: volume at each price over a period."""

    req_id: int
    contract: ContractQuery
    use_rth: bool
    period: str


@dataclass(slots=True)
class ReqHistoricalData:
    """reqHistoricalData."""

    req_id: int
    contract: ContractQuery
    end: str
    bar_size: str
    duration: str
    use_rth: bool
    what_to_show: str
    format_date: int
    keep_up_to_date: bool


@dataclass(slots=True)
class ReqRealTimeBars:
    """reqRealTimeBars: 5-second bars of TRADES, MIDPOINT, BID or ASK."""

    req_id: int
    contract: ContractQuery
    bar_size: int
    what_to_show: str
    use_rth: bool


@dataclass(slots=True)
class ReqHeadTimestamp:
    """reqHeadTimeStamp: the earliest date with data of a kind."""

    req_id: int
    contract: ContractQuery
    what_to_show: str
    format_date: int


@dataclass(slots=True)
class ReqTickByTick:
    """reqTickByTickData."""

    req_id: int
    contract: ContractQuery
    tick_type: str
    number_of_ticks: int
    ignore_size: bool


@dataclass(slots=True)
class Unsupported:
    """A request we can read but do not serve; ``req_id`` -1 when it has none."""

    msg_id: int
    name: str
    req_id: int = -1
