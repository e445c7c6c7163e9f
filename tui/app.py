"""The trading screen: composes the panes, routes keys, and owns the app's life.

Logic lives in tui.core (the Desk, the app's only port to the broker); the frame
(tui/frame.py) drains it and redraws once per tick of the frame cap; the trading
keys are in tui/ladder_keys.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.driver import Driver
from textual.message import Message
from textual.screen import Screen
from textual.theme import Theme
from textual.widget import Widget
from textual.widgets import Footer, Static

from tui import config as cfg
from tui.core.contracts import Contract, ContractSpec
from tui.core.desk import Desk
from tui.core.gate import gated_loop
from tui.core.journal import Journal, describe, order_history, read
from tui.core.ports import BrokerPort
from tui.core.priority import UI
from tui.core.words import counted, plain_quantity
from tui.frame import Frame
from tui.key_lane import KeyLane, keys_first
from tui.keys import BINDINGS, MODAL_BINDING_IDS, MODAL_BINDINGS, help_rows
from tui.ladder_keys import LadderKeys
from tui.screens.modals import Help, OrderHistory, Search
from tui.screens.trading import TradingScreen
from tui.theming import SEMANTIC_DEFAULTS, shipped_themes
from tui.tuning import restore_garbage_collector
from tui.widgets.blotter import Blotter
from tui.widgets.ladder import Ladder
from tui.widgets.pane import Pane
from tui.widgets.panes import Messages, Positions, StatusBar, Watchlist
from tui.widgets.tape import TimeAndSales

LAYOUTS = ("full", "ladder", "positions", "orders", "watchlist", "tape")
COMPACT_BELOW = 100  # columns: narrower terminals show one pane at a time
# actions that only send or cancel orders (besides "order" when it asks nothing): a key bound to one
# may run on the terminal driver's thread, inside the desk's gate (``tui.key_lane``)
DIRECT_ACTIONS = frozenset({"cancel_here", "cancel_instrument"})


class IBTuiApp(LadderKeys, App[int]):
    """The ibtui screen over one desk; ``layout`` is "full" or a single pane (tmux splits)."""

    CSS_PATH = "app.tcss"
    TITLE = "ibtui"
    BINDINGS: ClassVar[list[BindingType]] = [*BINDINGS]

    def __init__(self, settings: cfg.Settings, broker: BrokerPort, journal: Journal | None = None,
                 layout: str = "full", symbol: str | None = None, confirm: str | None = None,
                 clock: Callable[[], float] = time.time, demo: bool = False) -> None:
        super().__init__()
        self.demo = demo  # the simulated gateway runs inside this process and stops with it
        self.settings = settings
        c = settings.connection
        self.desk = Desk(broker, settings.risk, journal, c.read_only, c.live, c.port, clock)
        self.desk.trades_window = settings.ui.trades_window
        self.desk.queue.cancel_weight = settings.ui.queue_cancel_weight
        self.desk.breakeven_ticks = settings.orders.breakeven_ticks
        self.desk.breakeven_offset_ticks = settings.orders.breakeven_offset_ticks
        self.layout_name = layout if layout in LAYOUTS else "full"
        self.ladder_query = (symbol or (settings.watchlist[0] if settings.watchlist else "ES")).upper()
        self.ladder_spec: ContractSpec | None = None
        self.quantity = settings.orders.quantity_for(self.ladder_query)
        self.confirm_policy = confirm or settings.orders.confirm
        self.selected: set[int] = set()
        self.show_stats = settings.ui.show_stats
        self.search_screen: Search | None = None
        self.frames = Frame(self)
        self._pane = 1  # the ladder: tab goes on from there
        self.exit_note = ""
        # the trading screen's keys run at once; with a table focused Textual routes them
        self.key_lane = KeyLane(self, lambda focused: focused is None or isinstance(focused, Ladder),
                                gate=self.desk.gate, direct=self._may_run_direct)

    def get_default_screen(self) -> Screen:
        return TradingScreen(first=(Ladder,), gate=self.desk.gate)

    def _may_run_direct(self, action: str) -> bool:
        """May this key's action run on the terminal driver's thread (``tui.key_lane``)? Only those
        that send or cancel orders and nothing else: no question asked, no screen pushed."""
        if action == "order":
            return not self._needs_confirm()
        return action in DIRECT_ACTIONS

    def run(self, *, loop: asyncio.AbstractEventLoop | None = None, **kwargs: Any) -> int | None:
        """On a loop that lets a key's order go while it waits (``tui.core.gate``)."""
        if loop is not None:
            return super().run(loop=loop, **kwargs)
        with asyncio.Runner(loop_factory=lambda: gated_loop(self.desk.gate)) as runner:
            asyncio.set_event_loop(runner.get_loop())
            return super().run(loop=runner.get_loop(), **kwargs)

    def get_driver_class(self) -> type[Driver]:
        return keys_first(super().get_driver_class())

    def post_message(self, message: Message) -> bool:
        if type(message) is events.Key and not message.is_forwarded:
            try:
                if self.key_lane.take(message):
                    return True
            finally:
                lane = getattr(message, "handed_to", None)
                if lane is not None:
                    message.handed_to = None  # type: ignore[attr-defined]
                    lane.arrived += 1  # keys read after it may run on the driver's thread again
                if getattr(message, "claimed_priority", False):
                    message.claimed_priority = False  # type: ignore[attr-defined]
                    UI.release()  # run, or on its way through Textual: decoding goes on
        return super().post_message(message)

    # --- composition -------------------------------------------------------------------------
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(SEMANTIC_DEFAULTS)

    def compose(self) -> ComposeResult:
        layout = self.layout_name
        if layout == "full":
            with Horizontal(id="body"):
                with Vertical(id="left"):
                    yield from self._pane_box("watchlist-pane", "Watchlist", Watchlist(id="watchlist"))
                    yield from self._pane_box("positions-pane", "Positions", Positions(id="positions"))
                    yield from self._pane_box("tape-pane", "Time & sales", TimeAndSales(id="tape"))
                with Vertical(id="center"):
                    yield from self._pane_box("ladder-pane", "Ladder", Ladder(id="ladder"))
            with Horizontal(id="bottom"):
                yield from self._pane_box("orders-pane", "Orders", Blotter(id="orders"))
                yield from self._pane_box("messages-pane", "Messages", Messages(id="messages"))
        else:
            widget: Widget = {"ladder": Ladder(id="ladder"), "positions": Positions(id="positions"),
                              "orders": Blotter(id="orders"), "watchlist": Watchlist(id="watchlist"),
                              "tape": TimeAndSales(id="tape")}[layout]
            title = {"tape": "Time & sales"}.get(layout, layout.title())
            with Vertical(id="body"):
                yield from self._pane_box(f"{layout}-pane", title, widget)
            yield from self._pane_box("messages-pane", "Messages", Messages(id="messages"))
        yield StatusBar(id="status")
        yield Footer()

    @staticmethod
    def _pane_box(box_id: str, title: str, widget: Widget) -> Iterable[Widget]:
        yield Pane(Static(title, classes="title", name=title), widget, id=box_id, classes="pane")

    def on_mount(self) -> None:
        self.key_lane.bind_thread()
        for theme in shipped_themes():
            self.register_theme(theme)
        if self.settings.ui.theme in self.available_themes:
            self.theme = self.settings.ui.theme
        else:
            self.desk.say(f"theme {self.settings.ui.theme!r} is unknown; using ibtui-dark", "warning")
            self.theme = "ibtui-dark"
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self._apply_keymap()
        if self.layout_name != "full":
            self.screen.add_class("single")
        self.frames.find_panes()
        self._resize(self.size.width)
        if self.frames.watchlist is not None:
            self.frames.watchlist.set_symbols([q.upper() for q in self.settings.watchlist])
        ladder = self.frames.ladder
        if ladder is not None:
            ladder.auto_center = self.settings.ui.auto_center
            ladder.max_rows = self.settings.ui.ladder_rows
            ladder.focus()
        self.desk.start()
        for q in dict.fromkeys([self.ladder_query, *(q.upper() for q in self.settings.watchlist)]):
            self.desk.resolve(q)
        self.frames.run_every(1 / self.settings.ui.frame_rate)

    def ladder_changed(self, spec: ContractSpec) -> None:
        """The ladder's instrument resolved (or changed): its own quantity, no selection."""
        self.ladder_spec = spec
        self.quantity = self.settings.orders.quantity_for(*self.instrument_names(), kind=spec.contract.sec_type)
        self.selected.clear()

    def _apply_keymap(self) -> None:
        known = {b.id for b in BINDINGS if b.id} | MODAL_BINDING_IDS
        unknown = sorted(set(self.settings.keymap) - known)
        if unknown:
            self.desk.say(f"keymap: unknown binding ids {', '.join(unknown)} (see ? for the ids)", "warning")
        self.set_keymap({k: v for k, v in self.settings.keymap.items() if k in known})
        self.key_lane.forget()

    def _theme_changed(self, theme: Theme) -> None:
        if theme.name != self.settings.ui.theme:
            self.settings.ui.theme = theme.name
            try:
                cfg.save_state(theme=theme.name)
            except OSError as e:
                self.desk.say(f"could not save the theme choice: {e}", "warning")
        if self.frames.ladder is not None:
            self.frames.ladder.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._resize(event.size.width)

    def _resize(self, width: int) -> None:
        """Full or compact, decided again at every size: tmux panes are resized all day."""
        if self.layout_name != "full":
            return
        screen = self.screen_stack[0]
        compact = width < COMPACT_BELOW
        if compact != screen.has_class("compact"):
            screen.set_class(compact, "compact")
            self._title_hints(screen, compact)
            ladder = self.frames.ladder
            if compact and ladder is not None:
                # the pane in use stays in view; at start that is the ladder
                self._show_compact_pane(self.focused if ladder.cursor is not None else ladder)
            else:
                self._clear_shown(screen)

    @staticmethod
    def _title_hints(screen: Screen, compact: bool) -> None:
        """Compact, one pane shows at a time: its title says how to reach the others (the footer has
        no room left for tab, and the orders and positions are out of sight)."""
        for title in screen.query(".pane > .title").results(Static):
            if title.name and title.parent is not None and title.parent.id != "messages-pane":
                title.update(f"{title.name}  ·  tab: next pane  ·  ? all keys" if compact else title.name)

    @staticmethod
    def _clear_shown(screen: Screen) -> None:
        for name in ("watchlist", "positions", "orders", "tape"):
            screen.remove_class(f"show-{name}")

    # --- actions: panes ------------------------------------------------------------------------
    def action_search(self) -> None:
        def picked(contract: Contract | None) -> None:
            self.search_screen = None
            w = self.frames.watchlist
            if contract is None or w is None:
                return
            if contract.sec_type == "STK":
                query = contract.symbol
            elif contract.sec_type == "CASH":
                query = contract.key  # EUR.USD
            else:
                query = f"{contract.symbol}:{contract.sec_type}:{contract.exchange}".rstrip(":")
            if w.add_symbol(query.upper()):
                self.desk.resolve(query)
                self.settings.watchlist = list(w.queries)
                self._save_watchlist(w.queries)

        self.search_screen = Search(self.desk.search)
        self.push_screen(self.search_screen, picked)

    def action_remove_symbol(self) -> None:
        w = self.frames.watchlist
        q = w.selected_query() if w is not None else None
        if w is not None and q:
            w.remove_symbol(q)
            self._save_watchlist(w.queries)

    def _save_watchlist(self, queries: list[str]) -> None:
        try:
            cfg.save_state(watchlist=list(queries))
        except OSError as e:
            self.desk.say(f"could not save the watchlist: {e}", "warning")

    def on_watchlist_opened(self, message: Watchlist.Opened) -> None:
        self.ladder_query = message.query.upper()
        spec = self.desk.spec_for(self.ladder_query)
        if spec is None:
            self.desk.resolve(self.ladder_query)
        self.frames.follow()
        if self.frames.ladder is not None:
            self.frames.ladder.focus()

    def action_cycle_panes(self) -> None:
        if len(self.screen_stack) > 1:
            self.screen.focus_next()  # inside a modal (the ticket) tab moves between fields
            return
        f = self.frames
        panes: list[Widget] = [w for w in (f.watchlist, f.ladder, f.positions, f.blotter, f.tape)
                               if w is not None]
        if not panes:
            return
        self._pane = (self._pane + 1) % len(panes)
        target = panes[self._pane]
        self._show_compact_pane(target)
        target.focus()

    def _show_compact_pane(self, target: Widget | None) -> None:
        """In the compact layout, the pane shown instead of the ladder (none: the ladder)."""
        screen = self.screen_stack[0]
        if not screen.has_class("compact"):
            return
        self._clear_shown(screen)
        kind = ("watchlist" if isinstance(target, Watchlist) else "positions" if isinstance(target, Positions)
                else "orders" if isinstance(target, Blotter) else "tape" if isinstance(target, TimeAndSales)
                else "")
        if kind:
            screen.add_class(f"show-{kind}")

    def action_toggle_working(self) -> None:
        blotter = self.frames.blotter
        if blotter is not None:
            blotter.working_only = not blotter.working_only
            blotter.update_orders(self.desk.orders.by_id.values(), self.desk.fmt, rebuild=True)
            self.desk.say("orders: working only" if blotter.working_only else "orders: all of today's")

    def action_zoom(self) -> None:
        """The focused pane fills the screen (every column shows); again to restore."""
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
        elif isinstance(self.focused, (Ladder, Watchlist, Positions, Blotter, TimeAndSales)):
            screen.maximize(self.focused, container=False)

    def on_blotter_history_requested(self, message: Blotter.HistoryRequested) -> None:
        rec = self.desk.orders.get(message.order_id)
        title = f"Order {message.order_id}" + (f": {self.desk.describe(rec)}" if rec else "")
        lines: list[tuple[str, str]] = []
        price = (lambda p: self.desk.fmt(rec, p)) if rec else None  # on the instrument's tick grid
        journal = self.desk.journal
        if journal is not None:
            records, _ = read(journal.path)
            for r in order_history(records, message.order_id):
                if r.get("client_id") == journal.client_id and r.get("gateway", "") == journal.gateway:
                    lines.append((str(r.get("ts", ""))[11:23], describe(r, price)))
        if not lines:
            lines.append(("", "no journal lines for this order today"))
        self.push_screen(OrderHistory(title, lines))

    def action_toggle_stats(self) -> None:
        self.show_stats = not self.show_stats

    def action_help(self) -> None:
        self.push_screen(Help(help_rows([*BINDINGS, *MODAL_BINDINGS], self.settings.keymap)))

    def action_quit_app(self) -> None:
        n = len(self.desk.orders.working())
        held, positions = self._positions_held()
        if self.demo and (n or held):
            what = " and ".join(filter(None, (counted(n, 'working order') if n else "",
                                               f"a {held}" if positions == 1 else held)))
            self.ask(f"{what[0].upper()}{what[1:]} at the simulated gateway. Quitting stops the demo's "
                     f"gateway and ends {'it' if n + positions == 1 else 'them'}. Quit?",
                     lambda: self._quit(n, held))
        elif n:
            one = n == 1
            self.ask(f"{counted(n, 'working order')} {'stays' if one else 'stay'} working at the broker "
                     f"after you quit (X cancels {'it' if one else 'them'} first). Quit?",
                     lambda: self._quit(n, held))
        elif unsure := len(self.desk.orders.unconfirmed()):
            self.ask(f"{counted(unsure, 'order')} may still be working at the broker: no gateway has "
                     "confirmed or ended them since the connection dropped. Quit?",
                     lambda: self._quit(0, held, unsure))
        else:
            self._quit(0, held)  # a position stays at the broker: said on the way out, not asked

    def _positions_held(self) -> tuple[str, int]:
        """``position of +1 ESZ6`` / ``positions of +1 ESZ6, -200 AAPL``: every position that is
        not flat, as the positions pane has them (empty when flat everywhere), and how many."""
        rows = sorted(self.desk.portfolio.rows.values(), key=lambda r: r.contract.key)
        held = [f"{plain_quantity(r.quantity, sign=True)} {r.contract.key}" for r in rows if r.quantity]
        if not held:
            return "", 0
        return f"position{'s' if len(held) > 1 else ''} of {', '.join(held)}", len(held)

    def _quit(self, working: int, held: str = "", unsure: int = 0) -> None:
        if self.demo:
            gone = " and ".join(filter(None, (f"its {counted(working, 'working order')}" if working else "",
                                               f"the {held}" if held else "")))
            self.exit_note = (f"ibtui demo: the simulated gateway stopped; {gone} ended with it."
                              if gone else "")
        else:
            notes = " ".join(filter(None, (
                f"{counted(working, 'working order')} {'remains' if working == 1 else 'remain'} working "
                "at the broker." if working else "",
                f"{counted(unsure, 'order')} may still be working at the broker." if unsure else "",
                f"The broker still holds the {held}." if held else "")))
            self.exit_note = f"ibtui: {notes}" if notes else ""
        self.exit(0)

    def on_unmount(self) -> None:
        self.frames.stop()
        self.desk.stop()
        restore_garbage_collector()  # no more frames to collect between

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for b in BINDINGS:
            if b.id and not b.id.startswith("preset_") and b.id not in ("cursor_up", "cursor_down"):
                action = b.action
                yield SystemCommand(b.description, f"{b.id} ({b.key})",
                                    lambda a=action: self.run_action(a))
