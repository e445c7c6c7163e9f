"""The journal: append-only, 0600, written before the wire, rebuilt on start, crash-proof."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from tests.app.harness import make_app, ready, until
from tui.core import events as ev
from tui.core.contracts import Contract
from tui.core.journal import Journal, belongs, read, summarize, to_event
from tui.sim.server.gateway import Gateway
from tui.sim.server.runner import GatewayThread

ES = Contract("ES", "FUT", "CME", con_id=495512563, local_symbol="ESZ6")


def test_lines_mode_torn_tail_and_round_trip(tmp_path: Path) -> None:
    j = Journal(tmp_path, "DU1", 3, clock=lambda: 1767623400.0)
    status = ev.OrderStatus(5, "Filled", 1, 0, 6000.25, 77, 0, 6000.25, 3)
    fill = ev.Fill("e1", 5, 77, 3, ES, "BOT", 1, 6000.25, 1, 6000.25, "t", "DU1")
    j.write("intent", sync=True, order_id=5, verdict="ok", intent="BUY 1 ESZ6 MKT")
    j.event(status)
    j.event(fill)
    j.event(ev.Commission("e1", 2.05, "USD", 12.5))
    assert stat.S_IMODE(os.stat(j.path).st_mode) == 0o600
    with open(j.path, "ab") as f:
        f.write(b'{"ts": "2026-01-05T14:30:00.000Z", "kind": "Ord')  # a crash mid-write
    records, note = read(j.path)
    assert len(records) == 4 and "cut short" in note
    assert records[0]["ts"] == "2026-01-05T14:30:00.000Z" and records[0]["account"] == "DU1"
    assert to_event(records[1]) == status and to_event(records[2]) == fill
    s = summarize(records)
    assert (s["intents"], s["fills"], s["commissions"], s["realized_pnl"]) == (1, 1, 2.05, 12.5)


def test_the_first_line_after_a_crash_mid_write_is_not_lost(tmp_path: Path) -> None:
    # yesterday's run died inside a line; today's first write (an intent) must stand on its own
    # line, not be glued to the fragment and ignored with it
    first = Journal(tmp_path, "DU1", 3, clock=lambda: 1767623400.0)
    first.write("intent", sync=True, order_id=5, verdict="ok", intent="BUY 1 ESZ6 MKT")
    first.close()
    with open(first.path, "ab") as f:
        f.write(b'{"ts": "2026-01-05T14:30:00.000Z", "kind": "Ord')
    again = Journal(tmp_path, "DU1", 3, clock=lambda: 1767623460.0)
    again.write("intent", sync=True, order_id=6, verdict="ok", intent="SELL 1 ESZ6 MKT")
    again.write("intent", order_id=7, verdict="ok", intent="BUY 1 ESZ6 MKT")
    records, note = read(again.path)
    assert [r.get("order_id") for r in records] == [5, None, 6, 7] and records[1]["kind"] == "torn_line"
    # the fragment was reported by the start that ended it, and is not at every start after:
    # counted in the day's summary instead
    assert note == "" and summarize(records)["torn"] == 1
    # a whole file gains nothing on reopening
    size = again.path.stat().st_size
    again.close()
    Journal(tmp_path, "DU1", 3, clock=lambda: 1767623460.0).write("x")
    assert again.path.read_bytes().count(b"\n") == 6 and again.path.stat().st_size > size
    # a fragment nothing has ended yet (the app stopped again before writing) is still reported
    with open(again.path, "ab") as f:
        f.write(b'{"ts": "2026-01-05T14:31:00.000Z", "kind": "Ord')
    _, note = read(again.path)
    assert note == f"{again.path.name}: the last line was cut short (the app stopped mid-write); ignored"


def test_a_line_names_its_writer_and_keeps_the_events_own_account_and_client(tmp_path: Path) -> None:
    # an advisor's login (F-account) places for a sub-account; the fill says U222 and the
    # order's own client id: the line is still this client's, of this account, behind this gateway
    j = Journal(tmp_path, "F111", 1, clock=lambda: 1767623400.0, gateway="127.0.0.1:7497")
    fill = ev.Fill("e1", 5, 77, 7, ES, "BOT", 1, 6000.25, 1, 6000.25, "t", "U222")
    j.event(fill)
    (record,), _ = read(j.path)
    assert (record["account"], record["client_id"]) == ("F111", 1)
    assert belongs(record, "F111", "127.0.0.1:7497", 1)
    assert to_event(record) == fill
    # a line written before the event's own fields were kept apart reads as it did
    old = dict(record, account="U222", client_id=7)
    del old["event_account"], old["event_client_id"]
    assert to_event(old) == fill


async def test_intent_is_in_the_file_before_the_order_reaches_the_gateway(paused, tmp_path: Path) -> None:
    app = make_app(paused, tmp_path)
    seen_on_disk: list[bool] = []

    def on_request(session, payload: bytes) -> None:
        if payload.startswith(b"3\0"):
            order_id = int(payload.split(b"\0")[1])
            lines = [json.loads(x) for x in app.desk.journal.path.read_text().splitlines()]
            seen_on_disk.append(any(r.get("kind") == "intent" and r.get("order_id") == order_id
                                    for r in lines))

    paused.gateway.on_request = on_request
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("B", "j", "j", "b")
        await until(pilot, lambda: len(seen_on_disk) == 2)
    assert seen_on_disk == [True, True]
    records, _ = read(app.desk.journal.path)
    kinds = {r["kind"] for r in records}
    assert {"intent", "OrderStatus", "OpenOrder", "Fill", "Commission", "Connection"} <= kinds
    assert all(r["client_id"] == 1 and r["ts"].endswith("Z") for r in records)


async def test_each_request_is_written_then_sent_then_fsynced(paused, tmp_path: Path, monkeypatch) -> None:
    """The file has the line before the request goes (a crash of ibtui loses nothing); the disk
    has it before the desk returns, the fsync coming after the send so it is not the order's
    delay. One fsync covers a flatten's cancels and its order."""
    app = make_app(paused, tmp_path)
    steps: list[str] = []
    journal = app.desk.journal
    fsync = os.fsync

    def recorded_fsync(fd: int) -> None:
        if fd == journal._fd:
            steps.append("fsync")
        fsync(fd)

    monkeypatch.setattr(os, "fsync", recorded_fsync)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        broker = app.desk.broker
        place, cancel = broker.place, broker.cancel

        def in_file(oid: int, kind: str) -> bool:
            return any(r.get("kind") == kind and r.get("order_id") == oid for r in read(journal.path)[0])

        def recorded_place(intent, oid: int) -> None:
            steps.append(f"place, intent {'in' if in_file(oid, 'intent') else 'NOT in'} the file")
            place(intent, oid)

        def recorded_cancel(oid: int) -> None:
            steps.append(f"cancel, line {'in' if in_file(oid, 'cancel') else 'NOT in'} the file")
            cancel(oid)

        broker.place, broker.cancel = recorded_place, recorded_cancel
        await pilot.press("j", "j", "j", "j", "b")
        await until(pilot, lambda: len(app.desk.orders.working()) == 1)
        assert steps == ["place, intent in the file", "fsync"]
        steps.clear()
        await pilot.press("B")
        con = app.ladder_spec.contract.con_id
        await until(pilot, lambda: app.desk.portfolio.position(con) == 1)
        steps.clear()
        await pilot.press("f", "y")  # flatten asks first
        await until(pilot, lambda: app.desk.portfolio.position(con) == 0)
        assert steps == ["cancel, line in the file", "place, intent in the file", "fsync"]


async def test_a_failed_fsync_after_the_send_keeps_the_order_and_says_so(paused, tmp_path: Path,
                                                                        monkeypatch) -> None:
    app = make_app(paused, tmp_path)
    fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        if fd == app.desk.journal._fd:
            raise OSError(5, "Input/output error")
        fsync(fd)

    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        monkeypatch.setattr(os, "fsync", failing_fsync)
        await pilot.press("j", "j", "j", "j", "b")
        await until(pilot, lambda: len(app.desk.orders.working()) == 1)  # the gateway has it: shown
        assert any("journal not on disk" in m.text and "Input/output error" in m.text
                   for m in app.desk.messages)


async def test_orders_are_rebuilt_from_the_journal_and_reconciled(paused, tmp_path: Path) -> None:
    app = make_app(paused, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("j", "j", "j", "j", "b", "B")
        await until(pilot, lambda: len(app.desk.orders.working()) == 1 and len(app.desk.orders.by_id) == 2)
        working = app.desk.orders.working()[0].order_id
        used = max(app.desk.orders.by_id)
    again = make_app(paused, tmp_path)
    async with again.run_test(size=(120, 40)) as pilot:
        await ready(pilot, again)
        assert any("from earlier today" in m.text for m in again.desk.messages)
        await until(pilot, lambda: again.desk.orders.get(working) is not None
                    and again.desk.orders.get(working).status == "Submitted")
        assert not again.desk.orders.get(working).lost
        filled = [r for r in again.desk.orders.by_id.values() if r.status == "Filled"]
        assert len(filled) == 1 and len(filled[0].fills) == 1, "a fill seen again in the resync counts once"
        await pilot.press("B")
        await until(pilot, lambda: len(again.desk.orders.by_id) == 3)
        assert max(again.desk.orders.by_id) > used, "order ids of this gateway are never reused"


def test_kill_9_mid_storm_leaves_a_readable_journal_with_every_acked_order(tmp_path: Path) -> None:
    journal_dir = tmp_path / "journal"
    with GatewayThread(Gateway(seed=9, rate=20000)) as g:
        env = dict(os.environ)
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).parent / "app" / "kill_target.py"), str(g.port),
             str(journal_dir)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        acked: list[int] = []
        deadline = time.monotonic() + 40
        try:
            while len(acked) < 8 and time.monotonic() < deadline:
                line = proc.stdout.readline()
                if line.strip().isdigit():
                    acked.append(int(line))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
    assert len(acked) >= 8, "the app acknowledged orders during the storm"
    (path,) = list(journal_dir.iterdir())
    raw = path.read_bytes().split(b"\n")
    whole = [line for line in raw[:-1] if line]
    for line in whole:
        json.loads(line)  # every line but a torn last one parses
    records, _ = read(path)
    intents = {r.get("order_id") for r in records if r["kind"] == "intent"}
    statuses = {r.get("order_id") for r in records if r["kind"] in ("OrderStatus", "OpenOrder")}
    assert set(acked) <= intents and set(acked) <= statuses
