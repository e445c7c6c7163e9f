"""The desk's gate: closed but while the loop paints, waits or lets a waiting thread in."""

from __future__ import annotations

import asyncio
import threading

from tui.core import gate as gate_module
from tui.core.gate import DeskGate, gated_loop


def other_thread(fn) -> list[object]:
    """Run ``fn`` on another thread (as the terminal driver's) and return what it returned."""
    out: list[object] = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join(10)
    assert not t.is_alive()
    return out


def test_closed_from_the_start_and_open_only_inside_open() -> None:
    gate = DeskGate()
    assert other_thread(gate.enter) == [False]
    with gate.open():
        assert other_thread(lambda: (gate.enter(), gate.leave())[0]) == [True]
        with gate.open():  # nested: still open, and closed only at the outermost end
            assert other_thread(lambda: (gate.enter(), gate.leave())[0]) == [True]
        assert other_thread(lambda: (gate.enter(), gate.leave())[0]) == [True]
    assert other_thread(gate.enter) == [False]


def test_open_waits_for_the_thread_inside() -> None:
    gate = DeskGate()
    order: list[str] = []
    inside = threading.Event()

    def key() -> None:
        assert gate.enter(wait=5)
        inside.set()
        threading.Event().wait(0.05)  # an order being sent
        order.append("key done")
        gate.leave()

    t = threading.Thread(target=key)
    with gate.open():
        t.start()
        assert inside.wait(5)
    order.append("loop on")
    t.join(5)
    assert order == ["key done", "loop on"]


def test_a_waiting_thread_is_let_in_between_the_steps_of_a_frame(monkeypatch) -> None:
    # the loop holds the gate open 2 ms for the waiting thread to be scheduled; on a machine
    # busy with other tests it sometimes was not, and the key ran at the next step instead
    # (the loop's bound, not what this test is about): here the window waits for the thread
    monkeypatch.setattr(gate_module, "LET_IN_SECONDS", 10.0)
    gate = DeskGate()
    order: list[str] = []
    knocked = threading.Event()

    def key() -> None:
        knocked.set()
        if gate.enter(wait=10):
            order.append("key")
            gate.leave()

    t = threading.Thread(target=key)
    t.start()
    assert knocked.wait(5)
    while not gate.knocking:  # it waits at the closed gate
        threading.Event().wait(0.001)
    order.append("frame step 1")
    gate.let_in()  # returns after the key has run
    order.append("frame step 2")
    t.join(5)
    assert order == ["frame step 1", "key", "frame step 2"]
    gate.let_in()  # nobody waiting: nothing happens
    assert other_thread(gate.enter) == [False], "still closed"


def test_nobody_waits_past_the_time_given() -> None:
    gate = DeskGate()
    assert other_thread(lambda: gate.enter(wait=0.05)) == [False]
    assert not gate.knocking


def test_the_loop_opens_the_gate_while_it_waits() -> None:
    gate = DeskGate()
    seen: list[bool] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        done = asyncio.Event()

        def key() -> None:
            ok = gate.enter(wait=5)  # the loop sleeps below: the gate opens
            seen.append(ok)
            if ok:
                gate.leave()
            loop.call_soon_threadsafe(done.set)

        threading.Thread(target=key).start()
        await asyncio.wait_for(done.wait(), 10)

    with asyncio.Runner(loop_factory=lambda: gated_loop(gate)) as runner:
        runner.run(main())
    assert seen == [True]
    assert other_thread(gate.enter) == [False], "closed again once the loop runs"


def test_a_busy_loop_lets_a_waiting_thread_in_between_two_iterations() -> None:
    """Callbacks always ready (a storm, a frame's steps): the loop never sleeps, so the gate would
    open only when the work ran out; a key's order waiting at it goes at the next iteration."""
    gate = DeskGate()
    seen: list[object] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        done = threading.Event()

        def busy() -> None:  # one iteration's work, and the next one already queued
            if not done.is_set():
                loop.call_soon(busy)

        def key() -> None:
            ok = gate.enter(wait=5)
            seen.append(ok)
            if ok:
                gate.leave()
            done.set()

        loop.call_soon(busy)
        await asyncio.sleep(0)
        threading.Thread(target=key).start()
        while not done.is_set():
            await asyncio.sleep(0)  # busy too: never a wait with the gate open

    with asyncio.Runner(loop_factory=lambda: gated_loop(gate)) as runner:
        runner.run(main())
    assert seen[0] is True, "the key waited until it gave up: the busy loop never let it in"
    assert other_thread(gate.enter) == [False], "closed again once the loop runs"
