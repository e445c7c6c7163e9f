"""The trading screen: composes the panes and routes keys to the desk.

Logic lives in tui.core (the Desk); this module wires widgets to it. The app
wakes at most once per frame (a timer at the configured frame cap), drains
everything the broker thread queued, and redraws what changed.
"""

from __future__ import annotations

import dataclasses
import gc
import time
from collections import deque
from collections.abc import Iterable

from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import Footer, Static

from tui import config as cfg
from tui.core import events as ev
from tui.core.contracts import Contract, ContractSpec
from tui.core.desk import Desk
from tui.core.intents import Bracket, OrderIntent
from tui.core.journal import Journal
from tui.core.orders import OrderRecord
from tui.core.ports import BrokerPort
from tui.core.prices import from_ticks, to_ticks
from tui.core.risk import Limits
from tui.keys import BINDINGS, help_rows
from tui.screens.modals import Confirm, Help, OrderHistory, Search
from tui.screens.ticket import Ticket
from tui.theming import SEMANTIC_DEFAULTS, shipped_themes
from tui.widgets.ladder import Ladder
from tui.widgets.blotter import Blotter
from tui.widgets.panes import Messages, Positions, StatusBar, Watchlist

LAYOUTS = ("full", "ladder", "positions", "orders", "watchlist")
COMPACT_BELOW = 100  # columns: narrower terminals show one pane at a time
DEPTH_ROWS = 20
STOP_LIMIT_OFFSET_TICKS = 2
WATCHLIST_INTERVAL = 0.2  # seconds between watchlist redraws


def settle_garbage_collector() -> None:
    """After start-up, freeze what exists so full collections stop rescanning it.

    Before this, full collections paused the UI for 20-150 ms while a key waited.
    The thresholds stay Python's: making full collections rarer was tried, and a
    ten-minute storm then saw one 1.3 s pause and memory at 181 MB.
    """
    gc.collect()
    gc.freeze()


class IBTuiApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "ibtui"
    BINDINGS = BINDINGS

    def __init__(self, settings: cfg.Settings, broker: BrokerPort, journal: Journal | None = None,
                 layout: str = "full", symbol: str | None = None, confirm: str | None = None,
                 clock: object = time.time, demo: bool = False) -> None:
        super().__init__()
        self.demo = demo  # the simulated gateway runs inside this process and stops with it
        self.settings = settings
        limits = Limits(**dataclasses.asdict(settings.risk))  # the [risk] section is Limits' fields
        c = settings.connection
        self.desk = Desk(broker, limits, journal, c.read_only, c.live, c.port, clock)  # type: ignore[arg-type]
        self.layout_name = layout if layout in LAYOUTS else "full"
        self.ladder_query = (symbol or (settings.watchlist[0] if settings.watchlist else "ES")).upper()
        self.quantity = settings.orders.quantity_for(self.ladder_query)
        self.confirm_policy = confirm or settings.orders.confirm
        self.selected: set[int] = set()
        self.show_stats = settings.ui.show_stats
        self.frame_ms: deque[float] = deque(maxlen=100_000)
        self.ladder_ms: deque[float] = deque(maxlen=100_000)
        self.first_paint: float | None = None
        self._subscribed: set[int] = set()
        self._ladder_spec: ContractSpec | None = None
        self._last_status: tuple[object, ...] = ()
        self._msg_rate = (time.monotonic(), 0, 0.0)
        self._pane = 1  # the ladder: tab goes on from there
        self._search: Search | None = None
        self._portfolio_dirty = True
        self._changed: set[int] = set()
        self._watch_drawn = 0.0
        self._tables_drawn = 0.0
        self.exit_note = ""
        # the panes, found once mounted (see _widgets)
        self.ladder: Ladder | None = None
        self.watchlist: Watchlist | None = None
        self.positions: Positions | None = None
        self.blotter: Blotter | None = None
        self.messages_box: Messages | None = None
        self.status_bar: StatusBar | None = None

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
                with Vertical(id="center"):
                    yield from self._pane_box("ladder-pane", "Ladder", Ladder(id="ladder"))
            with Horizontal(id="bottom"):
                yield from self._pane_box("orders-pane", "Orders", Blotter(id="orders"))
                yield from self._pane_box("messages-pane", "Messages", Messages(id="messages"))
        else:
            widget = {"ladder": Ladder(id="ladder"), "positions": Positions(id="positions"),
                      "orders": Blotter(id="orders"), "watchlist": Watchlist(id="watchlist")}[layout]
            with Vertical(id="body"):
                yield from self._pane_box(f"{layout}-pane", layout.title(), widget)
            yield from self._pane_box("messages-pane", "Messages", Messages(id="messages"))
        yield StatusBar(id="status")
        yield Footer()

    @staticmethod
    def _pane_box(box_id: str, title: str, widget: object) -> Iterable[object]:
        box = Vertical(Static(title, classes="title"), widget, id=box_id, classes="pane")  # type: ignore[arg-type]
        yield box

    def on_mount(self) -> None:
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
        self._widgets()
        self._resize(self.size.width)
        for w in self._watchlists():
            w.set_symbols([q.upper() for q in self.settings.watchlist])
        ladder = self.ladder
        if ladder is not None:
            ladder.auto_center = self.settings.ui.auto_center
            ladder.max_rows = self.settings.ui.ladder_rows
            ladder.focus()
        self.desk.broker.start()
        for q in dict.fromkeys([self.ladder_query, *(q.upper() for q in self.settings.watchlist)]):
            self.desk.resolve(q)
        self.set_interval(1 / self.settings.ui.frame_rate, self.frame)

    def _apply_keymap(self) -> None:
        known = {b.id for b in BINDINGS if b.id}
        unknown = sorted(set(self.settings.keymap) - known)
        if unknown:
            self.desk.say(f"keymap: unknown binding ids {', '.join(unknown)} (see ? for the ids)", "warning")
        self.set_keymap({k: v for k, v in self.settings.keymap.items() if k in known})

    def _theme_changed(self, theme: Theme) -> None:
        if theme.name != self.settings.ui.theme:
            self.settings.ui.theme = theme.name
            try:
                cfg.save_state(theme=theme.name)
            except OSError as e:
                self.desk.say(f"could not save the theme choice: {e}", "warning")
        ladder = self.ladder
        if ladder is not None:
            ladder.refresh()

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
            if compact and self.ladder is not None:
                # the pane in use stays in view; at start that is the ladder
                self._show_compact_pane(self.focused if self.ladder.cursor is not None else self.ladder)
            else:
                self._clear_shown(screen)

    def _watchlists(self) -> list[Watchlist]:
        return [self.watchlist] if self.watchlist is not None else []

    @staticmethod
    def _clear_shown(screen: Screen) -> None:
        for name in ("watchlist", "positions", "orders"):
            screen.remove_class(f"show-{name}")

    def _widgets(self) -> None:
        """The panes this layout has, looked up once (the frame draws them 30 times a second)."""
        def one(kind: type) -> object:
            found = self.query(kind)
            return found.first() if found else None

        self.ladder = one(Ladder)  # type: ignore[assignment]
        self.watchlist = one(Watchlist)  # type: ignore[assignment]
        self.positions = one(Positions)  # type: ignore[assignment]
        self.blotter = one(Blotter)  # type: ignore[assignment]
        self.messages_box = one(Messages)  # type: ignore[assignment]
        self.status_bar = one(StatusBar)  # type: ignore[assignment]

    # --- the frame ------------------------------------------------------------------------------
    def frame(self) -> None:
        started = time.perf_counter()
        desk = self.desk
        events, updates = desk.pump()
        self._subscribe_resolved()
        var = self.theme_variables
        ladder = self.ladder
        spec = self._ladder_spec
        if ladder is not None and spec is not None:
            con = spec.contract.con_id
            row = desk.portfolio.rows.get(con)
            position = row.quantity if row else 0.0
            avg = row.avg_price if row and row.quantity else None
            pnl = row.unrealized if row and row.quantity else None
            m = desk.markets.get(con)
            if m is not None and avg is not None and m.last:
                pnl = (m.last - avg) * position * spec.multiplier
            selected = frozenset(to_ticks(r.price, spec.tick) for r in self._selected_orders()
                                 if r.price is not None)
            t0 = time.perf_counter()
            ladder.update_view(m, desk.orders.working(con), position, avg, self.quantity, pnl, selected)
            # the ladder's cost this frame: last frame's painting plus this update
            self.ladder_ms.append((time.perf_counter() - t0 + ladder.paint_seconds) * 1000)
            ladder.paint_seconds = 0.0
            if self.first_paint is None and m is not None and ladder.rows:
                self.first_paint = time.monotonic()
                settle_garbage_collector()
        self._changed |= {u.con_id for u in updates}
        now = time.monotonic()
        if now - self._watch_drawn >= WATCHLIST_INTERVAL:
            # quotes in a list need not move at the ladder's frame rate
            self._watch_drawn = now
            changed, self._changed = self._changed, set()
            w = self.watchlist
            if w is not None:
                for q in w.queries:
                    s = desk.spec_for(q)
                    con = s.contract.con_id if s else None
                    if s is None or con in changed or int(now) != int(now - WATCHLIST_INTERVAL):
                        w.update_row(q, s, desk.markets.get(con) if con else None, self._badge(s))
        if any(isinstance(e, (ev.Position, ev.PortfolioItem, ev.PnLSingle)) for e in events):
            self._portfolio_dirty = True
        if now - self._tables_drawn >= WATCHLIST_INTERVAL:
            # tables repaint whole: at most five times a second, so a key never waits long
            self._tables_drawn = now
            if self._portfolio_dirty and self.positions is not None:
                self._portfolio_dirty = False
                ticks = {c: s.tick for c, s in desk.specs.items()}
                self.positions.update_rows(list(desk.portfolio.rows.values()), ticks)
        if desk.changed_orders:
            # an order's row changes in the frame its event arrives: a reject is seen at once
            changed, desk.changed_orders = desk.changed_orders, set()
            if self.blotter is not None:
                records = [r for oid in sorted(changed) if (r := desk.orders.get(oid)) is not None]
                self.blotter.update_orders(records, desk.fmt)
        box = self.messages_box
        if box is not None:
            fresh = box.fresh(desk.messages, desk.said)
            if fresh:
                box.add(fresh, var)
                for m in fresh:
                    if m.level == "error":
                        self.notify(m.text, severity="error", timeout=6)
        if self._search is not None and desk.matches is not None:
            self._search.show(desk.matches.pattern, desk.matches.contracts)
            desk.matches = None
        self._status(var)
        self.frame_ms.append((time.perf_counter() - started) * 1000)

    def _badge(self, spec: ContractSpec | None) -> str:
        if spec is None:
            return "…"
        seen = self.desk.market_seen.get(spec.contract.con_id)
        if seen is None:
            return "NONE"
        if self.desk.broker.stale or self.desk.clock() - seen > self.settings.risk.stale_data_seconds:
            return "STALE"
        market = self.desk.markets.get(spec.contract.con_id)
        return "DLY" if market is not None and market.delayed else "RT"

    def _subscribe_resolved(self) -> None:
        desk = self.desk
        spec = desk.spec_for(self.ladder_query)
        if spec is not None and (self._ladder_spec is None or
                                 spec.contract.con_id != self._ladder_spec.contract.con_id):
            self._ladder_spec = spec
            self.quantity = self.settings.orders.quantity_for(spec.contract.symbol)
            self.selected.clear()
            ladder = self.ladder
            if ladder is not None:
                ladder.set_instrument(spec, desk.markets.get(spec.contract.con_id))
            desk.broker.subscribe(spec.contract, DEPTH_ROWS)
            desk.broker.pnl_single(spec.contract.con_id)
            self._subscribed.add(spec.contract.con_id)
        for w in self._watchlists():
            for q in w.queries:
                s = desk.spec_for(q)
                if s is not None and s.contract.con_id not in self._subscribed:
                    self._subscribed.add(s.contract.con_id)
                    desk.broker.subscribe(s.contract)

    def _status(self, var: dict[str, str]) -> None:
        desk = self.desk
        c = desk.connection
        pf = desk.portfolio
        daily = pf.daily_pnl if pf.daily_pnl is not None else pf.value("DailyPnL")
        stats = ""
        if self.show_stats:
            t0, n0, rate = self._msg_rate
            now = time.monotonic()
            received = desk.broker.h.received
            if now - t0 >= 1.0:
                rate = (received - n0) / (now - t0)
                self._msg_rate = (now, received, rate)
            frame = sorted(self.frame_ms)[len(self.frame_ms) // 2] if self.frame_ms else 0.0
            stats = f"{rate:,.0f} msg/s  frame {frame:.1f}ms  coalesced {desk.broker.h.coalesced:,}"
        key = (c.state, c.reason, c.reconciling, c.server_version, pf.account, desk.is_live,
               desk.read_only, desk.killed, pf.value("NetLiquidation"), pf.value("BuyingPower"),
               daily, stats, self.theme)
        if key == self._last_status:
            return
        self._last_status = key
        account = pf.account or (c.accounts[0] if c.accounts else "")
        bar = self.status_bar
        if bar is not None:
            bar.show(c.state, c.reason, c.reconciling, c.server_version, account, desk.is_live,
                     desk.read_only, desk.killed, pf.value("NetLiquidation"), pf.value("BuyingPower"),
                     daily, stats, var)

    # --- sending -------------------------------------------------------------------------------
    def _needs_confirm(self) -> bool:
        policy = self.confirm_policy
        return policy == "always" or (policy == "live" and self.desk.is_live)

    def _send(self, intent: OrderIntent) -> None:
        if self._needs_confirm():
            live = "LIVE " if self.desk.is_live else ""
            self.push_screen(Confirm(f"Send {live}order: {intent.describe()}?"),
                             lambda yes: self.desk.submit(intent) if yes else None)
            return
        self.desk.submit(intent)

    def _spec_or_say(self) -> ContractSpec | None:
        if self._ladder_spec is None:
            self.desk.say(f"{self.ladder_query}: the contract is not resolved yet", "error")
        return self._ladder_spec

    def _cursor_price(self) -> float | None:
        ladder = self.ladder
        return ladder.cursor_price if ladder is not None else None

    # --- actions: the ladder ----------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        ladder = self.ladder
        if ladder is not None:
            ladder.move_cursor(delta)
            self.frame()

    def action_page(self, direction: int) -> None:
        ladder = self.ladder
        if ladder is not None:
            ladder.move_cursor(direction * max(1, ladder.visible_rows - 2))
            self.frame()

    def action_recenter(self) -> None:
        ladder = self.ladder
        spec = self._ladder_spec
        if ladder is not None and spec is not None:
            ladder.recenter(self.desk.markets.get(spec.contract.con_id))
            self.frame()

    def action_toggle_hold(self) -> None:
        ladder = self.ladder
        if ladder is not None:
            ladder.hold = not ladder.hold
            self.desk.say("ladder held: it will not re-centre" if ladder.hold else "ladder follows the market")

    # --- actions: orders ----------------------------------------------------------------------
    def action_order(self, side: str, order_type: str) -> None:
        spec = self._spec_or_say()
        if spec is None:
            return
        price = self._cursor_price()
        if price is None and order_type != "MKT":
            self.desk.say(f"{spec.contract.key}: no cursor price yet (waiting for market data)", "error")
            return
        lmt = aux = None
        if order_type == "LMT":
            lmt = price
        elif order_type == "STP":
            aux = price
        elif order_type == "STP LMT" and price is not None:
            aux = price
            offset = STOP_LIMIT_OFFSET_TICKS if side == "BUY" else -STOP_LIMIT_OFFSET_TICKS
            lmt = from_ticks(to_ticks(price, spec.tick) + offset, spec.tick)
        self._send(OrderIntent(spec, side, self.quantity, order_type, lmt, aux,
                               self.settings.orders.tif))

    def action_bracket(self, side: str) -> None:
        spec = self._spec_or_say()
        price = self._cursor_price()
        if spec is None or price is None:
            return
        o = self.settings.orders
        sign = 1 if side == "BUY" else -1
        base = to_ticks(price, spec.tick)
        tp = from_ticks(base + sign * o.bracket_take_profit_ticks, spec.tick)
        sl = from_ticks(base - sign * o.bracket_stop_loss_ticks, spec.tick)
        b = Bracket(OrderIntent(spec, side, self.quantity, "LMT", price, None, o.tif), tp, sl)
        if self._needs_confirm():
            self.push_screen(Confirm(f"Send bracket: {b.entry.describe()} tp {tp:g} sl {sl:g}?"),
                             lambda yes: self.desk.submit_bracket(b) if yes else None)
        else:
            self.desk.submit_bracket(b)

    def _orders_at_cursor(self) -> list[OrderRecord]:
        spec = self._ladder_spec
        ladder = self.ladder
        if spec is None or ladder is None or ladder.cursor is None:
            return []
        return [r for r in self.desk.orders.working(spec.contract.con_id)
                if r.price is not None and to_ticks(r.price, spec.tick) == ladder.cursor]

    def _selected_orders(self) -> list[OrderRecord]:
        out = []
        for oid in list(self.selected):
            rec = self.desk.orders.get(oid)
            if rec is None or not rec.working:
                self.selected.discard(oid)
            else:
                out.append(rec)
        return out

    def _targets(self) -> list[OrderRecord]:
        blotter = self.blotter
        if blotter is not None and blotter.has_focus:
            oid = blotter.selected_order()
            rec = self.desk.orders.get(oid) if oid is not None else None
            return [rec] if rec is not None and rec.working else []
        return self._selected_orders() or self._orders_at_cursor()

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
        targets = self._selected_orders()
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
            n = self.desk.cancel(self.desk.orders.working(spec.contract.con_id), "cancel instrument")
            self.desk.say(f"cancelling {n} orders in {spec.contract.key}")

    def action_cancel_all(self) -> None:
        n = len(self.desk.orders.working())
        self.push_screen(Confirm(f"Cancel EVERY open order in the account ({n} of them from here)?"),
                         lambda yes: self.desk.cancel_everything("cancel all") if yes else None)

    def action_flatten(self) -> None:
        spec = self._spec_or_say()
        if spec is None:
            return
        qty = self.desk.portfolio.position(spec.contract.con_id)
        if not qty:
            self.desk.say(f"{spec.contract.key}: no position to flatten")
            return
        self.push_screen(Confirm(f"Flatten {spec.contract.key}: cancel its orders and "
                                 f"{'SELL' if qty > 0 else 'BUY'} {abs(qty):g} at market?"),
                         lambda yes: self.desk.flatten(spec) if yes else None)

    def action_kill_switch(self) -> None:
        if not self.desk.killed:
            self.desk.kill()  # the panic button acts at once
            return
        self.push_screen(Confirm("Re-arm trading (the kill switch is on)?"),
                         lambda yes: self.desk.rearm() if yes else None)

    def action_quantity(self, direction: int) -> None:
        spec = self._ladder_spec
        step = self.settings.orders.quantity_for(spec.contract.symbol) if spec else 1
        self.quantity = max(step, self.quantity + direction * step)

    def action_preset(self, n: int) -> None:
        symbol = self._ladder_spec.contract.symbol if self._ladder_spec else self.ladder_query
        presets = self.settings.orders.presets_for(symbol)
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

    # --- actions: panes ------------------------------------------------------------------------
    def action_search(self) -> None:
        def picked(contract: Contract | None) -> None:
            self._search = None
            if contract is None:
                return
            query = contract.symbol if contract.sec_type == "STK" else (
                f"{contract.symbol}.{contract.currency}" if contract.sec_type == "CASH"
                else f"{contract.symbol}:{contract.sec_type}:{contract.exchange}")
            for w in self._watchlists():
                if w.add_symbol(query.upper()):
                    self.desk.resolve(query)
                    self.settings.watchlist = list(w.queries)
                    self._save_watchlist(w.queries)

        self._search = Search(self.desk.broker.search)
        self.push_screen(self._search, picked)

    def action_remove_symbol(self) -> None:
        for w in self._watchlists():
            q = w.selected_query()
            if q:
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
        self._subscribe_resolved()
        ladder = self.ladder
        if ladder is not None:
            ladder.focus()

    def action_cycle_panes(self) -> None:
        if len(self.screen_stack) > 1:
            self.screen.focus_next()  # inside a modal (the ticket) tab moves between fields
            return
        panes = [w for w in (self.watchlist, self.ladder, self.positions, self.blotter) if w is not None]
        if not panes:
            return
        self._pane = (self._pane + 1) % len(panes)
        target = panes[self._pane]
        self._show_compact_pane(target)
        target.focus()

    def _show_compact_pane(self, target: object) -> None:
        """In the compact layout, the pane shown instead of the ladder (none: the ladder)."""
        screen = self.screen_stack[0]
        if not screen.has_class("compact"):
            return
        self._clear_shown(screen)
        kind = {Watchlist: "watchlist", Positions: "positions", Blotter: "orders"}.get(type(target))
        if kind:
            screen.add_class(f"show-{kind}")

    def action_toggle_working(self) -> None:
        if self.blotter is not None:
            self.blotter.working_only = not self.blotter.working_only
            self.blotter.update_orders(self.desk.orders.by_id.values(), self.desk.fmt, rebuild=True)
            self.desk.say("orders: working only" if self.blotter.working_only else "orders: all of today's")

    def action_zoom(self) -> None:
        """The focused pane fills the screen (every column shows); again to restore."""
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
        elif isinstance(self.focused, (Ladder, Watchlist, Positions, Blotter)):
            screen.maximize(self.focused, container=False)

    def on_blotter_history_requested(self, message: Blotter.HistoryRequested) -> None:
        from tui.core.journal import describe, order_history, read

        rec = self.desk.orders.get(message.order_id)
        title = f"Order {message.order_id}" + (f": {self.desk.describe(rec)}" if rec else "")
        lines: list[tuple[str, str]] = []
        journal = self.desk.journal
        if journal is not None:
            records, _ = read(journal.path)
            for r in order_history(records, message.order_id):
                if r.get("client_id") == journal.client_id and r.get("gateway", "") == journal.gateway:
                    lines.append((str(r.get("ts", ""))[11:23], describe(r)))
        if not lines:
            lines.append(("", "no journal lines for this order today"))
        self.push_screen(OrderHistory(title, lines))

    def action_toggle_stats(self) -> None:
        self.show_stats = not self.show_stats

    def action_help(self) -> None:
        self.push_screen(Help(help_rows(BINDINGS, self.settings.keymap)))

    def action_quit_app(self) -> None:
        n = len(self.desk.orders.working())
        if n and self.demo:
            self.push_screen(Confirm(f"{n} working order(s) at the simulated gateway. The demo's gateway "
                                     "stops when you quit, and its orders end with it. Quit?"),
                             lambda yes: self._quit(n) if yes else None)
        elif n:
            self.push_screen(Confirm(f"{n} working order(s) stay working at the broker after you quit "
                                     "(X cancels them first). Quit?"),
                             lambda yes: self._quit(n) if yes else None)
        else:
            self._quit(0)

    def _quit(self, working: int) -> None:
        if not working:
            self.exit_note = ""
        elif self.demo:
            self.exit_note = (f"ibtui demo: the simulated gateway stopped; its {working} working order(s) "
                              "ended with it.")
        else:
            self.exit_note = f"ibtui: {working} working order(s) remain working at the broker."
        self.exit(0)

    def on_unmount(self) -> None:
        self.desk.broker.stop()
        if self.desk.journal is not None:
            self.desk.journal.close()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for b in BINDINGS:
            if b.id and not b.id.startswith("preset_") and b.id not in ("cursor_up", "cursor_down"):
                action = b.action
                yield SystemCommand(b.description, f"{b.id} ({b.key})",
                                    lambda a=action: self.run_action(a))
