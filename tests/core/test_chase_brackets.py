"""Chase bounds, and brackets split over several targets, as plain values."""

from __future__ import annotations

from tui.core.chase import PER_SECOND, Chase
from tui.core.contracts import Contract, ContractSpec
from tui.core.events import MarketUpdate
from tui.core.intents import bracket_at, split
from tui.ib.orders import bracket_legs

ES = ContractSpec(Contract("ES", "FUT", "CME", "USD", 1), 0.25, 50.0)


def bid(price: float) -> MarketUpdate:
    return MarketUpdate(1, price, 5, price + 0.25, 5, 0.0, 0, 0, 0.0, 0.0, 0.0, 0.0, (), (), (), 0.0, False, 1)


def test_a_chase_moves_once_acknowledged_at_most_per_second_and_max_ticks_in_all() -> None:
    c = Chase(1, True, 24000, 3, 24000)
    assert c.next_price(bid(6000.25), 0.25, None, 10.0) is None, "not yet acknowledged"
    assert c.next_price(bid(6000.25), 0.25, 24000, 10.0) == 24001
    assert c.next_price(bid(6000.50), 0.25, 24000, 10.5) is None, "the last move is not acknowledged"
    assert c.next_price(bid(6000.50), 0.25, 24001, 10.0 + 0.5 / PER_SECOND) is None, "too soon"
    assert c.next_price(bid(6000.50), 0.25, 24001, 11.0) == 24002
    assert c.next_price(bid(6001.25), 0.25, 24002, 12.0) is None and "ran more than 3" in c.stopped


def test_a_chase_follows_the_market_away_only_and_stops_after_max_ticks_moves() -> None:
    c = Chase(1, True, 24000, 2, 24000)
    assert c.next_price(bid(6000.25), 0.25, 24000, 1.0) == 24001
    assert c.next_price(bid(5999.75), 0.25, 24001, 2.0) is None, "the bid fell: it is the best bid"
    assert c.next_price(bid(6000.50), 0.25, 24001, 3.0) == 24002
    assert c.next_price(bid(6000.50), 0.25, 24002, 4.0) is None and not c.stopped
    s = Chase(2, False, 24000, 1, 24000)  # a chasing sell follows the offer down
    assert s.next_price(bid(5999.50), 0.25, 24000, 1.0) == 23999  # offer 5999.75
    assert s.next_price(bid(5999.25), 0.25, 23999, 2.0) is None and "more than 1 tick from" in s.stopped


def test_split_is_whole_and_proportional() -> None:
    assert split(2, [1, 1]) == [1, 1]
    assert split(5, [1, 1]) == [3, 2]
    assert split(10, [1, 2, 2]) == [2, 4, 4]
    assert split(1, [1, 1]) == [1, 0]


def test_a_two_target_bracket_is_two_oca_pairs_under_one_parent() -> None:
    b = bracket_at(ES, "BUY", 3, 6000.0, 8, 6, "DAY", [(1, 4), (2, 10)])
    assert b.targets == ((1.0, 6001.0), (2.0, 6002.5)) and b.stop_loss == 5998.5
    legs = bracket_legs(b, [10, 11, 12, 13, 14])
    assert [(i, o.action, o.quantity, o.order_type, o.parent_id, o.oca_group, o.transmit) for i, o in legs] == [
        (10, "BUY", 3, "LMT", 0, "", False),
        (11, "SELL", 1.0, "LMT", 10, "ibtui-10-1", False), (12, "SELL", 1.0, "STP", 10, "ibtui-10-1", False),
        (13, "SELL", 2.0, "LMT", 10, "ibtui-10-2", False), (14, "SELL", 2.0, "STP", 10, "ibtui-10-2", True)]


def test_one_lot_cannot_split_and_takes_the_first_target() -> None:
    b = bracket_at(ES, "SELL", 1, 6000.0, 8, 6, "DAY", [(1, 4), (1, 10)])
    assert not b.targets and b.take_profit == 5999.0 and len(bracket_legs(b, [1, 2, 3])) == 3
