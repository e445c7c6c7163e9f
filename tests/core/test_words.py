from tui.core.words import counted


def test_counts_read_as_words() -> None:
    assert counted(1, "working order") == "1 working order"
    assert counted(3, "working order") == "3 working orders"
    assert counted(0, "order") == "0 orders"
    assert counted(2, "entry", "entries") == "2 entries"
