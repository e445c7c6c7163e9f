"""Every risk rule, by example and by property."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tui.core.contracts import Contract, ContractSpec
from tui.core.intents import OrderIntent
from tui.core.prices import on_grid
from tui.core.risk import Context, Limits, check

ES = ContractSpec(Contract("ES", "FUT", "CME", con_id=1, local_symbol="ESZ6"), 0.25, 50.0)
AAPL = ContractSpec(Contract("AAPL", con_id=2), 0.01, 1.0)
MARKET = Context(bid=6000.0, ask=6000.25, last=6000.0, data_age=0.5)
LIMITS = Limits(max_order_quantity=100, max_order_notional=10_000_000, price_band_percent=1.0,
                max_working_orders=3, max_position=20, stale_data_seconds=10)


def buy(qty: float = 1, price: float | None = 6000.0, kind: str = "LMT", spec=ES, aux=None):
    return OrderIntent(spec, "BUY", qty, kind, price if "LMT" in kind else None, aux)


def test_a_good_order_passes() -> None:
    assert check(buy(), MARKET, LIMITS).ok


def test_each_rule_names_itself_and_the_numbers() -> None:
    cases = [
        (buy(), Context(killed=True, **_m()), "kill_switch", "kill switch"),
        (buy(), Context(read_only=True, **_m()), "read_only", "read-only"),
        (buy(), Context(connected=False, state="RECONNECTING", **_m()), "connection", "RECONNECTING"),
        (buy(), Context(reconciling=True, **_m()), "reconciling", "reconciling"),
        (buy(0), MARKET, "quantity", "quantity 0 must be greater than 0"),
        (buy(1.5), MARKET, "quantity", "whole number"),
        (buy(price=6000.10), MARKET, "tick_grid", "nearest 6000.00 or 6000.25"),
        (buy(kind="STP", aux=None), MARKET, "price", "needs a positive stop price"),
        (buy(), Context(bid=6000.0, ask=6000.25, data_age=None), "stale_data", "no market data"),
        (buy(), Context(bid=6000.0, ask=6000.25, data_age=30.0), "stale_data", "30s old"),
        (buy(500), MARKET, "max_order_quantity", "quantity 500 exceeds max_order_quantity 100"),
        (buy(price=6100.0), MARKET, "price_band", "through the market"),
        (buy(40), Context(**_m()), "max_order_notional", "notional 12,000,000 exceeds"),
        (buy(), Context(working_orders=3, **_m()), "max_working_orders", "3 working orders"),
        (buy(5), Context(position=18, **_m()), "max_position", "position after fill 23 exceeds max_position 20"),
    ]
    for intent, ctx, rule, words in cases:
        v = check(intent, ctx, LIMITS)
        assert not v.ok and v.rule == rule and words in v.message, (rule, v)


def test_reducing_a_position_over_the_limit_is_allowed() -> None:
    sell = OrderIntent(ES, "SELL", 5, "LMT", 6000.25)
    assert check(sell, Context(position=30, **_m()), LIMITS).ok


def _m() -> dict[str, object]:
    return {"bid": 6000.0, "ask": 6000.25, "last": 6000.0, "data_age": 0.5}


@given(st.floats(0.01, 10_000, allow_nan=False), st.integers(-1000, 1000))
def test_any_off_grid_price_is_refused_and_on_grid_is_not(price: float, ticks: int) -> None:
    on = round((6000 + ticks * 0.25), 2)
    v_on = check(buy(1, on), Context(bid=on, ask=on + 0.25, data_age=0.0), Limits(price_band_percent=100,
                                                                                max_order_notional=1e12))
    assert v_on.rule != "tick_grid"
    v = check(buy(1, price), MARKET, LIMITS)
    if not on_grid(price, 0.25):
        assert v.rule == "tick_grid"


@given(st.integers(-10**6, 10**6), st.floats(-1e6, 1e6, allow_nan=False))
def test_no_order_ever_exceeds_the_quantity_limit(qty: int, position: float) -> None:
    v = check(buy(qty), Context(position=position, **_m()), LIMITS)
    if v.ok:
        assert 0 < qty <= LIMITS.max_order_quantity
        assert abs(position + qty) <= LIMITS.max_position or abs(position + qty) <= abs(position)


@given(st.sampled_from(["LMT", "MKT", "STP", "STP LMT"]), st.booleans(), st.booleans(), st.booleans())
def test_blocked_states_block_every_order_type(kind: str, killed: bool, read_only: bool, down: bool) -> None:
    ctx = Context(killed=killed, read_only=read_only, connected=not down, **_m())
    v = check(buy(1, 6000.0, kind, aux=6000.25 if "STP" in kind else None), ctx, LIMITS)
    if killed or read_only or down:
        assert not v.ok
