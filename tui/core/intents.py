"""What a keystroke asks for, before risk checks and before the wire."""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.contracts import ContractSpec
from tui.core.ordertypes import OrderType, drawn_price


@dataclass(frozen=True, slots=True)
class OrderIntent:
    """A new order as the trader means it. Prices are None where the type has none."""

    spec: ContractSpec
    action: str  # BUY / SELL
    quantity: float
    order_type: str = OrderType.LMT
    lmt_price: float | None = None
    aux_price: float | None = None
    tif: str = "DAY"
    outside_rth: bool = False
    parent_id: int = 0
    transmit: bool = True
    oca_group: str = ""
    order_ref: str = ""

    @property
    def buy(self) -> bool:
        return self.action == "BUY"

    @property
    def price(self) -> float | None:
        """Where the order will be drawn: its stop for stop types, else its limit."""
        return drawn_price(self.order_type, self.lmt_price, self.aux_price)

    def describe(self) -> str:
        parts = [self.action, f"{self.quantity:g}", self.spec.contract.key, self.order_type]
        if self.lmt_price is not None:
            parts.append(f"@{self.lmt_price:g}")
        if self.aux_price is not None:
            parts.append(f"stop {self.aux_price:g}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Bracket:
    """An entry with a take-profit and a stop-loss that cancel each other."""

    entry: OrderIntent
    take_profit: float
    stop_loss: float

