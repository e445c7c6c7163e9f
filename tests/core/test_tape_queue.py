"""The tape (time & sales, recent trades at price), aggressor sides, and the queue-position model,
on scripted sequences."""

from __future__ import annotations


from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.contracts import Contract
from tui.core.events import MarketUpdate, Print
from tui.core.handoff import Handoff, Quote
from tui.core.ladder import order_marks
from tui.core.orders import OrderRecord
from tui.core.queue import QueueModel
from tui.core.tape import Tape

ES = Contract("ES", "FUT", "CME", "USD", 1)
TICK = 0.25


def market(bids: list[tuple[float, int]], prints: list[tuple[float, int]] = ()) -> MarketUpdate:
    return MarketUpdate(1, bids[0][0] if bids else 0.0, bids[0][1] if bids else 0, 6001.0, 10, 0.0, 0, 0,
                        0.0, 0.0, 0.0, 0.0, tuple(bids), ((6001.0, 10),), (), 0.0, True, 1, False,
                        tuple(Print(0.0, p, n, -1) for p, n in prints))


def buy(price: float = 6000.0, quantity: float = 1, status: str = "Submitted", order_id: int = 7) -> OrderRecord:
    return OrderRecord(order_id, ES, "BUY", quantity, "LMT", price, status=status)


def test_prints_are_classified_by_the_quote_then_by_the_tick() -> None:
    h = Handoff()
    h.price(1, Quote.BID, 100.0)
    h.price(1, Quote.ASK, 100.5)
    for price in (100.5, 100.0, 100.25, 100.25, 100.0):  # lift, hit, up-tick inside, same, hit
        h.trade(1, price, 5, 1.0)
    _, (u,) = h.drain()
    assert [p.side for p in u.prints] == [1, -1, 1, 1, -1]
    _, again = h.drain()
    assert not again, "prints are delivered once"


def test_recent_trades_sum_by_price_and_side_within_the_window_and_clear() -> None:
    tape = Tape(TICK, window=60)
    tape.add([Print(0, 6000.0, 5, 1), Print(0, 6000.0, 3, -1), Print(0, 6000.25, 2, 1)], now=100.0)
    tape.add([Print(0, 6000.0, 4, -1)], now=130.0)
    assert tape.recent() == {24000: (5, 7), 24001: (2, 0)}
    tape.expire(161.0)  # the first three are older than 60 s now
    assert tape.recent() == {24000: (0, 4)}
    tape.clear(170.0)
    assert tape.recent() == {} and len(tape.prints) == 4, "clearing keeps time & sales"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(-2, 2), st.integers(1, 9), st.sampled_from([1, -1, 0]),
                          st.integers(1, 50)), min_size=1, max_size=20),
       st.integers(1, 20), st.sampled_from([3, 64]))
def test_the_trades_window_sums_exactly_what_traded_within_it(
        bursts: list[tuple[int, int, int, int, int]], window: int, compact_at: int) -> None:
    """Against a naive sum over every print, across bursts (the window's storage drops its
    expired front now and then: made to do it often here) and a clear."""
    import tui.core.tape as tape_module

    kept, tape_module.COMPACT_AT = tape_module.COMPACT_AT, compact_at
    try:
        tape, seen, now = Tape(TICK, window=window), [], 0.0
        for i, (gap, offset, size, side, count) in enumerate(bursts):
            now += gap
            price = 6000.0 + offset * TICK
            tape.add([Print(now, price, size, side)] * count, now)
            seen += [(now, 24000 + offset, size if side > 0 else 0, size if side < 0 else 0)] * count
            if i == len(bursts) // 2 and side == 0:
                tape.clear(now)
                seen = []
            want: dict[int, list[int]] = {}  # every price printed within the window (a print of
            for at, t, b, s in seen:         # unknown side shows as 0 / 0)
                if at >= now - window:
                    want.setdefault(t, [0, 0])
                    want[t][0] += b
                    want[t][1] += s
            assert tape.recent() == {t: (b, s) for t, (b, s) in want.items()}
    finally:
        tape_module.COMPACT_AT = kept


def test_queue_starts_behind_what_is_displayed_and_moves_up_with_trades() -> None:
    q = QueueModel()
    q.update(market([(6000.0, 30)]), [buy(status="PreSubmitted")], TICK)
    assert q.ahead(7) is None, "not resting until the gateway says Submitted"
    q.update(market([(6000.0, 30)]), [buy()], TICK)
    assert q.ahead(7) == 30
    q.update(market([(6000.0, 20)], [(6000.0, 10)]), [buy()], TICK)
    assert q.ahead(7) == 20
    q.update(market([(6000.0, 50)]), [buy()], TICK)
    assert q.ahead(7) == 20, "size joining the price is behind me"


def test_cancels_count_ahead_in_proportion_by_default_and_never_with_weight_zero() -> None:
    for weight, expected in ((1.0, 15.0), (0.0, 20.0), (2.0, 10.0)):
        q = QueueModel(cancel_weight=weight)
        q.update(market([(6000.0, 20)]), [buy()], TICK)
        q.update(market([(6000.0, 40)]), [buy()], TICK)  # 20 joined behind me
        q.update(market([(6000.0, 30)]), [buy()], TICK)  # 10 cancelled: half the queue is ahead
        assert q.ahead(7) == expected, weight


def test_a_modified_order_goes_to_the_back_and_a_done_one_is_forgotten() -> None:
    q = QueueModel()
    q.update(market([(6000.0, 30), (5999.75, 12)]), [buy()], TICK)
    q.update(market([(6000.0, 10), (5999.75, 12)], [(6000.0, 20)]), [buy()], TICK)
    assert q.ahead(7) == 10
    q.update(market([(6000.0, 10), (5999.75, 12)]), [buy(5999.75)], TICK)
    assert q.ahead(7) == 12, "moved a tick: counted again at the new price"
    q.update(market([(6000.0, 10), (5999.75, 12)]), [buy(5999.75, quantity=2)], TICK)
    assert q.ahead(7) == 12
    q.update(market([(6000.0, 10), (5999.75, 12)]), [], TICK)
    assert q.ahead(7) is None


def test_the_ladder_shows_the_least_ahead_of_my_orders_at_a_price() -> None:
    orders = [buy(order_id=7), buy(order_id=8), buy(5999.75, order_id=9)]
    marks = order_marks(orders, TICK, {7: 14.0, 8: 40.0, 9: 1234.0})
    assert marks[24000] == ("2L·14", "") and marks[23999] == ("1L·1.2k", "")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 200), st.integers(0, 50)), min_size=1, max_size=40),
       st.floats(0, 2))
def test_ahead_is_never_negative_nor_more_than_displayed(steps: list[tuple[int, int]], weight: float) -> None:
    q = QueueModel(cancel_weight=weight)
    for shown, traded in steps:
        q.update(market([(6000.0, shown)], [(6000.0, traded)] if traded else []), [buy()], TICK)
        ahead = q.ahead(7)
        assert ahead is not None and 0 <= ahead <= shown
