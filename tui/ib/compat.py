"""IB's two Python clients behind one surface: ibapi 9.81 (the registry's ``ibapi``) and 10.x.

Detected once, at import, by what the installed ibapi can do (its signatures and
tables), never by a version string: a repackaged or patched 10.x works as long as it
behaves like one. The rest of ``tui.ib`` asks this module instead of ibapi directly
wherever the two differ.

Sizes: ibapi 9.81 hands sizes over as int or float, 10.x as ``Decimal`` with an
"unset" value of 2**127-1. What crosses into ``tui.core`` is one choice: a float
(exact for whole quantities to 2**53 and for IB's size increments), and an unset
size never becomes a number (market data skips it; events read it as 0).
"""

from __future__ import annotations

import inspect
import struct
from decimal import Decimal
from typing import Any

from ibapi.client import EClient
from ibapi.decoder import Decoder
from ibapi.wrapper import EWrapper

try:  # 10.x moved the unset values to ibapi.const
    from ibapi.const import UNSET_DOUBLE, UNSET_INTEGER
except ImportError:  # 9.81
    from ibapi.common import UNSET_DOUBLE, UNSET_INTEGER

try:
    from ibapi.const import UNSET_DECIMAL as _UNSET_DECIMAL
except ImportError:
    _UNSET_DECIMAL = None

try:  # 10.x: cancels carry an OrderCancel (manual order cancel time, ...)
    from ibapi.order_cancel import OrderCancel as _OrderCancel
except ImportError:
    _OrderCancel = None


def _params(fn: Any) -> list[str]:
    return [p for p in inspect.signature(fn).parameters if p != "self"]


def _proc_based(msg_id: int) -> bool:
    """Whether ibapi decodes this message with a hand-written reader (lenient about extra fields)."""
    info = Decoder.msgId2handleInfo.get(msg_id)
    return info is not None and info.processMeth is not None


UNSET_DECIMAL: Decimal | None = _UNSET_DECIMAL
DECIMAL_SIZES = _UNSET_DECIMAL is not None  # sizes arrive as Decimal
SEND_TAKES_MSG_ID = len(_params(EClient.sendMsg)) == 2  # 10.x: sendMsg(msgId, text)
INTERPRET_TAKES_MSG_ID = len(_params(Decoder.interpret)) == 2  # 10.x: interpret(fields, msgId)
ERROR_HAS_TIME = "errorTime" in _params(EWrapper.error)  # 10.34+: error(reqId, errorTime, code, ...)
CANCEL_TAKES_ORDER_CANCEL = len(_params(EClient.cancelOrder)) == 2
GLOBAL_CANCEL_TAKES_ORDER_CANCEL = len(_params(EClient.reqGlobalCancel)) == 1
# decoded by a reader that ignores extra trailing fields (10.x) rather than by signature (9.81)
TICK_SIZE_LENIENT = _proc_based(2)
DEPTH_LENIENT = _proc_based(12)
CLIENT = "10.x" if DECIMAL_SIZES else "9.81"

# the texts 10.x's decoder reads as an unset Decimal
_UNSET_SIZE_TEXTS = frozenset({b"", b"2147483647", b"9223372036854775807", b"1.7976931348623157E308",
                               b"-9223372036854775808"})


def decode_size(text: bytes) -> Any:
    """A size field as the installed ibapi's decoder reads it (int in 9.81, Decimal in 10.x)."""
    if DECIMAL_SIZES:
        return _UNSET_DECIMAL if text in _UNSET_SIZE_TEXTS else Decimal(text.decode())
    return int(text or 0)


# ibapi's "no value" for a size or price in either major version (equal numbers hash equal, so
# one set lookup serves int, float and Decimal alike: this runs for every size tick)
_UNSET_VALUES = frozenset(v for v in (UNSET_DOUBLE, UNSET_INTEGER, _UNSET_DECIMAL) if v is not None)


def is_unset(value: object) -> bool:
    """ibapi's "no value" for a size or price, in either major version."""
    return value is None or value in _UNSET_VALUES


def frame(args: tuple[Any, ...]) -> bytes:
    """The bytes of one request, from ``sendMsg``'s arguments in either version."""
    text = args[0] if len(args) == 1 else f"{args[0]}\0{args[1]}"  # 10.x: the id comes apart
    data = text.encode()
    return struct.pack("!I", len(data)) + data


def interpret(decoder: Decoder, fields: list[bytes]) -> None:
    """Hand one frame's fields (message id first, no trailing empty field) to ibapi's decoder."""
    if INTERPRET_TAKES_MSG_ID:
        decoder.interpret(tuple(fields[1:]), int(fields[0]))
    else:
        decoder.interpret(tuple(fields))


def cancel_args() -> tuple[Any, ...]:
    """What ``cancelOrder`` takes after the order id: 10.x's ``OrderCancel``, or nothing."""
    return (_OrderCancel(),) if CANCEL_TAKES_ORDER_CANCEL and _OrderCancel is not None else ()


def global_cancel_args() -> tuple[Any, ...]:
    """What ``reqGlobalCancel`` takes: 10.x's ``OrderCancel``, or nothing."""
    return (_OrderCancel(),) if GLOBAL_CANCEL_TAKES_ORDER_CANCEL and _OrderCancel is not None else ()


def cancel_order(client: EClient, order_id: int) -> None:
    client.cancelOrder(order_id, *cancel_args())


def global_cancel(client: EClient) -> None:
    client.reqGlobalCancel(*global_cancel_args())


def error_args(args: tuple[Any, ...]) -> tuple[int, str]:
    """(code, text) from ``error``'s arguments after the request id, in either version."""
    if ERROR_HAS_TIME:
        return int(args[1]), str(args[2])
    return int(args[0]), str(args[1])
