"""Pre-trade risk checks: pure functions, one verdict naming the rule and the numbers.

Nothing reaches the wire without passing ``check``. The order of the rules is
the order a trader would want to hear about them: first whether trading is
possible at all, then the order's own shape, then its size against limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from tui.core.contracts import Contract, instrument_section
from tui.core.ordertypes import OrderType, has_limit, has_stop, is_trailing
from tui.core.intents import OrderIntent
from tui.core.prices import format_price, from_ticks, on_grid, plain_price, to_ticks
from tui.core.words import plain_quantity


@dataclass(slots=True)
class Limits:
    """The risk limits: also the config's ``[risk]`` section, field for field."""

    max_order_quantity: float = 1000
    max_order_notional: float = 5_000_000.0
    price_band_percent: float = 5.0  # a limit further than this from the market is refused
    max_working_orders: int = 20
    max_position: float = 5000
    stale_data_seconds: float = 15.0  # market data older than this blocks new orders
    # the trader's guardrails (0: off); each blocks only orders that add to a position
    daily_loss_limit: float = 0.0  # today's P&L (realized + unrealized) at or below -this
    max_losing_streak: int = 0  # this many losing round trips in a row ...
    cooldown_minutes: float = 15.0  # ... block new risk for this long after the last of them
    max_round_trips: int = 0  # round trips (flat to flat) per day
    # an instrument's own limits, by name (``[risk.instruments."EUR.USD"]``): any of INSTRUMENT_LIMITS
    instruments: dict[str, dict[str, Any]] = field(default_factory=dict)

    def for_contract(self, contract: Contract) -> Limits:
        """The limits an order in ``contract`` is checked against: these, with the section of
        the first of its names the config has (``ESZ6`` / ``EUR.USD`` / ``AAPL``, then IB's local
        symbol, then its symbol, ``ES`` or ``EUR``) laid over them."""
        entry = (instrument_section(self.instruments, (contract.key, contract.local_symbol, contract.symbol))
                 if self.instruments else {})
        kind = KIND_LIMITS.get(contract.sec_type)
        if kind:
            entry = {**kind, **entry}
        return replace(self, **entry) if entry else self


# the limits an instrument may set for itself; the guardrails are the account's, one set for all
INSTRUMENT_LIMITS = ("max_order_quantity", "max_order_notional", "price_band_percent", "max_working_orders",
                     "max_position", "stale_data_seconds")

# where the config names no section for an instrument, the limits of its kind: a quantity of
# EUR.USD is euros, where the contract counts above mean nothing (the notional limit, in the
# account's currency, still holds for every kind)
KIND_LIMITS: dict[str, dict[str, float]] = {"CASH": {"max_order_quantity": 2_000_000, "max_position": 5_000_000}}

# the values each limit may take (the config refuses others, naming the range)
LIMIT_RANGES: dict[str, tuple[float, float]] = {
    "max_order_quantity": (0, 10**12),
    "max_order_notional": (0, 10**15),
    "price_band_percent": (0, 100),
    "max_working_orders": (0, 100_000),
    "max_position": (0, 10**12),
    "stale_data_seconds": (0, 3600),
    "daily_loss_limit": (0, 10**12),
    "max_losing_streak": (0, 1000),
    "cooldown_minutes": (0, 24 * 60),
    "max_round_trips": (0, 100_000),
}


@dataclass(frozen=True, slots=True)
class Context:
    """What the checks need to know about the moment the order is sent."""

    connected: bool = True
    reconciling: bool = False
    read_only: bool = False
    killed: bool = False
    bid: float | None = None
    ask: float | None = None
    last: float | None = None
    data_age: float | None = None  # seconds since the instrument's last market update
    position: float = 0.0
    working_orders: int = 0
    state: str = "CONNECTED"
    daily_pnl: float | None = None  # the account's P&L today, realized + unrealized
    round_trips: int = 0
    losing_streak: int = 0
    since_last_loss: float = float("inf")  # seconds since the streak's last losing round trip


@dataclass(frozen=True, slots=True)
class Verdict:
    """A risk check result: ok, or the rule that refused and a message naming the numbers."""

    ok: bool
    rule: str = ""
    message: str = ""

    def __str__(self) -> str:
        return "ok" if self.ok else self.message


OK = Verdict(True)


def _no(rule: str, message: str) -> Verdict:
    return Verdict(False, rule, message)


def _n(x: float) -> str:
    if abs(x) >= 1e15:  # a typing slip such as 1e91: readable, not ninety digits that fill the line
        return f"{x:.3g}"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def check(intent: OrderIntent, ctx: Context, limits: Limits) -> Verdict:
    """The first rule ``intent`` breaks in ``ctx`` under ``limits``, or OK."""
    spec = intent.spec
    name = spec.contract.key
    tick = spec.tick
    # can we trade at all?
    if ctx.killed:
        return _no("kill_switch", "kill switch is on: every order is blocked until it is re-armed")
    if ctx.read_only:
        return _no("read_only", "read-only mode: orders are disabled")
    if not ctx.connected:
        return _no("connection", f"not connected ({ctx.state}): order not sent")
    if ctx.reconciling:
        return _no("reconciling", "still reconciling with TWS after connecting: try again in a moment")
    # the order's own shape
    qty = intent.quantity
    if math.isinf(qty):
        return _no("quantity", "quantity must be a finite number")
    if not qty > 0:
        return _no("quantity", f"quantity {plain_quantity(qty)} must be greater than 0")
    if not float(qty).is_integer():
        return _no("quantity", f"quantity {plain_quantity(qty)} must be a whole number")
    if intent.action not in ("BUY", "SELL"):
        return _no("action", f"action {intent.action!r} must be BUY or SELL")
    needs_lmt = has_limit(intent.order_type)
    needs_aux = has_stop(intent.order_type)
    trailing = is_trailing(intent.order_type)
    if intent.order_type == OrderType.TRAIL_LIMIT:
        offset = intent.lmt_offset
        if offset is None or offset < 0:
            return _no("price", "TRAIL LIMIT order needs a limit offset of 0 or more")
        if offset and not on_grid(offset, tick):
            return _no("tick_grid", f"limit offset {plain_price(offset)} is off the {plain_price(tick)} "
                                    f"tick grid of {name}")
    for label, price, needed in (("limit price", intent.lmt_price, needs_lmt),
                                 ("stop price", intent.aux_price, needs_aux),
                                 ("trailing amount", intent.aux_price, trailing)):
        if not needed:
            continue
        if price is None or not price > 0:
            return _no("price", f"{intent.order_type} order needs a positive {label}")
        if not on_grid(price, tick):
            below = from_ticks(math.floor(price / tick + 1e-9), tick)
            above = from_ticks(to_ticks(below, tick) + 1, tick)
            return _no("tick_grid", f"{label} {plain_price(price)} is off the {plain_price(tick)} tick grid of {name} "
                                    f"(nearest {format_price(below, tick)} or {format_price(above, tick)})")
    # is the market there to price it?
    if ctx.data_age is None or (ctx.bid is None and ctx.ask is None and ctx.last is None):
        return _no("stale_data", f"no market data for {name}: order not sent")
    if ctx.data_age > limits.stale_data_seconds:
        return _no("stale_data", f"market data for {name} is {ctx.data_age:.0f}s old "
                                 f"(stale_data_seconds {limits.stale_data_seconds:g})")
    # size against limits
    if qty > limits.max_order_quantity:
        return _no("max_order_quantity",
                   f"quantity {_n(qty)} exceeds max_order_quantity {_n(limits.max_order_quantity)}")
    market = (ctx.ask if intent.buy else ctx.bid) or ctx.last or ctx.bid or ctx.ask
    if needs_lmt and market:
        lmt = intent.lmt_price or 0.0
        through = (lmt - market) / market * 100 if intent.buy else (market - lmt) / market * 100
        if through > limits.price_band_percent:
            side = "ask" if intent.buy else "bid"
            return _no("price_band", f"limit {format_price(lmt, tick)} is {through:.1f}% through the "
                                     f"market ({side} {format_price(market, tick)}); price_band_percent is "
                                     f"{limits.price_band_percent:g}")
    price = intent.lmt_price or (intent.aux_price if needs_aux else None) or market or 0.0
    notional = qty * price * spec.multiplier
    if notional > limits.max_order_notional:
        return _no("max_order_notional", f"notional {_n(notional)} exceeds max_order_notional "
                                         f"{_n(limits.max_order_notional)}")
    if ctx.working_orders >= limits.max_working_orders:
        return _no("max_working_orders", f"{ctx.working_orders} working orders in {name} already "
                                         f"(max_working_orders {limits.max_working_orders})")
    after = ctx.position + (qty if intent.buy else -qty)
    adds_risk = abs(after) > abs(ctx.position)
    if abs(after) > limits.max_position and adds_risk:
        return _no("max_position", f"position after fill {_n(after)} exceeds max_position "
                                   f"{_n(limits.max_position)}")
    if adds_risk:  # the guardrails; reducing a position (cancel, flatten, exits) is always allowed
        return _guardrails(ctx, limits)
    return OK


def _guardrails(ctx: Context, limits: Limits) -> Verdict:
    if limits.daily_loss_limit and ctx.daily_pnl is not None and ctx.daily_pnl <= -limits.daily_loss_limit:
        return _no("daily_loss_limit", f"today's P&L {ctx.daily_pnl:,.2f} is at or past daily_loss_limit "
                                       f"-{_n(limits.daily_loss_limit)}: only orders that reduce a "
                                       "position until tomorrow")
    cooldown = limits.cooldown_minutes * 60
    if limits.max_losing_streak and ctx.losing_streak >= limits.max_losing_streak \
            and ctx.since_last_loss < cooldown:
        left = (cooldown - ctx.since_last_loss) / 60
        return _no("max_losing_streak", f"{ctx.losing_streak} losing round trips in a row "
                                        f"(max_losing_streak {limits.max_losing_streak}): cooling down "
                                        f"{left:.0f} more minute(s) of cooldown_minutes "
                                        f"{limits.cooldown_minutes:g}")
    if limits.max_round_trips and ctx.round_trips >= limits.max_round_trips:
        return _no("max_round_trips", f"{ctx.round_trips} round trips today (max_round_trips "
                                      f"{limits.max_round_trips}): only orders that reduce a position")
    return OK
