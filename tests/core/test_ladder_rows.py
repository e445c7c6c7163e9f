"""The ladder's row model: pure functions of the book."""

from __future__ import annotations

from tui.core.ladder import bar_scale, short_number


def test_bar_scale_steps_by_a_quarter_and_the_largest_bar_stays_long() -> None:
    assert [bar_scale(n) for n in (0, 1, 2, 3, 5, 6, 11, 20, 21, 499, 501, 12_000)] == \
        [1, 1, 2, 3, 5, 7, 13, 20, 25, 500, 640, 12_500]
    # the largest size in view fills at least four of a bar's five cells
    assert min(round(n / bar_scale(n) * 5) for n in range(1, 100_000)) == 4


def test_short_number_fits_four_characters() -> None:
    assert [short_number(n) for n in (0, 85, 999, 1234, 15_400)] == ["0", "85", "999", "1.2k", "15k"]
    # 9,950 to 9,999 rounded to one decimal made "10.0k", five characters: a busy market's trades
    # column pushed the ladder's line over the pane's border
    assert [short_number(n) for n in (9_960, 999_999, 1_000_000, 2_540_000, 12_000_000)] == \
        ["9.9k", "999k", "1.0M", "2.5M", "12M"]
    values = [*range(20_000), *(10 ** k - d for k in range(5, 19) for d in (0, 1, 50, 500))]
    assert max(len(short_number(n)) for n in values) == 4
