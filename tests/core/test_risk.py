"""Every risk rule, by example and by property."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tui.core.contracts import Contract, ContractSpec
from tui.core.intents import Bracket, OrderIntent
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
        (buy(1e91), MARKET, "max_order_quantity", "quantity 1e+91 exceeds max_order_quantity 100"),
        (buy(float("inf")), MARKET, "quantity", "quantity must be a finite number"),
        (buy(price=6100.0), MARKET, "price_band", "limit 6100.00 is 1.7% through the market (ask 6000.25)"),
        (buy(40), Context(**_m()), "max_order_notional", "notional 12,000,000 exceeds"),
        (buy(), Context(working_orders=3, **_m()), "max_working_orders", "3 working orders"),
        (buy(5), Context(position=18, **_m()), "max_position", "position after fill 23 exceeds max_position 20"),
    ]
    for intent, ctx, rule, words in cases:
        v = check(intent, ctx, LIMITS)
        assert not v.ok and v.rule == rule and words in v.message, (rule, v)


def test_an_off_grid_price_is_quoted_with_its_digits_and_the_grid_as_a_price() -> None:
    fx = ContractSpec(Contract("EUR", "CASH", "IDEALPRO", "USD", 9, local_symbol="EUR.USD"), 0.00005, 1.0)
    v = check(OrderIntent(fx, "BUY", 20000, "LMT", 1.08553), Context(bid=1.0855, ask=1.08555, data_age=0.5), LIMITS)
    assert v.message == ("limit price 1.08553 is off the 0.00005 tick grid of EUR.USD "
                         "(nearest 1.08550 or 1.08555)"), v.message  # not 5e-05
    v = check(buy(price=6000.1), MARKET, LIMITS)  # typed 6000.10: not shown as 6000.1
    assert v.message.startswith("limit price 6000.10 is off the 0.25 tick grid of ESZ6"), v.message


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


def test_guardrails_block_only_new_risk_and_name_their_numbers() -> None:
    from dataclasses import replace

    guarded = replace(LIMITS, daily_loss_limit=2000, max_losing_streak=3, cooldown_minutes=15,
                      max_round_trips=20)
    sell = OrderIntent(ES, "SELL", 1, "LMT", 6000.0)
    down = replace(MARKET, daily_pnl=-2000.0)
    v = check(buy(), down, guarded)
    assert v.rule == "daily_loss_limit" and "-2,000.00" in v.message and "daily_loss_limit -2,000" in v.message
    assert check(sell, replace(down, position=1), guarded).ok, "flattening a long is always allowed"
    assert check(buy(), replace(down, daily_pnl=-1999.0), guarded).ok
    streak = replace(MARKET, losing_streak=3, since_last_loss=60.0)
    v = check(buy(), streak, guarded)
    assert v.rule == "max_losing_streak" and "3 losing round trips" in v.message and "14 more minute" in v.message
    assert check(buy(), replace(streak, since_last_loss=15 * 60.0), guarded).ok, "the cooldown ends"
    v = check(buy(), replace(MARKET, round_trips=20), guarded)
    assert v.rule == "max_round_trips" and "20 round trips" in v.message
    assert check(buy(), replace(MARKET, daily_pnl=-1e9, losing_streak=99, round_trips=999), LIMITS).ok, "off by default"


def test_round_trips_are_counted_flat_to_flat_with_their_result() -> None:
    from tui.core import events as ev
    from tui.core.guardrails import RoundTrips

    trips = RoundTrips()

    def trade(n: int, side: str, realized: float | None) -> None:
        exec_id = f"e{n}"
        trips.fill(ev.Fill(exec_id, n, n, 1, ES.contract, side, 1, 6000.0, 1, 6000.0, "", "DU1"))
        trips.fill(ev.Fill(exec_id, n, n, 1, ES.contract, side, 1, 6000.0, 1, 6000.0, "", "DU1"))  # resync
        trips.commission(ev.Commission(exec_id, 2.05, "USD", realized), now=100.0 + n)

    trade(1, "BOT", None)
    trade(2, "SLD", -50.0)  # flat: a loss
    trade(3, "SLD", None)
    trade(4, "BOT", -12.5)  # flat: another loss
    assert (trips.count, trips.losing_streak, trips.last_loss_at) == (2, 2, 104.0)
    trade(5, "BOT", None)
    trade(6, "SLD", 100.0)  # a win ends the streak
    assert (trips.count, trips.losing_streak) == (3, 0)


def test_an_intent_reads_with_its_prices_as_the_ladder_prints_them() -> None:
    """The confirm prompt, the ticket's verdict, the messages and the journal quote an intent: its
    prices on the grid's decimals, as on the ladder; one off the grid exactly as typed, never
    rounded onto the grid (the refusal would then quote a price that looks right)."""
    assert OrderIntent(ES, "BUY", 1, "LMT", 6010.0).describe() == "BUY 1 ESZ6 LMT @6010.00"
    assert OrderIntent(ES, "SELL", 2, "STP LMT", 6010.75, 6010.5).describe() == \
        "SELL 2 ESZ6 STP LMT @6010.75 stop 6010.50"
    assert OrderIntent(ES, "BUY", 1, "LMT", 6000.123).describe() == "BUY 1 ESZ6 LMT @6000.123"
    fx = ContractSpec(Contract("EUR", "CASH", "IDEALPRO", "USD", 9, local_symbol="EUR.USD"), 0.00005, 1.0)
    assert OrderIntent(fx, "BUY", 20000, "LMT", 1.0855).describe() == "BUY 20,000 EUR.USD LMT @1.08550"
    bracket = Bracket(OrderIntent(ES, "BUY", 1, "LMT", 6000.0), take_profit=6004.0, stop_loss=5998.0)
    assert bracket.describe() == "BUY 1 ESZ6 LMT @6000.00 tp 6004.00 sl 5998.00"


def test_an_instrument_has_its_own_size_limits_under_any_of_its_names() -> None:
    """[risk.instruments."EUR.USD"]: a euro is not an ES contract. One set of limits made FX
    untradeable (1,000 euros at most) or ES unguarded (a million contracts)."""
    fx = ContractSpec(Contract("EUR", "CASH", "IDEALPRO", "USD", 9, local_symbol="EUR.USD"), 0.00005, 1.0)
    limits = Limits(max_order_quantity=10, max_position=20, max_order_notional=10_000_000, instruments={
        "EUR.USD": {"max_order_quantity": 2_000_000, "max_position": 5_000_000},
        "ES": {"max_order_quantity": 5}})
    market = Context(bid=1.085, ask=1.08505, last=1.085, data_age=0.5)
    euros = OrderIntent(fx, "BUY", 1_000_000, "LMT", 1.085)
    assert not check(euros, market, limits).ok  # the account's limits alone refuse it
    assert check(euros, market, limits.for_contract(fx.contract)).ok
    v = check(OrderIntent(fx, "BUY", 3_000_000, "LMT", 1.085), market, limits.for_contract(fx.contract))
    assert v.message == "quantity 3,000,000 exceeds max_order_quantity 2,000,000"
    es = limits.for_contract(ES.contract)  # configured as ES, found for ESZ6 by its symbol
    assert es.max_order_quantity == 5 and es.max_position == 20
    assert check(buy(6), MARKET, es).rule == "max_order_quantity"
    assert limits.for_contract(AAPL.contract) is limits


def test_a_currency_pair_without_a_section_gets_limits_counted_in_its_currency() -> None:
    """With no [risk.instruments] section for it, EUR.USD was held to the contract counts (1,000
    euros an order): FX was untradeable out of the box. A cash pair now has limits of its kind;
    its own section still wins, key by key, and the notional limit holds for every kind."""
    fx = ContractSpec(Contract("EUR", "CASH", "IDEALPRO", "USD", 9, local_symbol="EUR.USD"), 0.00005, 1.0)
    market = Context(bid=1.085, ask=1.08505, last=1.085, data_age=0.5)
    plain = Limits().for_contract(fx.contract)
    assert (plain.max_order_quantity, plain.max_position) == (2_000_000, 5_000_000)
    assert plain.max_order_notional == Limits().max_order_notional
    assert check(OrderIntent(fx, "BUY", 1_000_000, "LMT", 1.085), market, plain).ok
    assert check(OrderIntent(fx, "BUY", 2_500_000, "LMT", 1.085), market, plain).message == \
        "quantity 2,500,000 exceeds max_order_quantity 2,000,000"
    tight = Limits(max_order_notional=100_000).for_contract(fx.contract)
    assert check(OrderIntent(fx, "BUY", 1_000_000, "LMT", 1.085), market, tight).rule == "max_order_notional"
    own = Limits(instruments={"EUR.USD": {"max_order_quantity": 500_000}}).for_contract(fx.contract)
    assert (own.max_order_quantity, own.max_position) == (500_000, 5_000_000)
    assert Limits().for_contract(ES.contract) == Limits()  # contracts keep the account's limits
