from tui.core.prices import plain_price
from tui.core.words import counted, plain_quantity


def test_counts_read_as_words() -> None:
    assert counted(1, "working order") == "1 working order"
    assert counted(3, "working order") == "3 working orders"
    assert counted(0, "order") == "0 orders"
    assert counted(2, "entry", "entries") == "2 entries"


def test_a_price_off_an_unknown_grid_keeps_its_digits_and_two_decimals() -> None:
    assert plain_price(6009.0) == "6009.00"
    assert plain_price(6009.25) == "6009.25"
    assert plain_price(1.0855) == "1.0855"
    assert plain_price(0.5) == "0.50"
    assert plain_price(228.355) == "228.355"
    assert plain_price(-1.25) == "-1.25"  # a spread
    assert plain_price(1.7976931348623157e308) == "1.79769e+308" and plain_price(float("nan")) == "nan"


def test_a_quantity_is_written_in_full() -> None:
    assert plain_quantity(1_234_567) == "1,234,567"  # :g wrote 1.23457e+06, another number
    assert plain_quantity(250_000.0) == "250,000" and plain_quantity(0.5) == "0.5"
    assert plain_quantity(1_234_567, grouped=False) == "1234567" and plain_quantity(999) == "999"
    assert plain_quantity(12_345.5) == "12,345.5" and plain_quantity(-20_000, sign=True) == "-20,000"
    assert plain_quantity(3, sign=True) == "+3" and plain_quantity(-2.0, sign=True) == "-2"
    assert plain_quantity(0, sign=True) == "0" and plain_quantity(1e91) == "1e+91"


def test_the_ladder_marks_a_big_order_short_and_never_overstated() -> None:
    from tui.core.ladder import mark_quantity

    assert [mark_quantity(q) for q in (1, 25, 9999, 20_000, 250_000, 1_234_567)] == \
        ["1", "25", "9999", "20k", "250k", "1.2M"]
