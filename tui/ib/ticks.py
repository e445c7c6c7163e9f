"""IB's tick type codes, mapped to the hand-off's quote fields (real-time and delayed alike)."""

from __future__ import annotations

from tui.core.handoff import Quote

# tickPrice types: code -> field; the delayed codes (66-76) carry the same fields
PRICES = {1: Quote.BID, 2: Quote.ASK, 4: Quote.LAST, 6: Quote.HIGH, 7: Quote.LOW, 9: Quote.CLOSE,
          14: Quote.OPEN, 66: Quote.BID, 67: Quote.ASK, 68: Quote.LAST, 72: Quote.HIGH,
          73: Quote.LOW, 75: Quote.CLOSE, 76: Quote.OPEN}
# tickSize types
SIZES = {0: Quote.BID_SIZE, 3: Quote.ASK_SIZE, 5: Quote.LAST_SIZE, 8: Quote.VOLUME,
         69: Quote.BID_SIZE, 70: Quote.ASK_SIZE, 71: Quote.LAST_SIZE, 74: Quote.VOLUME}
DELAYED_FIRST, DELAYED_LAST = 66, 76
# tickString types holding the last trade's time (epoch seconds): LAST_TIMESTAMP, DELAYED_LAST_TIMESTAMP
LAST_TIMESTAMPS = frozenset({45, 88})
# tickString types of RTVolume (generic tick 233): "price;size;epoch ms;total volume;vwap;single"
RT_VOLUMES = frozenset({48, 77})
GENERIC_TICKS = "233"  # what the ladder's quote stream asks for: RTVolume, one string per trade


def parse_rt_volume(value: str) -> tuple[float, int, float] | None:
    """(price, size, epoch seconds) of an RTVolume string, or None for one without a trade."""
    parts = value.split(";")
    if len(parts) < 3 or not parts[0] or not parts[1]:
        return None  # a volume-only update (no price): nothing printed
    try:
        price, size = float(parts[0]), int(float(parts[1]))
        epoch = float(parts[2]) / 1000 if parts[2] else 0.0
    except ValueError:
        return None
    return (price, size, epoch) if size > 0 and price > 0 else None


def is_delayed(code: int) -> bool:
    return DELAYED_FIRST <= code <= DELAYED_LAST
