"""The frame: once per tick of the frame cap, drain the desk and redraw what changed.

``Frame`` holds the panes (found once: the frame runs 30 times a second) and
draws them from the desk's state. Tables repaint at most five times a second;
an order's blotter row changes in the frame its event arrives.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

from textual.widget import Widget

from tui.core import events as ev
from tui.core.prices import to_ticks
from tui.core.priority import UI
from tui.tuning import collect_between_frames, settle_garbage_collector
from tui.screens.trading import TradingScreen
from tui.widgets.blotter import Blotter
from tui.widgets.ladder import Ladder
from tui.widgets.panes import Messages, Positions, StatusBar, Watchlist
from tui.widgets.styles import FRAME_REPAINTS
from tui.widgets.tape import TimeAndSales

if TYPE_CHECKING:
    from tui.app import IBTuiApp

DEPTH_ROWS = 20
TABLE_INTERVAL = 0.2  # seconds between redraws of the watchlist and positions
STATS_FRAMES = 30  # the status bar's frame time: the median of this many latest frames
# events after which the positions pane is redrawn (a resync's end may have dropped a position)
PORTFOLIO_NEWS = (ev.Position, ev.PortfolioItem, ev.PnLSingle, ev.PositionsEnd)

W = TypeVar("W", bound=Widget)


class Frame:
    """The per-frame drain and redraw; holds the app's panes."""
    def __init__(self, app: IBTuiApp) -> None:
        self.app = app
        self.desk = app.desk
        self.ms: deque[float] = deque(maxlen=100_000)  # whole frames
        self.ladder_ms: deque[float] = deque(maxlen=100_000)  # the ladder's update and paint
        self.first_paint: float | None = None
        self.ladder: Ladder | None = None
        self.watchlist: Watchlist | None = None
        self.positions: Positions | None = None
        self.blotter: Blotter | None = None
        self.messages: Messages | None = None
        self.status_bar: StatusBar | None = None
        self.tape: TimeAndSales | None = None
        self.screen: TradingScreen | None = None  # paints what a frame changed as it ends
        self._timer: asyncio.TimerHandle | None = None
        self._period = self._next = 0.0
        self._subscribed: set[int] = set()
        self._changed: set[int] = set()  # instruments with news since the watchlist was drawn
        self._portfolio_dirty = True
        self._watch_drawn = 0.0
        self._tables_drawn = 0.0
        self._last_status: tuple[object, ...] = ()
        self._msg_rate = (time.monotonic(), 0, 0.0, 0.0)  # when, messages then, msg/s, frame ms

    def find_panes(self) -> None:
        """The panes this layout has, looked up once after mounting."""
        self.ladder = self._one(Ladder)
        self.watchlist = self._one(Watchlist)
        self.positions = self._one(Positions)
        self.blotter = self._one(Blotter)
        self.messages = self._one(Messages)
        self.status_bar = self._one(StatusBar)
        self.tape = self._one(TimeAndSales)
        screen = self.app.screen
        self.screen = screen if isinstance(screen, TradingScreen) else None

    def _one(self, kind: type[W]) -> W | None:
        found = self.app.query(kind)
        return found.first() if found else None

    def run_every(self, period: float) -> None:
        """Draw a frame every ``period`` seconds on the running loop, until ``stop``: a callback
        the loop calls at its time, where a Textual timer is a task that sleeps, wakes and
        inspects its callback each tick (0.1 ms of the loop's time a tick on the 2-CPU machine
        class, a tenth of an idle market's frame). A tick missed (a long frame) is skipped."""
        loop = asyncio.get_running_loop()
        self._period = period
        self._next = loop.time() + period
        self._timer = loop.call_at(self._next, self._tick, loop)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _tick(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        self._next += self._period
        if self._next <= now:  # on the grid, after now
            self._next += ((now - self._next) // self._period + 1) * self._period
        self._timer = loop.call_at(self._next, self._tick, loop)
        if self.app._exit:
            return
        try:
            self.draw()
        except Exception as error:  # as a Textual timer does: the app stops and shows it
            self.app._handle_exception(error)

    def draw(self) -> None:
        screen = self.screen
        with UI:  # market-data decoding steps aside while the frame is drawn
            if screen is None:
                self._draw()
            else:
                FRAME_REPAINTS.open = True
                try:
                    self._draw()
                finally:
                    FRAME_REPAINTS.open = False
                screen.paint_now(FRAME_REPAINTS.take())
        collect_between_frames()  # after the frame is painted and any waiting key has gone

    def _draw(self) -> None:
        started = time.perf_counter()
        app, desk = self.app, self.desk
        gate = desk.gate
        events, updates = desk.pump()
        gate.let_in()  # a key's order waiting at the gate goes now, not after the whole frame
        self.follow()
        var = app.theme_variables
        self._draw_ladder()
        gate.let_in()
        if self.tape is not None:
            spec = app.ladder_spec
            self.tape.show(spec, desk.tapes.get(spec.contract.con_id) if spec else None)
        self._changed |= {u.con_id for u in updates}
        now = time.monotonic()
        if now - self._watch_drawn >= TABLE_INTERVAL:
            # quotes in a list need not move at the ladder's frame rate
            self._watch_drawn = now
            changed, self._changed = self._changed, set()
            w = self.watchlist
            if w is not None:
                new_second = int(now) != int(now - TABLE_INTERVAL)  # ages and badges move on
                for q in w.queries:
                    s = desk.spec_for(q)
                    con = s.contract.con_id if s else None
                    if s is None or con in changed or new_second:
                        w.update_row(q, s, desk.markets.get(con) if con else None, desk.freshness(s))
        held = desk.portfolio.rows
        if any(isinstance(e, PORTFOLIO_NEWS) for e in events) or (
                held and any(u.con_id in held for u in updates)):  # valued at the live last
            self._portfolio_dirty = True
        if now - self._tables_drawn >= TABLE_INTERVAL:
            # tables repaint whole: at most five times a second, so a key never waits long
            self._tables_drawn = now
            if self._portfolio_dirty and self.positions is not None:
                self._portfolio_dirty = False
                ticks = {c: s.tick for c, s in desk.specs.items()}
                self.positions.update_rows(list(held.values()), ticks, desk.markets)
        if desk.changed_orders:
            # an order's row changes in the frame its event arrives: a reject is seen at once
            changed_orders, desk.changed_orders = desk.changed_orders, set()
            if self.blotter is not None:
                records = [r for oid in sorted(changed_orders) if (r := desk.orders.get(oid)) is not None]
                self.blotter.update_orders(records, desk.fmt)
        gate.let_in()
        box = self.messages
        if box is not None:
            fresh = box.fresh(desk.messages, desk.said)
            if fresh:
                box.add(fresh, var)
                for m in fresh:
                    if m.level == "error":
                        app.notify(m.text, severity="error", timeout=6)
        if app.search_screen is not None and desk.matches is not None:
            app.search_screen.show(desk.matches.pattern, desk.matches.contracts)
            desk.matches = None
        self._status(var)
        self.ms.append((time.perf_counter() - started) * 1000)
        gate.let_in()

    def redraw_ladder(self) -> None:
        """The ladder alone, now (a cursor key): the rest of the frame waits for its tick, so
        a key pressed right after the cursor moves does not queue behind a whole frame."""
        with UI:
            self._draw_ladder()

    def _draw_ladder(self) -> None:
        app, desk, ladder = self.app, self.desk, self.ladder
        spec = app.ladder_spec
        if ladder is None:
            return
        if spec is None:
            ladder.show_note(desk.unresolved_why(app.ladder_query))  # a symbol with no contract: why
            return
        con = spec.contract.con_id
        row = desk.portfolio.rows.get(con)
        position = row.quantity if row else 0.0
        avg = row.avg_price if row and row.quantity else None
        pnl = row.unrealized if row and row.quantity else None
        m = desk.markets.get(con)
        if m is not None and avg is not None and m.last:
            pnl = row.unrealized_at(m.last) if row else None
        selected = frozenset(to_ticks(r.price, spec.tick) for r in app.selected_orders()
                             if r.price is not None)
        tape = desk.tapes.get(con)
        traded = None
        if tape is not None:
            tape.expire(desk.clock())
            traded = tape.recent()
        ahead = {oid: p.ahead for oid, p in desk.queue.places.items() if p.con_id == con}
        t0 = time.perf_counter()
        ladder.update_view(m, desk.orders.working(con), position, avg, app.quantity, pnl, selected,
                           ahead, traded, desk.freshness(spec))
        # the ladder's cost this frame: last frame's painting plus this update
        self.ladder_ms.append((time.perf_counter() - t0 + ladder.paint_seconds) * 1000)
        ladder.paint_seconds = 0.0
        if self.first_paint is None and m is not None and ladder.rows:
            self.first_paint = time.monotonic()
            settle_garbage_collector()

    def follow(self) -> None:
        """Subscribe what has resolved: the ladder's instrument with depth, the watchlist's quotes."""
        app, desk = self.app, self.desk
        spec = desk.spec_for(app.ladder_query)
        current = app.ladder_spec
        if spec is not None and (current is None or spec.contract.con_id != current.contract.con_id):
            app.ladder_changed(spec)
            if self.ladder is not None:
                self.ladder.set_instrument(spec, desk.markets.get(spec.contract.con_id))
            desk.watch(spec.contract, DEPTH_ROWS, pnl=True)
            self._subscribed.add(spec.contract.con_id)
        if self.watchlist is not None:
            for q in self.watchlist.queries:
                s = desk.spec_for(q)
                if s is not None and s.contract.con_id not in self._subscribed:
                    self._subscribed.add(s.contract.con_id)
                    desk.watch(s.contract)

    def _status(self, var: dict[str, str]) -> None:
        app, desk = self.app, self.desk
        c = desk.connection
        pf = desk.portfolio
        daily = pf.daily_pnl if pf.daily_pnl is not None else pf.value("DailyPnL")
        stats = ""
        if app.show_stats:
            t0, n0, rate, frame = self._msg_rate
            now = time.monotonic()
            received, coalesced = desk.feed_counts()
            if now - t0 >= 1.0:
                # once a second, over the last second's frames: the whole history holds up to
                # 100,000 and sorting it every frame would cost more than the frame
                rate = (received - n0) / (now - t0)
                recent = sorted(islice(reversed(self.ms), STATS_FRAMES))
                frame = recent[len(recent) // 2] if recent else 0.0
                self._msg_rate = (now, received, rate, frame)
            stats = f"{rate:,.0f} msg/s  frame {frame:.1f}ms  coalesced {coalesced:,}"
        reason = c.reason
        if c.retry_at:
            left = max(0.0, c.retry_at - desk.clock())
            # first: the status bar shortens long reasons, and the countdown is what changes
            reason = f"retry in {left:.0f}s (attempt {c.attempt})" + (f": {reason}" if reason else "")
        key = (c.state, reason, c.reconciling, c.server_version, pf.account, desk.is_live,
               desk.read_only, desk.killed, pf.value("NetLiquidation"), pf.value("BuyingPower"),
               daily, stats, app.theme)
        if key == self._last_status:
            return
        self._last_status = key
        account = pf.account or (c.accounts[0] if c.accounts else "")
        bar = self.status_bar
        if bar is not None:
            bar.show(c.state, reason, c.reconciling, c.server_version, account, desk.is_live,
                     desk.read_only, desk.killed, pf.value("NetLiquidation"), pf.value("BuyingPower"),
                     daily, stats, var)
