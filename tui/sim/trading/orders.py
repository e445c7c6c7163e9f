"""Orders as the simulated gateway holds them."""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.core.prices import from_ticks
from tui.sim.market.instruments import Instrument

WORKING = frozenset({"PendingSubmit", "PreSubmitted", "Submitted"})
DONE = frozenset({"Filled", "Cancelled", "ApiCancelled", "Inactive"})


TRAILING = ("TRAIL", "TRAIL LIMIT")


@dataclass(slots=True)
class SimOrder:
    """One order at the gateway. Prices are in ticks of the instrument's grid."""

    order_id: int
    client_id: int
    perm_id: int
    inst: Instrument
    action: str  # BUY / SELL
    quantity: float
    order_type: str  # MKT, LMT, STP, STP LMT
    lmt: int | None
    aux: int | None
    tif: str
    account: str
    oca_group: str = ""
    oca_type: int = 0
    order_ref: str = ""
    parent_id: int = 0
    transmit: bool = True
    outside_rth: bool = False
    good_till_date: str = ""
    status: str = "PendingSubmit"
    filled: float = 0.0
    avg_price: float = 0.0
    last_fill_price: float = 0.0
    triggered: bool = False  # a stop whose trigger has been touched
    why_held: str = ""
    placed_at: float = 0.0
    completed_at: float = 0.0
    completed_status: str = ""
    children: list[int] = field(default_factory=list)
    book_seq: int = 0  # time priority in the engine's resting book
    trail_stop: int | None = None  # TRAIL / TRAIL LIMIT: the stop now (ticks); aux is the amount
    trail_percent: float | None = None  # trailing by percent of the price instead of aux
    lmt_offset: int | None = None  # TRAIL LIMIT: the limit this many ticks beyond the stop
    expires_at: float | None = None  # GTD: the epoch second it is cancelled at

    @property
    def trailing(self) -> bool:
        return self.order_type in TRAILING

    @property
    def stop_like(self) -> bool:
        """Waits for a trigger on the last trade: stops and trailing stops."""
        return self.order_type in ("STP", "STP LMT", *TRAILING)

    @property
    def trigger(self) -> int | None:
        """The price (ticks) a print must reach to trigger it."""
        return self.trail_stop if self.trailing else self.aux

    @property
    def at_market_once_triggered(self) -> bool:
        return self.order_type in ("MKT", "STP", "TRAIL")

    @property
    def buy(self) -> bool:
        return self.action == "BUY"

    @property
    def remaining(self) -> float:
        return max(0.0, self.quantity - self.filled)

    @property
    def working(self) -> bool:
        return self.status in WORKING

    @property
    def key(self) -> tuple[int, int]:
        return (self.client_id, self.order_id)

    def price(self, ticks: int | None) -> float:
        """A price of this order's grid; 0 for an unset price, as TWS reports it."""
        return 0.0 if ticks is None else from_ticks(ticks, self.inst.tick)
