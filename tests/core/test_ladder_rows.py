"""The ladder's row model: pure functions of the book."""

from __future__ import annotations

from tui.core.ladder import bar_scale, short_number


def test_bar_scale_steps_one_two_five() -> None:
    assert [bar_scale(n) for n in (0, 1, 2, 3, 5, 6, 11, 20, 21, 499, 501, 12_000)] == \
        [1, 1, 2, 5, 5, 10, 20, 20, 50, 500, 1000, 20_000]


def test_short_number_fits_four_characters() -> None:
    assert [short_number(n) for n in (0, 85, 999, 1234, 15_400)] == ["0", "85", "999", "1.2k", "15k"]
