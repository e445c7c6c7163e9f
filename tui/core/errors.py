"""IB message codes: what each means in plain words, and how the UI should treat it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    """What an IB error code is about, which decides how loudly it is said."""

    INFO = "info"
    WARNING = "warning"
    DATA = "data"
    ORDER = "order"
    CONNECTION = "connection"


@dataclass(frozen=True, slots=True)
class Meaning:
    """An IB error code in words, with its kind."""

    kind: Kind
    text: str


TABLE: dict[int, Meaning] = {
    # connection
    326: Meaning(Kind.CONNECTION, "client id already in use: choose another client_id"),
    502: Meaning(Kind.CONNECTION, "could not connect: is TWS/Gateway running, and is "
                                  "'Enable ActiveX and Socket Clients' on with this host trusted?"),
    504: Meaning(Kind.CONNECTION, "not connected"),
    1100: Meaning(Kind.CONNECTION, "TWS lost its connection to IB's servers"),
    1101: Meaning(Kind.CONNECTION, "connection to IB restored, market data lost: resubscribing"),
    1102: Meaning(Kind.CONNECTION, "connection to IB restored, data kept"),
    1300: Meaning(Kind.CONNECTION, "TWS socket port has been reset"),
    2110: Meaning(Kind.CONNECTION, "TWS lost its connection to IB's servers (connectivity broken)"),
    # market-data farms
    2103: Meaning(Kind.DATA, "market data farm is broken"),
    2104: Meaning(Kind.INFO, "market data farm is OK"),
    2105: Meaning(Kind.DATA, "historical data farm is broken"),
    2106: Meaning(Kind.INFO, "historical data farm is OK"),
    2107: Meaning(Kind.INFO, "historical data farm is inactive but available on demand"),
    2108: Meaning(Kind.INFO, "market data farm is inactive but available on demand"),
    2119: Meaning(Kind.INFO, "market data farm is connecting"),
    2157: Meaning(Kind.DATA, "security definition farm is broken"),
    2158: Meaning(Kind.INFO, "security definition farm is OK"),
    # data
    162: Meaning(Kind.DATA, "historical data request failed"),
    200: Meaning(Kind.DATA, "no such contract (or the description is ambiguous)"),
    300: Meaning(Kind.DATA, "cancel of a market-data request that does not exist"),
    309: Meaning(Kind.DATA, "too many depth subscriptions (IB allows 3 by default)"),
    317: Meaning(Kind.DATA, "market depth data has been reset: rebuilding the book"),
    322: Meaning(Kind.DATA, "request id already in use"),
    354: Meaning(Kind.DATA, "no market data subscription for this instrument"),
    10167: Meaning(Kind.DATA, "live data not subscribed: showing delayed data"),
    10168: Meaning(Kind.DATA, "no delayed data either: market data not subscribed"),
    10189: Meaning(Kind.DATA, "tick-by-tick request failed"),
    101: Meaning(Kind.DATA, "too many market-data lines for this account"),
    # orders
    100: Meaning(Kind.ORDER, "message rate limit exceeded (50/s): TWS dropped the message"),
    103: Meaning(Kind.ORDER, "duplicate order id"),
    104: Meaning(Kind.ORDER, "the order is filled and cannot be modified"),
    105: Meaning(Kind.ORDER, "the modification does not match the original order"),
    110: Meaning(Kind.ORDER, "price is off the instrument's tick grid"),
    161: Meaning(Kind.ORDER, "the order is not in a cancellable state"),
    201: Meaning(Kind.ORDER, "order rejected"),
    202: Meaning(Kind.ORDER, "order cancelled"),
    383: Meaning(Kind.ORDER, "order size exceeds the precautionary size limit"),
    387: Meaning(Kind.ORDER, "order type not supported for this instrument"),
    399: Meaning(Kind.WARNING, "order warning (e.g. held until the market opens)"),
    10147: Meaning(Kind.ORDER, "no such order to cancel"),
    10148: Meaning(Kind.WARNING, "too late to cancel: the order is already filled or cancelled"),
    10243: Meaning(Kind.ORDER, "fractional quantities are not supported"),
    321: Meaning(Kind.WARNING, "request refused as invalid"),
    320: Meaning(Kind.WARNING, "request could not be read"),
}

ORDER_REJECTS = frozenset({103, 110, 200, 201, 383, 387, 10243})
_REJECTED = re.compile(r"^order rejected\s*-\s*reason:\s*", re.IGNORECASE)


def reason(text: str) -> str:
    """A reject's reason without TWS's "Order rejected - reason:" (the row already says Rejected):
    a narrow note column then shows what matters first."""
    return _REJECTED.sub("", text, count=1)


def meaning(code: int) -> Meaning:
    known = TABLE.get(code)
    if known is not None:
        return known
    if 2100 <= code < 2200:
        return Meaning(Kind.WARNING, "TWS warning")
    if 1100 <= code < 1400:
        return Meaning(Kind.CONNECTION, "connection notice")
    return Meaning(Kind.WARNING, "IB message")
