from tui.core.prices import plain_price
from tui.core.words import counted


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
