"""Who may touch the desk, across threads: the UI loop, except while it paints or waits.

Everything that reads or changes the desk (orders, positions, the journal, the
risk context) runs on the UI loop. Two things the loop does never touch it:
painting (it draws what the last frame put into the widgets) and waiting for
something to happen (the selector). A key read meanwhile need not wait for the
loop to wake or the paint to end, so the gate is closed from the start, the
loop opens it around those two only, and the terminal driver's thread may run a
key's order in that window (``tui.key_lane``). A thread already waiting at the
gate is also let in between the steps of a frame and between two turns of the
loop (where, as while it waits, no callback is half done), so under a storm,
when callbacks are always ready and the loop never waits, it waits for one
step, not for the work to run out. When the loop comes back it waits
for that order to finish before it goes on, so the desk only ever has one
writer at a time, and never one writing while the loop folds events into it.
"""

from __future__ import annotations

import asyncio
import selectors
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


LET_IN_SECONDS = 0.002  # how long the loop holds the gate open for a thread it saw waiting


class DeskGate:
    """Closed, except while the loop paints or waits (see the module)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lock.acquire()  # the loop's until it paints; no thread owns a Lock, so any may create it
        self._depth = 0  # nested opens: the gate opens at the outermost only (the loop's thread alone)
        self.knocking = False  # a thread waits at the gate (``let_in``)

    @contextmanager
    def open(self) -> Iterator[None]:
        """On the loop's thread, around work that never touches the desk."""
        self._depth += 1
        if self._depth == 1:
            self._lock.release()
        try:
            yield
        finally:
            if self._depth == 1:
                self._lock.acquire()  # after an order running meanwhile, never beside it
            self._depth -= 1

    def enter(self, wait: float = 0.0) -> bool:
        """Another thread: True once the loop paints, waits or lets it in (within ``wait`` seconds);
        the caller then holds the desk until ``leave`` and the loop waits for it."""
        if self._lock.acquire(blocking=False):
            return True
        if wait <= 0:
            return False
        self.knocking = True
        try:
            return self._lock.acquire(timeout=wait)
        finally:
            self.knocking = False

    def let_in(self) -> None:
        """On the loop's thread, where the desk is whole (between the steps of a frame, or two
        turns of the loop): a thread waiting at the gate runs now, and the loop goes on when it
        has left."""
        if not self.knocking or self._depth:
            return
        self._lock.release()
        deadline = time.monotonic() + LET_IN_SECONDS
        while self.knocking and time.monotonic() < deadline:
            time.sleep(0)  # the interpreter lock to the waiting thread, which takes the gate
        self._lock.acquire()

    def leave(self) -> None:
        self._lock.release()


class _OpenWhileWaiting(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    """The loop's selector: the gate is open while the loop waits for something to happen."""

    def __init__(self, gate: DeskGate) -> None:
        super().__init__()
        self._gate = gate

    def select(self, timeout: float | None = None) -> Any:
        if timeout is not None and timeout <= 0:  # callbacks are ready: no wait to open the gate for,
            self._gate.let_in()  # but a key's order waiting at it goes first, between two iterations
            return super().select(timeout)
        with self._gate.open():
            return super().select(timeout)


def gated_loop(gate: DeskGate) -> asyncio.AbstractEventLoop:
    """An event loop that opens ``gate`` while it waits (the app runs on one)."""
    return asyncio.SelectorEventLoop(_OpenWhileWaiting(gate))
