"""Confirmation, help, an order's history and symbol search."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.core.contracts import Contract
from tui.core.ordertypes import STATUS_LEGEND
from tui.keys import CONFIRM_BINDINGS, HELP_BINDINGS, HISTORY_BINDINGS, SEARCH_BINDINGS
from tui.widgets.fields import Field


class Confirm(ModalScreen[bool]):
    """A yes/no question; the answer is the dismiss value."""

    BINDINGS: ClassVar[list[BindingType]] = [*CONFIRM_BINDINGS]
    DEFAULT_CSS = """
    Confirm { align: center middle; }
    Confirm > Vertical { width: 72; max-width: 100%; height: auto; border: thick $warning;
                         background: $surface; padding: 1 2; }
    Confirm Static { width: 100%; height: auto; }
    """

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            # order texts may hold brackets: never read them as markup; long ones wrap
            yield Static(self.question, markup=False, id="question")
            yield Static("[b]y[/b] / enter: yes    [b]n[/b] / escape: no")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class Help(ModalScreen[None]):
    """Every key with its binding id, and the status words."""

    BINDINGS: ClassVar[list[BindingType]] = [*HELP_BINDINGS]
    DEFAULT_CSS = """
    Help { align: center middle; }
    Help > Vertical { width: 90%; max-width: 100; height: 90%; border: thick $primary; background: $surface; }
    Help DataTable { height: 1fr; }
    """
    # the blotter's status words, so the short forms are never a guess

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(" Keys (rebind any of them in the config's \\[keymap] table, by id) — escape closes")
            table: DataTable = DataTable(cursor_type="row")
            table.add_columns("Key", "Action", "Binding id")
            for row in self.rows:
                table.add_row(*row)
            table.add_row("", "", "")
            for word, meaning in STATUS_LEGEND:
                table.add_row(f"status {word}", meaning, "")
            yield table


class OrderHistory(ModalScreen[None]):
    """Every journal line of one order, oldest first."""

    BINDINGS: ClassVar[list[BindingType]] = [*HISTORY_BINDINGS]
    DEFAULT_CSS = """
    OrderHistory { align: center middle; }
    OrderHistory > Vertical { width: 95%; max-width: 110; height: 90%; border: thick $primary;
                              background: $surface; }
    OrderHistory DataTable { height: 1fr; }
    """

    def __init__(self, title: str, lines: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f" {self.title_text} — escape closes", markup=False)
            table: DataTable = DataTable(cursor_type="row")
            table.add_columns("Time (UTC)", "Event")
            for stamp, text in self.lines:
                table.add_row(stamp, Text(text))
            yield table


class Search(ModalScreen[Contract | None]):
    """Type a symbol or company name; pick a match to add it to the watchlist."""

    BINDINGS: ClassVar[list[BindingType]] = [*SEARCH_BINDINGS]
    DEFAULT_CSS = """
    Search { align: center top; }
    Search > Vertical { width: 70; height: 20; margin-top: 3; border: thick $primary; background: $surface; }
    Search OptionList { height: 1fr; }
    """

    def __init__(self, search: Callable[[str], None]) -> None:
        super().__init__()
        self.search = search
        self.contracts: list[Contract] = []
        self.pattern = ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Field(placeholder="symbol or name, e.g. AAPL or E-mini", id="pattern")
            yield OptionList(id="results")
            yield Label("enter: add to watchlist   escape: close", id="hint")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.pattern = event.value.strip()
        if self.pattern:
            self.search(self.pattern)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.contracts:
            self.dismiss(self.contracts[0])

    def show(self, pattern: str, contracts: tuple[Contract, ...]) -> None:
        if pattern != self.pattern:
            return
        self.contracts = list(contracts)
        results = self.query_one(OptionList)
        results.clear_options()
        for c in self.contracts:
            name = c.key if c.sec_type == "CASH" else c.symbol  # a pair reads GBP.USD
            results.add_option(Option(Text(f"{name:<8} {c.sec_type:<5} {c.primary_exchange or c.exchange:<8} {c.currency}")))
        if not self.contracts:
            results.add_option(Option(Text(f"no match for {pattern!r}", style="italic"), disabled=True))

    def action_focus_results(self) -> None:
        results = self.query_one(OptionList)
        if self.contracts and results.highlighted is None:
            results.highlighted = 0  # down then enter takes the first match, as enter alone does
        results.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if 0 <= event.option_index < len(self.contracts):
            self.dismiss(self.contracts[event.option_index])
