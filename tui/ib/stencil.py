"""placeOrder's bytes without ibapi's 100-field walk for each key press.

A ladder trader's orders differ from one another in little: the order id, the quantity and
the prices. ibapi's ``placeOrder`` formats about a hundred fields each time (a tenth of a
millisecond here, a fifth with cold caches after a pause, on every key press). A stencil is
ibapi's own encoding of an order, with the id, quantity and prices cut out: the next order
that differs only there is those values dropped into the gaps.

A stencil is trusted only as far as it is proven. Once ibapi has sent the first order of a
kind, a stencil is cut from ibapi's encoding of the same order with probe values (each must
land whole, in a field of its own, exactly once), and kept only when, filled with that
order's real values, it gives byte for byte what ibapi gave for it. Everything else, and every order a stencil cannot hold (brackets and
OCA legs, a price at ibapi's "unset", anything ibapi refuses or encodes another way, such as
10.x's protobuf), goes through ibapi's ``placeOrder`` as before. The gaps are filled by
``str``, which is what ibapi's ``make_field`` does with a number.
"""

from __future__ import annotations

import dataclasses
import logging
import operator
import struct
from collections.abc import Callable
from typing import Any

from ibapi.client import EClient
from ibapi.wrapper import EWrapper

from tui.core.intents import OrderIntent
from tui.ib import compat
from tui.ib.convert import contract_to_ib, order_to_ib

log = logging.getLogger(__name__)

# probe values: numbers no real field of these orders holds, each distinct from the others
_ID_PROBE = 1_987_654_321
_QTY_PROBE = 7_654_321
_LMT_PROBE = 3_456_789.125
_AUX_PROBE = 2_345_678.375
_MAX_STENCILS = 64  # a ladder needs a handful (buy and sell, each order type); more is churn

Fill = Callable[[int, OrderIntent], str]

_FILLS: dict[str, Fill] = {
    "id": lambda oid, i: str(oid),
    "qty": lambda oid, i: str(i.quantity),
    "qty_int": lambda oid, i: str(int(i.quantity)),
    "lmt": lambda oid, i: str(i.lmt_price),
    "aux": lambda oid, i: str(i.aux_price),
}


class _Recorder:
    """Stands in for the socket: keeps what ibapi would have sent."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def sendMsg(self, data: bytes) -> int:  # noqa: N802 (ibapi's name)
        self.sent.append(data)
        return len(data)

    def isConnected(self) -> bool:  # noqa: N802
        return True


class _Refusals(EWrapper):
    """Whatever ibapi reports instead of sending (an old server, a bad field) ends the attempt."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[tuple[Any, ...]] = []

    def error(self, *args: Any) -> None:
        self.errors.append(args)


def encode(server_version: int, order_id: int, intent: OrderIntent, account: str) -> bytes | None:
    """ibapi's own bytes for this order at this server version (length prefix included), or
    None when ibapi would not send it."""
    wrapper = _Refusals()
    client = EClient(wrapper)
    recorder = _Recorder()
    client.conn = recorder
    client.serverVersion_ = server_version
    client.setConnState(EClient.CONNECTED)
    client.sendMsg = lambda *args: recorder.sendMsg(compat.frame(args))  # type: ignore[method-assign]
    try:
        client.placeOrder(order_id, contract_to_ib(intent.spec.contract), order_to_ib(intent, account))
    except Exception:
        return None
    if wrapper.errors or len(recorder.sent) != 1:
        return None
    return recorder.sent[0]


# every field of an intent but the ones a stencil fills: a field added to OrderIntent one day
# keeps orders that differ in it apart without anyone remembering to list it here
_FILLED = ("quantity", "lmt_price", "aux_price")
_same_in = operator.attrgetter(*(f.name for f in dataclasses.fields(OrderIntent) if f.name not in _FILLED))


def _key(intent: OrderIntent, account: str) -> tuple[Any, ...]:
    """What must be equal for two orders to share a stencil: all but id, quantity and prices."""
    return (_same_in(intent), account, type(intent.quantity), type(intent.lmt_price), type(intent.aux_price))


def _fits(intent: OrderIntent) -> bool:
    """Whether an order may come from a stencil: not a bracket or OCA leg (one-offs, ibapi encodes
    them) and no price at ibapi's "unset", which ibapi writes as an empty field."""
    if intent.parent_id or intent.oca_group:
        return False
    return all(p is None or p < compat.UNSET_DOUBLE for p in (intent.lmt_price, intent.aux_price))


class Stencil:
    """An encoded order with gaps: literal byte runs between the fills."""

    __slots__ = ("parts", "fills")

    def __init__(self, parts: list[bytes], fills: list[Fill]) -> None:
        self.parts = parts
        self.fills = fills

    def render(self, order_id: int, intent: OrderIntent) -> bytes:
        parts = self.parts
        out = [parts[0]]
        for fill, part in zip(self.fills, parts[1:]):
            out.append(fill(order_id, intent).encode())
            out.append(part)
        payload = b"".join(out)
        return struct.pack("!I", len(payload)) + payload


def cut(encoded: bytes, probes: dict[str, str]) -> Stencil | None:
    """The stencil in ``encoded`` (a probe order's bytes), or None when a probe is not a whole
    field of its own exactly once. ``probes``: each fill's name and the text its probe became."""
    if len(encoded) < 4 or struct.unpack("!I", encoded[:4])[0] != len(encoded) - 4:
        return None
    fields = encoded[4:].split(b"\0")
    at: dict[int, str] = {}
    for name, text in probes.items():
        hits = [i for i, f in enumerate(fields) if f == text.encode()]
        if len(hits) != 1:
            return None
        at[hits[0]] = name
    parts: list[bytes] = []
    fills: list[Fill] = []
    run = bytearray()
    for i, f in enumerate(fields):
        if i:
            run += b"\0"
        if i in at:
            parts.append(bytes(run))
            fills.append(_FILLS[at[i]])
            run = bytearray()
        else:
            run += f
    parts.append(bytes(run))
    return Stencil(parts, fills)


class Stencils:
    """The stencils of one connection (its server version fixes the encoding)."""

    def __init__(self, server_version: int) -> None:
        self.server_version = server_version
        self._cut: dict[tuple[Any, ...], Stencil | None] = {}
        self.rendered = 0  # orders sent from a stencil (the tests read it)

    def frame(self, order_id: int, intent: OrderIntent, account: str) -> bytes | None:
        """The bytes ibapi's ``placeOrder`` would send for this order, or None to let ibapi send
        it (and then ``learn`` from it)."""
        if not _fits(intent):
            return None
        try:
            stencil = self._cut.get(_key(intent, account))
        except TypeError:  # a field that cannot be hashed: ibapi sends such orders
            return None
        if stencil is None:
            return None
        self.rendered += 1
        return stencil.render(order_id, intent)

    def learn(self, order_id: int, intent: OrderIntent, account: str) -> None:
        """After ibapi has sent ``intent`` as ``order_id``: cut a stencil for orders of its kind,
        once (and remember when none can be cut). The first order of a kind leaves as soon as it
        did before stencils; the cutting comes after it."""
        if not _fits(intent):
            return
        key = _key(intent, account)
        try:
            if key in self._cut:
                return
        except TypeError:  # a field that cannot be hashed: never stencilled
            return
        try:
            exact = encode(self.server_version, order_id, intent, account)
            stencil = None if exact is None else self._make(intent, account, order_id, exact)
        except Exception:  # the order is out: a failure here must not read as its failure
            log.exception("no stencil for %s; orders of its kind go through ibapi", intent.describe())
            stencil = None
        if len(self._cut) >= _MAX_STENCILS:
            self._cut.clear()
        self._cut[key] = stencil

    def _make(self, intent: OrderIntent, account: str, order_id: int, exact: bytes) -> Stencil | None:
        """Cut a stencil for orders like ``intent`` and prove it on ``intent`` itself."""
        probe = dataclasses.replace(
            intent, quantity=type(intent.quantity)(_QTY_PROBE),
            lmt_price=None if intent.lmt_price is None else type(intent.lmt_price)(_LMT_PROBE),
            aux_price=None if intent.aux_price is None else type(intent.aux_price)(_AUX_PROBE))
        encoded = encode(self.server_version, _ID_PROBE, probe, account)
        if encoded is None:
            return None
        fields = encoded[4:].split(b"\0")
        qty = str(probe.quantity)
        probes = {"id": str(_ID_PROBE)}
        if qty.encode() in fields:
            probes["qty"] = qty
        else:  # ibapi sends a whole number to servers before fractional sizes
            probes["qty_int"] = str(int(probe.quantity))
        if probe.lmt_price is not None:
            probes["lmt"] = str(probe.lmt_price)
        if probe.aux_price is not None:
            probes["aux"] = str(probe.aux_price)
        stencil = cut(encoded, probes)
        if stencil is None or stencil.render(order_id, intent) != exact:
            return None
        return stencil
