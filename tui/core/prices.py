"""Prices on a tick grid.

Prices are kept as integer tick counts wherever arithmetic happens, so that
0.1 + 0.2 never reaches the wire; floats appear only at the edges.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

# Floats such as 4500.25 / 0.25 or 1.08765 / 0.00005 are never exact; the error of
# the division grows with the ratio, so the tolerance has a relative part too.
# A real off-grid price is always a visible fraction of a tick away.
_ABS_TOLERANCE = 1e-6
_REL_TOLERANCE = 1e-9


@lru_cache(maxsize=256)  # a handful of grids; a Decimal per call was a third of a ladder frame
def tick_decimals(tick: float) -> int:
    """Number of decimals needed to print prices on this tick grid (0.25 -> 2)."""
    exponent = Decimal(repr(tick)).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def to_ticks(price: float, tick: float) -> int:
    """Nearest grid index of a price."""
    return round(price / tick)


def from_ticks(ticks: int, tick: float, decimals: int | None = None) -> float:
    """The price of a grid index, rounded so that it prints cleanly."""
    if decimals is None:
        decimals = tick_decimals(tick)
    return round(ticks * tick, decimals)


def on_grid(price: float, tick: float) -> bool:
    """True when the price is a whole number of ticks."""
    ratio = price / tick
    return abs(ratio - round(ratio)) <= _ABS_TOLERANCE + _REL_TOLERANCE * abs(ratio)


def format_price(price: float, tick: float) -> str:
    """A price printed with exactly the decimals its grid needs."""
    return f"{price:.{tick_decimals(tick)}f}"


def plain_price(price: float) -> str:
    """A price whose tick grid is not known yet (a journal read before its contract resolves):
    every digit it has, and at least two decimals, as prices are printed: ``6009`` as
    ``6009.00``, ``1.0855`` as it is."""
    if not abs(price) < 1e15:  # not a price (IB's unset value, infinity, NaN): as Python prints it
        return f"{price:g}"
    whole, _, frac = f"{price:.8f}".rstrip("0").partition(".")
    return f"{whole}.{frac:0<2}"


def price_text(price: float, tick: float) -> str:
    """A price the trader typed, as the ladder prints it when it is on the grid, else with every
    digit it has: a message about a price off the grid never shows it rounded onto the grid."""
    return format_price(price, tick) if on_grid(price, tick) else plain_price(price)
