"""Stencilled orders go out byte for byte as the installed ibapi's placeOrder sends them, and
whatever a stencil cannot prove goes through ibapi."""

from __future__ import annotations

import itertools
import random

import pytest
from ibapi.client import EClient

from ibkit import ours
from tui.core.contracts import Contract, ContractSpec
from tui.core.intents import OrderIntent
from tui.ib import compat
from tui.ib.convert import contract_to_ib, order_to_ib
from tui.ib.stencil import Stencils, cut, encode

ES = ContractSpec(Contract("ES", "FUT", "CME", "USD", 495512563, "20261218", "50", "ESZ6", "ES"), 0.25, 50.0)
AAPL = ContractSpec(Contract("AAPL", "STK", "SMART", "USD", 265598, primary_exchange="NASDAQ"), 0.01, 1.0)
EUR = ContractSpec(Contract("EUR", "CASH", "IDEALPRO", "USD", 12087792), 0.00005, 1.0)


def ibapi_bytes(version: int, oid: int, intent: OrderIntent, account: str) -> bytes:
    """What our client sends through ibapi's own placeOrder."""
    c = ours(version)
    c.placeOrder(oid, contract_to_ib(intent.spec.contract), order_to_ib(intent, account))
    [data] = c.conn.sent
    return data


def sent(stencils: Stencils, oid: int, intent: OrderIntent, account: str) -> bytes | None:
    """As the broker sends an order: from a stencil if there is one, else by ibapi, then learnt."""
    data = stencils.frame(oid, intent, account)
    if data is None:
        stencils.learn(oid, intent, account)
    return data


def orders(rng: random.Random, n: int) -> list[OrderIntent]:
    """Orders of 30 kinds (as a day's ladder and ticket send them), at prices and sizes of every shape."""
    prices = [6000.25, 0.25, 1.0, 229.51, 1.08765, 0.00005, 123456.75, 99999.99, 5e-05, 1e-07, 17.1]
    kinds = [(rng.choice([ES, AAPL, EUR]), rng.choice(["LMT", "MKT", "STP", "STP LMT", "TRAIL", "TRAIL LIMIT"]),
              rng.choice(["BUY", "SELL"]), rng.choice([int, float]), rng.choice(["DAY", "GTC", "IOC"]),
              rng.random() < 0.3, rng.choice(["", "chase", "ladder"])) for _ in range(30)]
    out = []
    for _ in range(n):
        spec, kind, side, qty_type, tif, rth, ref = rng.choice(kinds)
        qty = qty_type(rng.choice([1, 2, 3, 25, 100000, 12345678]) if qty_type is int
                       else rng.choice([1.0, 3.0, 0.5, 100000.0, 12345678.0, 2.25]))
        lmt = rng.choice(prices) if kind in ("LMT", "STP LMT") else None
        aux = rng.choice(prices) if kind in ("STP", "STP LMT", "TRAIL", "TRAIL LIMIT") else None
        out.append(OrderIntent(spec, side, qty, kind, lmt, aux, tif, rth, order_ref=ref,
                               lmt_offset=0.5 if kind == "TRAIL LIMIT" else None))
    return out


@pytest.mark.parametrize("version", [157, 145, 120])  # below 120 ibapi refuses our orders
def test_every_order_from_a_stencil_is_the_bytes_ibapi_sends(version: int) -> None:
    rng = random.Random(version)
    stencils = Stencils(version)
    ids = itertools.count(1000)
    rendered = 0
    for intent in orders(rng, 600):
        for account in ("DU123", ""):
            oid = next(ids)
            data = sent(stencils, oid, intent, account)
            if data is not None:
                rendered += 1
                assert data == ibapi_bytes(version, oid, intent, account), intent
    assert stencils.rendered == rendered
    assert rendered > 1100  # most orders repeat a kind already seen: those come from a stencil


def test_the_first_order_of_a_kind_goes_through_ibapi_and_proves_the_stencil() -> None:
    stencils = Stencils(157)
    buy = OrderIntent(ES, "BUY", 1.0, "LMT", 6000.25)
    assert stencils.frame(7, buy, "DU1") is None  # nothing to go by: asking cuts nothing ...
    assert stencils.frame(7, buy, "DU1") is None
    assert sent(stencils, 7, buy, "DU1") is None  # ... ibapi sends it, and the stencil is cut after it
    assert sent(stencils, 8, OrderIntent(ES, "BUY", 3.0, "LMT", 5999.5), "DU1") == \
        ibapi_bytes(157, 8, OrderIntent(ES, "BUY", 3.0, "LMT", 5999.5), "DU1")
    # another side, account or time in force is another kind
    assert sent(stencils, 9, OrderIntent(ES, "SELL", 1.0, "LMT", 6000.5), "DU1") is None
    assert sent(stencils, 10, buy, "DU2") is None
    assert stencils.rendered == 1


def test_legs_unset_prices_and_refusals_go_through_ibapi() -> None:
    stencils = Stencils(157)
    lmt = OrderIntent(ES, "BUY", 1.0, "LMT", 6000.25)
    sent(stencils, 1, lmt, "")
    leg = OrderIntent(ES, "SELL", 1.0, "LMT", 6010.0, parent_id=1, transmit=False)
    oca = OrderIntent(ES, "SELL", 1.0, "STP", None, 5990.0, oca_group="g")
    unset = OrderIntent(ES, "BUY", 1.0, "LMT", compat.UNSET_DOUBLE)
    for intent in (leg, oca, unset, leg, oca, unset):
        assert sent(stencils, 2, intent, "") is None
    # ibapi refuses a non-ASCII order reference (it reports an error, sends nothing): no stencil,
    # so the client's own placeOrder reports it to the trader
    odd = OrderIntent(ES, "BUY", 1.0, "LMT", 6000.25, order_ref="café")
    assert encode(157, 3, odd, "") is None
    assert sent(stencils, 3, odd, "") is None and sent(stencils, 4, odd, "") is None
    assert stencils.rendered == 0


def test_a_stencil_that_cannot_be_cut_never_fails_the_order_already_sent(monkeypatch) -> None:
    stencils = Stencils(157)
    buy = OrderIntent(ES, "BUY", 1.0, "LMT", 6000.25)

    def broken(*args: object) -> None:
        raise RuntimeError("a bug in cutting")

    monkeypatch.setattr(stencils, "_make", broken)
    stencils.learn(1, buy, "")  # logged, not raised: the broker has already sent this order
    assert stencils.frame(2, buy, "") is None and stencils.rendered == 0


def test_a_probe_that_is_not_one_whole_field_cuts_nothing() -> None:
    data = encode(157, 42, OrderIntent(ES, "BUY", 42.0, "LMT", 6000.25), "")
    assert data is not None
    assert cut(data, {"id": "42"}) is not None
    assert cut(data, {"id": "4"}) is None  # only part of a field
    assert cut(data, {"qty": "0"}) is None  # many fields are "0"
    assert cut(data[:-1], {"id": "42"}) is None  # the length prefix does not match


@pytest.mark.skipif(not hasattr(EClient, "useProtoBuf"), reason="ibapi 9.81 has no protobuf encoding")
def test_a_protobuf_encoding_is_never_stencilled() -> None:
    stencils = Stencils(10_000)  # a server far past the first that takes orders as protobuf
    buy = OrderIntent(ES, "BUY", 1.0, "LMT", 6000.25)
    assert encode(10_000, 1, buy, "") is not None  # ibapi sends it, in protobuf
    assert sent(stencils, 1, buy, "") is None and sent(stencils, 2, buy, "") is None
