"""The trading keys: the ladder's cursor, and orders placed, moved and cancelled from it.

A mixin of ``IBTuiApp`` (Textual finds ``action_*`` methods on the app). Each action
builds an intent from the ladder and hands it to the desk, which checks, journals
and sends it; a refusal is said, never raised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.core.contracts import ContractSpec
from tui.core.desk import Desk
from tui.core.intents import OrderIntent, bracket_at, order_at, trailing_stop
from tui.core.orders import OrderRecord
from tui.core.prices import to_ticks
from tui.core.words import plain_quantity
from tui.screens.modals import Confirm
from tui.screens.ticket import Ticket

if TYPE_CHECKING:
    from textual.app import App

    from tui import config as cfg
    from tui.frame import Frame

    _AppBase = App[int]
else:
    _AppBase = object

STOP_LIMIT_OFFSET_TICKS = 2


class LadderKeys(_AppBase):
    """The trading keys (a mixin of the app; see the module)."""

    # provided by the app
    desk: Desk
    settings: cfg.Settings
    frames: Frame
    ladder_query: str
    ladder_spec: ContractSpec | None
    quantity: int
    selected: set[int]
    confirm_policy: str

    # --- helpers -------------------------------------------------------------------------------
    def ask(self, question: str, then: Callable[[], object]) -> None:
        """Confirm first; ``then`` runs only on yes."""
        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.push_screen(Confirm(question), answered)

    def _needs_confirm(self) -> bool:
        policy = self.confirm_policy
        return policy == "always" or (policy == "live" and self.desk.is_live)

    def _send(self, intent: OrderIntent) -> None:
        if self._needs_confirm():
            live = "LIVE " if self.desk.is_live else ""
            self.ask(f"Send {live}order: {intent.describe()}?",
                     lambda: self.desk.submit(intent))
            return
        self.desk.submit(intent)

    def _spec_or_say(self) -> ContractSpec | None:
        if self.ladder_spec is None:
            self.desk.say(self.desk.unresolved_why(self.ladder_query)
                          or f"{self.ladder_query}: the contract is not resolved yet", "error")
        return self.ladder_spec

    def _cursor_price(self) -> float | None:
        ladder = self.frames.ladder
        return ladder.cursor_price if ladder is not None else None

    def _orders_at_cursor(self) -> list[OrderRecord]:
        spec = self.ladder_spec
        ladder = self.frames.ladder
        if spec is None or ladder is None or ladder.cursor is None:
            return []
        return [r for r in self.desk.orders.working(spec.contract.con_id)
                if r.price is not None and to_ticks(r.price, spec.tick) == ladder.cursor]

    def selected_orders(self) -> list[OrderRecord]:
        """The selected orders still working (the rest leave the selection)."""
        out = []
        for oid in list(self.selected):
            rec = self.desk.orders.get(oid)
            if rec is None or not rec.working:
                self.selected.discard(oid)
            else:
                out.append(rec)
        return out

    def _targets(self) -> list[OrderRecord]:
        """What a move or cancel acts on: the blotter's row, else the selection, else the cursor's."""
        blotter = self.frames.blotter
        if blotter is not None and blotter.has_focus:
            oid = blotter.selected_order()
            rec = self.desk.orders.get(oid) if oid is not None else None
            return [rec] if rec is not None and rec.working else []
        return self.selected_orders() or self._orders_at_cursor()

    # --- the cursor -----------------------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        ladder = self.frames.ladder
        if ladder is not None:
            ladder.move_cursor(delta)
            self.frames.redraw_ladder()

    def action_page(self, direction: int) -> None:
        ladder = self.frames.ladder
        if ladder is not None:
            ladder.move_cursor(direction * max(1, ladder.visible_rows - 2))
            self.frames.redraw_ladder()

    def action_recenter(self) -> None:
        ladder = self.frames.ladder
        spec = self.ladder_spec
        if ladder is not None and spec is not None:
            ladder.recenter(self.desk.markets.get(spec.contract.con_id))
            self.frames.redraw_ladder()

    def action_toggle_hold(self) -> None:
        ladder = self.frames.ladder
        if ladder is not None:
            ladder.hold = not ladder.hold
            self.desk.say("ladder held: it will not re-centre" if ladder.hold else "ladder follows the market")

    def action_clear_trades(self) -> None:
        spec = self.ladder_spec
        tape = self.desk.tapes.get(spec.contract.con_id) if spec is not None else None
        if tape is not None:
            tape.clear(self.desk.clock())
            self.desk.say(f"trades column cleared; it sums the next {tape.window:g}s from now")

    # --- orders -------------------------------------------------------------------------------
    def action_order(self, side: str, order_type: str) -> None:
        spec = self._spec_or_say()
        if spec is None:
            return
        price = self._cursor_price()
        if price is None and order_type != "MKT":
            self.desk.say(f"{spec.contract.key}: no cursor price yet (waiting for market data)", "error")
            return
        self._send(order_at(spec, side, self.quantity, order_type, price, self.settings.orders.tif,
                            STOP_LIMIT_OFFSET_TICKS))

    def action_trail(self, side: str, limit: bool = False) -> None:
        """A trailing stop (IB's TRAIL, or TRAIL LIMIT ``orders.trail_limit_offset_ticks`` beyond
        it) ``orders.trail_ticks`` behind the market; the ladder draws it where the gateway says
        its stop is, and it moves as the gateway reports it."""
        spec = self._spec_or_say()
        if spec is None:
            return
        o = self.settings.orders
        self._send(trailing_stop(spec, side, self.quantity, o.trail_ticks, o.tif,
                                 o.trail_limit_offset_ticks if limit else None))

    def action_chase(self, side: str) -> None:
        """A limit at the best bid (buy) or offer (sell) that follows it until filled."""
        spec = self._spec_or_say()
        if spec is None:
            return
        o = self.settings.orders
        if self._needs_confirm():
            live = "LIVE " if self.desk.is_live else ""
            self.ask(f"Send {live}chasing {side} {plain_quantity(self.quantity)} {spec.contract.key} "
                     f"(follows the market up to {o.chase_max_ticks} ticks)?",
                     lambda: self.desk.chase(spec, side, self.quantity, o.chase_max_ticks, o.tif))
        else:
            self.desk.chase(spec, side, self.quantity, o.chase_max_ticks, o.tif)

    def action_bracket(self, side: str) -> None:
        spec = self._spec_or_say()
        price = self._cursor_price()
        if spec is None or price is None:
            return
        o = self.settings.orders
        b = bracket_at(spec, side, self.quantity, price, o.bracket_take_profit_ticks,
                       o.bracket_stop_loss_ticks, o.tif,
                       [(share, ticks) for share, ticks in o.bracket_targets])
        if self._needs_confirm():
            self.ask(f"Send bracket: {b.describe()}?", lambda: self.desk.submit_bracket(b))
        else:
            self.desk.submit_bracket(b)

    def action_select_orders(self) -> None:
        here = {r.order_id for r in self._orders_at_cursor()}
        if not here:
            self.desk.say("no working order at the cursor to select")
        elif here <= self.selected:
            self.selected -= here
        else:
            self.selected |= here

    def action_move_orders(self, ticks: int) -> None:
        spec = self._spec_or_say()
        if spec is None:
            return
        targets = self._targets()
        if not targets:
            self.desk.say("no working order at the cursor (or selected) to move")
        for rec in targets:
            self.desk.modify_price(rec, spec, ticks=ticks)

    def action_move_to_cursor(self) -> None:
        spec = self._spec_or_say()
        price = self._cursor_price()
        if spec is None or price is None:
            return
        targets = self.selected_orders()
        if not targets:
            self.desk.say("select orders first (v on their price), then m moves them to the cursor")
        for rec in targets:
            self.desk.modify_price(rec, spec, to_price=price)

    def action_cancel_here(self) -> None:
        targets = self._targets()
        if not targets:
            self.desk.say("no working order at the cursor to cancel")
        self.desk.cancel(targets, "cancel at cursor")

    def action_cancel_instrument(self) -> None:
        spec = self._spec_or_say()
        if spec is not None:
            working = self.desk.orders.working(spec.contract.con_id)
            if not working:
                self.desk.say(f"no working order in {spec.contract.key} to cancel")
                return
            n = self.desk.cancel(working, "cancel instrument")
            if n:  # (none sent: the desk has said why)
                self.desk.say(f"cancelling {n} order{'s' if n > 1 else ''} in {spec.contract.key}")

    def action_cancel_all(self) -> None:
        n = len(self.desk.orders.working())
        self.ask(f"Cancel EVERY open order in the account ({n} of them from here)?",
                 lambda: self.desk.cancel_everything("cancel all"))

    def _position_or_say(self, what: str) -> tuple[ContractSpec, float] | None:
        """The ladder's instrument and its position, or None (said) when there is none to ``what``."""
        spec = self._spec_or_say()
        if spec is None:
            return None
        qty = self.desk.portfolio.position(spec.contract.con_id)
        if not qty:
            self.desk.say(f"{spec.contract.key}: no position to {what}")
            return None
        return spec, qty

    def action_flatten(self) -> None:
        held = self._position_or_say("flatten")
        if held is None:
            return
        spec, qty = held
        self.ask(f"Flatten {spec.contract.key}: cancel its orders and "
                 f"{'SELL' if qty > 0 else 'BUY'} {plain_quantity(abs(qty))} at market?",
                 lambda: self.desk.flatten(spec))

    def action_reverse(self) -> None:
        held = self._position_or_say("reverse")
        if held is None:
            return
        spec, qty = held
        if self._needs_confirm():
            side = "SELL" if qty > 0 else "BUY"
            self.ask(f"Reverse {spec.contract.key}: cancel its orders and {side} "
                     f"{plain_quantity(2 * abs(qty))} at market (position {plain_quantity(qty, sign=True)} "
                     f"becomes {plain_quantity(-qty, sign=True)})?", lambda: self.desk.reverse(spec))
        else:
            self.desk.reverse(spec)

    def action_kill_switch(self) -> None:
        if not self.desk.killed:
            self.desk.kill()  # the panic button acts at once
            return
        self.ask("Re-arm trading (the kill switch is on)?",
                 lambda: self.desk.rearm())

    def instrument_names(self) -> tuple[str, ...]:
        """The ladder's instrument as the config may name it: as typed, then as IB names it."""
        spec = self.ladder_spec
        return (self.ladder_query, spec.contract.key, spec.contract.symbol) if spec else (self.ladder_query,)

    def instrument_kind(self) -> str:
        """The ladder's security type (``STK``, ``FUT``, ``CASH``, ...), once resolved."""
        return self.ladder_spec.contract.sec_type if self.ladder_spec else ""

    def action_quantity(self, direction: int) -> None:
        step = (self.settings.orders.quantity_for(*self.instrument_names(), kind=self.instrument_kind())
                if self.ladder_spec else 1)
        self.quantity = max(step, self.quantity + direction * step)

    def action_preset(self, n: int) -> None:
        presets = self.settings.orders.presets_for(*self.instrument_names(), kind=self.instrument_kind())
        if n <= len(presets):
            self.quantity = presets[n - 1]

    def action_ticket(self) -> None:
        spec = self._spec_or_say()
        if spec is None:
            return

        def sent(intent: OrderIntent | None) -> None:
            if intent is not None:
                self._send(intent)

        self.push_screen(Ticket(spec, "BUY", self.quantity, self._cursor_price(), self.desk.verdict,
                                self.settings.orders.tif), sent)
