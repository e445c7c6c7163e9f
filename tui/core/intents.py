"""What a keystroke asks for, before risk checks and before the wire."""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.contracts import ContractSpec
from tui.core.ordertypes import OrderType, drawn_price
from tui.core.prices import from_ticks, to_ticks


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
            parts.append(f"trailing {self.aux_price:g}" if self.order_type == OrderType.TRAIL
                         else f"stop {self.aux_price:g}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Bracket:
    """An entry with a take-profit and a stop-loss that cancel each other."""

    entry: OrderIntent
    take_profit: float
    stop_loss: float



def trailing_stop(spec: ContractSpec, side: str, quantity: float, trail_ticks: int,
                  tif: str = "DAY") -> OrderIntent:
    """A trailing stop ``trail_ticks`` behind the market (the gateway places its first stop)."""
    return OrderIntent(spec, side, quantity, OrderType.TRAIL, None, from_ticks(trail_ticks, spec.tick), tif)


def order_at(spec: ContractSpec, side: str, quantity: float, order_type: str, price: float | None,
             tif: str = "DAY", stop_limit_offset_ticks: int = 2) -> OrderIntent:
    """An order of ``order_type`` at a ladder price: a limit at it, a stop at it, or a stop
    at it with its limit ``stop_limit_offset_ticks`` beyond (the side's way)."""
    lmt = aux = None
    if order_type == OrderType.LMT:
        lmt = price
    elif order_type == OrderType.STP:
        aux = price
    elif order_type == OrderType.STP_LMT and price is not None:
        aux = price
        offset = stop_limit_offset_ticks if side == "BUY" else -stop_limit_offset_ticks
        lmt = from_ticks(to_ticks(price, spec.tick) + offset, spec.tick)
    return OrderIntent(spec, side, quantity, order_type, lmt, aux, tif)


def bracket_at(spec: ContractSpec, side: str, quantity: float, price: float, take_profit_ticks: int,
               stop_loss_ticks: int, tif: str = "DAY") -> Bracket:
    """A limit entry at ``price`` with its take-profit and stop-loss the given ticks away."""
    sign = 1 if side == "BUY" else -1
    base = to_ticks(price, spec.tick)
    tp = from_ticks(base + sign * take_profit_ticks, spec.tick)
    sl = from_ticks(base - sign * stop_loss_ticks, spec.tick)
    return Bracket(OrderIntent(spec, side, quantity, OrderType.LMT, price, None, tif), tp, sl)
