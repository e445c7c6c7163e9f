"""Order types and order statuses: one definition, used by every module that asks.

IB names order types with strings ("STP LMT"); ``OrderType`` is a str-Enum so the
values travel unchanged to the journal and the wire, while code asks questions
(``has_limit``) instead of testing substrings. Statuses are IB's words, plus two
of ours for orders the gateway has not (or no longer) vouched for.
"""

from __future__ import annotations

from enum import StrEnum


class OrderType(StrEnum):
    """The order types ibtui sends; IB may report others (they stay plain strings)."""

    MKT = "MKT"
    LMT = "LMT"
    STP = "STP"
    STP_LMT = "STP LMT"
    TRAIL = "TRAIL"  # a stop that follows the market by an amount (aux) and never moves back
    TRAIL_LIMIT = "TRAIL LIMIT"  # the same stop, then a limit this offset beyond it (lmtPriceOffset)

    @property
    def has_limit(self) -> bool:
        return self in (OrderType.LMT, OrderType.STP_LMT)

    @property
    def has_stop(self) -> bool:
        return self in (OrderType.STP, OrderType.STP_LMT)

    @property
    def letter(self) -> str:
        """The ladder's short mark: ``L``, ``S``, ``SL``, ``M``."""
        return _LETTERS[self]

    @classmethod
    def of(cls, text: str) -> OrderType | None:
        """The type IB reports, or None for one ibtui does not model."""
        return _BY_VALUE.get(text)


_BY_VALUE: dict[str, OrderType] = {t.value: t for t in OrderType}
_LETTERS = {OrderType.MKT: "M", OrderType.LMT: "L", OrderType.STP: "S", OrderType.STP_LMT: "SL",
            OrderType.TRAIL: "T", OrderType.TRAIL_LIMIT: "TL"}
ORDER_TYPES = tuple(t.value for t in (OrderType.LMT, OrderType.MKT, OrderType.STP, OrderType.STP_LMT,
                                      OrderType.TRAIL, OrderType.TRAIL_LIMIT))
TRAILING = frozenset({OrderType.TRAIL.value, OrderType.TRAIL_LIMIT.value})


def is_trailing(order_type: str) -> bool:
    """TRAIL or TRAIL LIMIT: the stop is the gateway's to move; ``aux`` is the trailing amount."""
    return order_type in TRAILING


def has_limit(order_type: str) -> bool:
    t = OrderType.of(order_type)
    return t is not None and t.has_limit


def has_stop(order_type: str) -> bool:
    t = OrderType.of(order_type)
    return t is not None and t.has_stop


def type_letter(order_type: str) -> str:
    t = OrderType.of(order_type)
    return t.letter if t is not None else "?"


def drawn_price(order_type: str, lmt: float | None, aux: float | None,
                triggered: bool = False, trail_stop: float | None = None) -> float | None:
    """Where an order is drawn, targeted and checked: its stop until the stop has
    triggered (STP, STP LMT), its limit otherwise; None for a market order. A trailing
    stop is drawn at its current stop, as the gateway last reported it (None until then)."""
    if order_type in TRAILING:
        return trail_stop
    if has_stop(order_type) and not triggered:
        return aux
    if lmt is not None:
        return lmt
    return aux


# --- statuses ----------------------------------------------------------------------------------
# IB's own words (orderStatus), and ours:
UNCONFIRMED = "Unconfirmed"  # rebuilt from the journal; the gateway has not reported it yet
UNKNOWN = "Unknown"  # the gateway's resync did not report it: not working there
GATEWAY_TERMINAL = frozenset({"Filled", "Cancelled", "ApiCancelled", "Inactive"})
TERMINAL = GATEWAY_TERMINAL | {UNKNOWN}
# not working, but not final either: the gateway may still speak for these
UNVOUCHED = frozenset({UNCONFIRMED, UNKNOWN})

# how the blotter words a status (IB's own where it is clear)
STATUS_WORDS = {
    "PendingSubmit": "Sending",
    "ApiPending": "Sending",
    "PreSubmitted": "Held",
    "Submitted": "Working",
    "PendingCancel": "Cancelling",
    "ApiCancelled": "Cancelled",
    "Cancelled": "Cancelled",
    "Filled": "Filled",
    "Inactive": "Rejected",
    UNCONFIRMED: "Checking",
    UNKNOWN: "Unknown",
}
STATUS_LEGEND = (
    ("Sending", "PendingSubmit / ApiPending: sent, the gateway has not acknowledged it yet"),
    ("Held", "PreSubmitted: accepted, held by IB until it can go to the exchange (e.g. a stop)"),
    ("Working", "Submitted: working at the exchange"),
    ("Part", "Working with part of it filled"),
    ("Cancelling", "PendingCancel: cancel sent, not yet confirmed"),
    ("Cancelled", "Cancelled / ApiCancelled"),
    ("Filled", "Filled completely"),
    ("Rejected", "Inactive: rejected or not working (see the note)"),
    ("Checking", "from the journal, waiting for the gateway to confirm it (not drawn as working)"),
    ("Unknown", "the gateway does not report it: not working there; check it in TWS"),
)


def status_word(status: str, filled: float = 0.0) -> str:
    word = STATUS_WORDS.get(status, status)
    if word == "Working" and filled:
        return "Part"
    return word
