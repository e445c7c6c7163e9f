"""``ibtui bench``: the whole pipeline under a market storm, beside IB's stock path.

The simulated gateway runs in its own process and offers the chosen rate; the
app runs headless at 120x40 in another, connected through the full pipeline
(reader, decode, hand-off, state, widgets at the frame cap, the ladder on
screen). While the storm runs, a key press every 100 ms sends a resting limit
order; the gateway stamps each placeOrder's arrival (CLOCK_MONOTONIC is shared
by processes), which gives key-to-wire latency. Each order is
cancelled about a second after it is placed, so a handful work at any time. The
baseline is the same app fed by ibapi's stock EReader and EClient.run(), with
one UI call per message.
"""

from __future__ import annotations

import asyncio
import gc
import json
import multiprocessing as mp
import os
import resource
import threading
import time
from typing import Any

WATCH = ["ES", "NQ", "CL", "AAPL", "MSFT", "NVDA", "TSLA", "EUR.USD"]


# --- the gateway process ---------------------------------------------------------------------
def _gateway(rate: float, port_q: Any, control: Any, report: Any) -> None:
    from tui.sim.server.gateway import Gateway
    from tui.sim.server.runner import GatewayThread

    gw = Gateway(seed=1, rate=rate)
    arrivals: list[tuple[int, float]] = []

    def stamp(session: object, payload: bytes) -> None:
        if payload.startswith(b"3\0"):
            arrivals.append((int(payload.split(b"\0", 2)[1]), time.monotonic()))

    gw.on_request = stamp
    thread = GatewayThread(gw).start()
    port_q.put(thread.port)
    marks: dict[str, tuple[float, int]] = {}
    while True:
        cmd = control.get()
        if cmd == "stop":
            break
        marks[cmd] = (time.monotonic(), thread.call(lambda: gw.feed.messages_out))
    thread.stop()
    (t0, n0), (t1, n1) = marks["begin"], marks["end"]
    report.put({"offered": (n1 - n0) / (t1 - t0), "arrivals": arrivals})


# --- the baseline client: ibapi's own reader and loop, one UI call per message --------------------
def _stock_client_factory(app_ref: list[Any]) -> Any:
    from ibapi.client import EClient

    class Counted:
        """A stock EClient call that counts itself, so the baseline reports the same figures."""

        n = 0  # messages decoded (not callbacks: a tickPrice also makes a tickSize)
        stopping = False

    class UiCallWrapper:
        """Forwards every callback to the UI thread and waits for it, as naive apps do."""

        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> Any:
            target = getattr(self.inner, name)
            if not callable(target):
                return target

            def call(*args: Any) -> None:
                if Counted.stopping:
                    return
                app = app_ref[0]
                try:
                    app.call_from_thread(target, *args)
                except RuntimeError:
                    target(*args)  # the app is not running (yet, or any more)
            return call

    class StockClient(EClient):
        """The baseline: ibapi's own EClient, reader thread and decoder, as a naive app would use them."""
        def __init__(self, wrapper: Any, closed: Any) -> None:
            super().__init__(UiCallWrapper(wrapper))
            self.wire = type("Wire", (), {"last_rx": float("inf")})()
            self._closed = closed

        @property
        def messages(self) -> int:
            return Counted.n

        def serverVersion(self) -> int:  # noqa: N802
            # ibapi 10.x's run() may decode a last message after disconnect() reset this to None
            return super().serverVersion() or 0

        def open(self, host: str, port: int, client_id: int, timeout: float) -> None:
            self.connect(host, port, client_id)
            if not self.isConnected():
                raise ConnectionRefusedError(f"cannot connect to {host}:{port}")
            interpret = self.decoder.interpret

            def counted(*args: Any) -> None:  # (fields) in 9.81, (fields, msgId) in 10.x
                Counted.n += 1
                interpret(*args)

            self.decoder.interpret = counted
            threading.Thread(target=self.run, daemon=True).start()

        def close(self, reason: str = "") -> None:
            Counted.stopping = True
            self.disconnect()
            self._closed(reason)

    return StockClient


# --- the app process ---------------------------------------------------------------------------
def _app(mode: str, port: int, seconds: float, control: Any, out: Any) -> None:
    from textual.events import Key

    from tui import config as cfg
    from tui.app import IBTuiApp
    from tui.ib.broker import Broker, BrokerConfig
    from tui.tuning import tune_process

    tune_process()  # as the command line does, for both paths
    created = time.monotonic()
    pauses: list[tuple[int, float]] = []
    gc_start = [0.0]

    def gc_watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_start[0] = time.perf_counter()
        else:
            pauses.append((info["generation"], (time.perf_counter() - gc_start[0]) * 1000))

    gc.callbacks.append(gc_watch)  # to report the longest collection pause
    s = cfg.Settings()
    s.connection.port = port
    s.watchlist = list(WATCH)
    s.orders.confirm = "never"
    s.risk.max_working_orders = 100_000
    s.risk.stale_data_seconds = 3600
    app_ref: list[Any] = [None]
    factory = _stock_client_factory(app_ref) if mode == "baseline" else None
    broker = Broker(BrokerConfig(port=port, client_id=5, stale_after=3600),
                    **({"client_factory": factory} if factory else {}))
    app = IBTuiApp(s, broker, None, "full", "ES", "never")
    app_ref[0] = app
    result: dict[str, Any] = {}

    async def drive() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            deadline = time.monotonic() + 30
            while (app.ladder_spec is None or not broker.can_trade) and time.monotonic() < deadline:
                await pilot.pause(0.05)
            while app.frames.first_paint is None and time.monotonic() < deadline:
                await pilot.pause(0.02)
            result["first_paint"] = (app.frames.first_paint or time.monotonic()) - created
            app.action_cursor(-40)  # resting orders, well under the market
            await pilot.pause(1.0)
            app.frames.ladder_ms.clear()
            app.frames.ms.clear()
            pauses.clear()
            control.put("begin")
            t0, m0, cpu0 = time.monotonic(), broker.stats()["messages"], sum(os.times()[:2])
            presses: dict[int, float] = {}  # order id -> when its key was pressed
            pressed_at: float | None = None
            known = set(app.desk.orders.by_id)
            refused = 0
            next_press = t0 + 0.5
            while time.monotonic() - t0 < seconds:
                now = time.monotonic()
                new = set(app.desk.orders.by_id) - known
                if new and pressed_at is not None:
                    presses[min(new)] = pressed_at
                    pressed_at = None
                known |= new
                if now >= next_press:
                    if pressed_at is not None:
                        refused += 1  # the last press sent nothing (a risk refusal)
                    # as a trader would: a few orders working, each cancelled after a second
                    wall = time.time()  # order records stamp wall time
                    stale = [r for r in app.desk.orders.working() if r.updated and wall - r.updated > 1.0]
                    app.desk.cancel(stale[:2], "bench")
                    pressed_at = time.monotonic()
                    app.post_message(Key("b", "b"))
                    next_press = now + 0.1
                await asyncio.sleep(0.005)
            control.put("end")
            t1, m1 = time.monotonic(), broker.stats()["messages"]
            result.update(
                sustained=(m1 - m0) / (t1 - t0), coalesced=broker.h.coalesced,
                max_queue=broker.h.max_pending, presses=presses,
                ladder_ms=sorted(app.frames.ladder_ms), cpu=sum(os.times()[:2]) - cpu0, refused=refused,
                frame_ms=sorted(app.frames.ms),
                gc=list(pauses),
            )
            broker.stop()

    try:
        asyncio.run(drive())
    finally:
        result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out.put(result)


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def measure(mode: str, rate: float, seconds: float) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    port_q, control, report, out = ctx.Queue(), ctx.Queue(), ctx.Queue(), ctx.Queue()
    gw = ctx.Process(target=_gateway, args=(rate, port_q, control, report), daemon=True)
    gw.start()
    port = port_q.get(timeout=30)
    app = ctx.Process(target=_app, args=(mode, port, seconds, control, out), daemon=True)
    app.start()
    result = out.get(timeout=seconds + 120)
    app.join(10)
    control.put("stop")
    gateway = report.get(timeout=30)
    gw.join(10)
    arrivals = dict(gateway["arrivals"])
    presses = result.pop("presses")
    latencies = [(arrivals[oid] - t) * 1000 for oid, t in presses.items() if oid in arrivals]
    ladder = result.pop("ladder_ms")
    frames = result.pop("frame_ms")
    return {
        "offered_msgs_s": gateway["offered"],
        "sustained_msgs_s": result["sustained"],
        "coalesced": result["coalesced"],
        "max_queue_depth": result["max_queue"],
        "ladder_frame_ms_p50": _pct(ladder, 50),
        "ladder_frame_ms_p99": _pct(ladder, 99),
        "app_frame_ms_p50": _pct(frames, 50),
        "app_frame_ms_p99": _pct(frames, 99),
        "gc_pause_ms_max": max((ms for _, ms in result["gc"]), default=0.0),
        "key_to_wire_ms_p50": _pct(latencies, 50),
        "key_to_wire_ms_p99": _pct(latencies, 99),
        "orders_sent": len(latencies),
        "key_presses": len(presses) + result["refused"],
        "peak_rss_mb": result["rss_mb"],
        "cpu_seconds": result["cpu"],
        "first_paint_s": result["first_paint"],
    }


FIGURES = [
    ("offered_msgs_s", "offered msgs/s", "{:,.0f}"),
    ("sustained_msgs_s", "sustained msgs/s", "{:,.0f}"),
    ("coalesced", "coalesced messages", "{:,.0f}"),
    ("max_queue_depth", "max queue depth (events)", "{:,.0f}"),
    ("ladder_frame_ms_p50", "ladder frame p50 (ms)", "{:.2f}"),
    ("ladder_frame_ms_p99", "ladder frame p99 (ms)", "{:.2f}"),
    ("app_frame_ms_p50", "app frame p50 (ms)", "{:.2f}"),
    ("app_frame_ms_p99", "app frame p99 (ms)", "{:.2f}"),
    ("key_to_wire_ms_p50", "key-to-wire p50 (ms)", "{:.2f}"),
    ("key_to_wire_ms_p99", "key-to-wire p99 (ms)", "{:.2f}"),
    ("gc_pause_ms_max", "longest GC pause (ms)", "{:.1f}"),
    ("orders_sent", "orders sent / key presses", "{:,.0f}"),
    ("peak_rss_mb", "peak RSS (MB)", "{:.0f}"),
    ("cpu_seconds", "CPU seconds (app)", "{:.1f}"),
    ("first_paint_s", "first paint (s)", "{:.2f}"),
]


def table(ours: dict[str, Any], base: dict[str, Any] | None, rate: float, seconds: float) -> str:
    lines = [f"ibtui bench: {seconds:g}s at {rate:,.0f} market events/s offered, app at 120x40",
             f"{'figure':<28}{'ibtui':>14}{'stock ibapi':>14}{'ratio':>9}"]
    for key, label, fmt in FIGURES:
        a = ours[key]
        text_a = fmt.format(a)
        if key == "orders_sent":
            text_a = f"{a}/{ours['key_presses']}"
        b = base.get(key) if base else None
        presses = base["key_presses"] if base else 0
        text_b = "" if b is None else (f"{b}/{presses}" if key == "orders_sent" else fmt.format(b))
        ratio = ""
        if b and isinstance(a, (int, float)) and key not in ("orders_sent",) and b == b and a == a and b:
            ratio = f"{a / b:.2f}x"
        lines.append(f"{label:<28}{text_a:>14}{text_b:>14}{ratio:>9}")
    return "\n".join(lines)


def run(seconds: float, rate: float, as_json: bool, baseline: bool = True) -> int:
    ours = measure("ibtui", rate, seconds)
    base = measure("baseline", rate, seconds) if baseline else None
    if as_json:
        print(json.dumps({"rate": rate, "seconds": seconds, "ibtui": ours, "baseline": base}))
    else:
        print(table(ours, base, rate, seconds))
    return 0
