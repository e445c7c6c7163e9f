"""The order ticket: every field checked while typing, the risk verdict shown before sending."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select

from tui.core.contracts import ContractSpec
from tui.core.intents import OrderIntent
from tui.core.ordertypes import ORDER_TYPES
from tui.core.prices import format_price, plain_price
from tui.core.risk import Verdict
from tui.core.ticket import field_labels, parse_ticket, uses_fields
from tui.keys import TICKET_BINDINGS
from tui.widgets.fields import Field


class Ticket(ModalScreen[OrderIntent | None]):
    """The order ticket: dismisses with an intent, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [*TICKET_BINDINGS]
    DEFAULT_CSS = """
    Ticket { align: center middle; }
    Ticket > Vertical { width: 64; height: auto; max-height: 100%; border: round $primary;
                        background: $surface; padding: 0 1; }
    Ticket Grid { grid-size: 2; grid-columns: 14 1fr; grid-rows: 1; height: auto; grid-gutter: 0 1; }
    /* one line per field, so the whole ticket fits a 24-line terminal */
    /* !important: Textual's Input:focus (and -invalid) and Checkbox:focus rules draw a tall border,
       which in one row leaves none for the text: the field being typed in went blank, and the
       focused checkbox lost its label and its state */
    Ticket Input { border: none !important; height: 1; padding: 0 1; }
    Ticket Select { height: 1; }
    Ticket SelectCurrent, Ticket Select:focus > SelectCurrent { border: none; height: 1; padding: 0 1; }
    Ticket Select:focus > SelectCurrent, Ticket Input:focus, Ticket Checkbox:focus {
        background: $boost; text-style: bold; }
    Ticket Checkbox { border: none !important; height: 1; padding: 0; }
    Ticket #verdict { padding: 1 0 0 0; width: 100%; }  /* a long reason wraps, never cut off */
    Ticket #verdict.ok { color: $success; }
    Ticket #verdict.refused { color: $error; }
    """

    def __init__(self, spec: ContractSpec, side: str, quantity: int, price: float | None,
                 check: Callable[[OrderIntent], Verdict], tif: str = "DAY") -> None:
        super().__init__()
        self.spec = spec
        self.side = side
        self.quantity = quantity
        self.price = price
        self.check = check
        self.tif = tif
        self.intent: OrderIntent | None = None

    def compose(self) -> ComposeResult:
        p = format_price(self.price, self.spec.tick) if self.price else ""
        with Vertical():
            yield Label(f"[b]Order ticket[/b]   {self.spec.contract.key}   tick {plain_price(self.spec.tick)}")
            with Grid():
                yield Label("Side", classes="field")
                yield Select([("BUY", "BUY"), ("SELL", "SELL")], value=self.side, allow_blank=False, id="side")
                yield Label("Type", classes="field")
                yield Select([(t, t) for t in ORDER_TYPES], value="LMT", allow_blank=False, id="type")
                yield Label("Quantity", classes="field")
                yield Field(str(self.quantity), id="quantity")
                yield Label("Limit price", classes="field", id="limit-label")
                yield Field(p, id="limit")
                yield Label("Stop price", classes="field", id="stop-label")
                yield Field("", id="stop")
                yield Label("Time in force", classes="field")
                yield Select([(t, t) for t in ("DAY", "GTC", "IOC")], value=self.tif, allow_blank=False, id="tif")
                yield Label("", classes="field")
                yield Checkbox("Outside regular hours", id="rth")
            yield Label("", id="verdict")
            yield Label("ctrl+s: send   escape: cancel")

    def on_mount(self) -> None:
        self.revalidate()

    def on_input_changed(self) -> None:
        self.revalidate()

    def on_select_changed(self) -> None:
        self.revalidate()

    def on_checkbox_changed(self) -> None:
        self.revalidate()

    def revalidate(self) -> None:
        verdict = self.query_one("#verdict", Label)
        order_type = str(self.query_one("#type", Select).value)
        takes_limit, takes_stop = uses_fields(order_type)
        self.query_one("#limit", Input).disabled = not takes_limit
        self.query_one("#stop", Input).disabled = not takes_stop
        limit_label, stop_label = field_labels(order_type)
        self.query_one("#limit-label", Label).update(limit_label.capitalize())
        self.query_one("#stop-label", Label).update(stop_label.capitalize())
        self.intent, problem = parse_ticket(
            self.spec, str(self.query_one("#side", Select).value), order_type,
            self.query_one("#quantity", Input).value, self.query_one("#limit", Input).value,
            self.query_one("#stop", Input).value, str(self.query_one("#tif", Select).value),
            self.query_one("#rth", Checkbox).value,
        )
        if self.intent is not None:
            result = self.check(self.intent)
            if not result.ok:
                problem = result.message
                self.intent = None
        verdict.set_classes("refused" if problem else "ok")
        verdict.update(f"✗ {problem}" if problem else f"✓ passes the risk checks: {self._describe()}")

    def _describe(self) -> str:
        return self.intent.describe() if self.intent else ""

    def action_send(self) -> None:
        self.revalidate()
        if self.intent is not None:
            self.dismiss(self.intent)
