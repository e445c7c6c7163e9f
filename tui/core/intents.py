"""What a keystroke asks for, before risk checks and before the wire."""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.contracts import ContractSpec
from tui.core.ordertypes import OrderType, drawn_price, is_trailing
from tui.core.prices import from_ticks, price_text, to_ticks
from tui.core.words import plain_quantity


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
    lmt_offset: float | None = None  # TRAIL LIMIT: the limit this far beyond the stop

    @property
    def buy(self) -> bool:
        return self.action == "BUY"

    @property
    def price(self) -> float | None:
        """Where the order will be drawn: its stop for stop types, else its limit."""
        return drawn_price(self.order_type, self.lmt_price, self.aux_price)

    def describe(self) -> str:
        """``BUY 1 ESZ6 LMT @6010.00``: prices as the ladder prints them."""
        tick = self.spec.tick
        parts = [self.action, plain_quantity(self.quantity), self.spec.contract.key, self.order_type]
        if self.lmt_price is not None:
            parts.append(f"@{price_text(self.lmt_price, tick)}")
        if self.aux_price is not None:
            parts.append(f"trailing {price_text(self.aux_price, tick)}" if is_trailing(self.order_type)
                         else f"stop {price_text(self.aux_price, tick)}")
        if self.lmt_offset is not None:
            parts.append(f"limit offset {price_text(self.lmt_offset, tick)}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Bracket:
    """An entry with its exits: a take-profit and a stop-loss that cancel each other, or, with
    several ``targets`` (quantity, price), one such pair per target (each pair its own OCA group,
    so a target filling cancels only its own stop)."""

    entry: OrderIntent
    take_profit: float
    stop_loss: float
    targets: tuple[tuple[float, float], ...] = ()

    def exits(self) -> list[tuple[OrderIntent, OrderIntent]]:
        """(take-profit, stop-loss) per target, good till cancelled; ids, parent and groups are
        the broker's to fill in."""
        e = self.entry
        side = "SELL" if e.buy else "BUY"
        return [(OrderIntent(e.spec, side, q, OrderType.LMT, price, None, "GTC", e.outside_rth),
                 OrderIntent(e.spec, side, q, OrderType.STP, None, self.stop_loss, "GTC", e.outside_rth))
                for q, price in (self.targets or ((e.quantity, self.take_profit),))]

    def describe(self) -> str:
        tick = self.entry.spec.tick
        sl = price_text(self.stop_loss, tick)
        if not self.targets:
            return f"{self.entry.describe()} tp {price_text(self.take_profit, tick)} sl {sl}"
        tps = ", ".join(f"{plain_quantity(q)}@{price_text(p, tick)}" for q, p in self.targets)
        return f"{self.entry.describe()} tp {tps} sl {sl}"


def split(quantity: float, shares: list[int]) -> list[int]:
    """``quantity`` in whole parts proportional to ``shares`` (largest remainders first); parts
    that round to nothing are dropped."""
    total = sum(shares)
    exact = [quantity * s / total for s in shares]
    parts = [int(x) for x in exact]
    left = int(quantity) - sum(parts)
    for i in sorted(range(len(shares)), key=lambda i: exact[i] - parts[i], reverse=True)[:left]:
        parts[i] += 1
    return parts



def trailing_stop(spec: ContractSpec, side: str, quantity: float, trail_ticks: int,
                  tif: str = "DAY", limit_offset_ticks: int | None = None) -> OrderIntent:
    """A trailing stop ``trail_ticks`` behind the market (the gateway places its first stop);
    with ``limit_offset_ticks`` a TRAIL LIMIT, working at a limit that far beyond the stop."""
    amount = from_ticks(trail_ticks, spec.tick)
    if limit_offset_ticks is None:
        return OrderIntent(spec, side, quantity, OrderType.TRAIL, None, amount, tif)
    return OrderIntent(spec, side, quantity, OrderType.TRAIL_LIMIT, None, amount, tif,
                       lmt_offset=from_ticks(limit_offset_ticks, spec.tick))


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
               stop_loss_ticks: int, tif: str = "DAY",
               targets: list[tuple[int, int]] | None = None) -> Bracket:
    """A limit entry at ``price`` with its take-profit and stop-loss the given ticks away; with
    ``targets`` [(share, ticks), ...], the quantity split over several take-profits, each with
    its own stop (a quantity too small to split takes the first target whole)."""
    sign = 1 if side == "BUY" else -1
    base = to_ticks(price, spec.tick)
    tp = from_ticks(base + sign * take_profit_ticks, spec.tick)
    sl = from_ticks(base - sign * stop_loss_ticks, spec.tick)
    entry = OrderIntent(spec, side, quantity, OrderType.LMT, price, None, tif)
    if not targets or len(targets) < 2:
        if targets:
            tp = from_ticks(base + sign * targets[0][1], spec.tick)
        return Bracket(entry, tp, sl)
    parts = split(quantity, [share for share, _ in targets])
    legs = tuple((float(q), from_ticks(base + sign * ticks, spec.tick))
                 for q, (_, ticks) in zip(parts, targets) if q > 0)
    if len(legs) < 2:
        return Bracket(entry, legs[0][1] if legs else tp, sl)
    return Bracket(entry, legs[0][1], sl, legs)
