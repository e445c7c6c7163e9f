"""The UI before market data, across threads.

The interpreter lock is shared: while the decode thread works through a storm, a
key's action on the UI thread got the lock back only every switch interval, and
a press then took 2-5 ms instead of half of one; a frame took twice its time. The
terminal driver's thread claims priority as it reads a key, and the UI loop
around each frame and each paint; the decode and reader threads check
``pending`` between messages and, when it is set, step aside (block without the
lock) until every claim is released or 5 ms pass, whichever is first. Decoding
resumes exactly where it stopped: nothing is dropped or reordered, only delayed
by the UI's own work, which it would have waited for in any case.
"""

from __future__ import annotations

import threading

STEP_ASIDE_LIMIT = 0.005  # seconds: a claim never released costs the decoder at most this, once


class Priority:
    """Claims by the UI (counted), read by the market-data threads."""

    def __init__(self) -> None:
        self.pending = False  # read without a lock on the hot path: a bool is enough
        self._claims = 0
        self._lock = threading.Lock()
        self._clear = threading.Event()
        self._clear.set()

    def claim(self) -> None:
        """The UI has work that must not wait (a key read, a frame to draw)."""
        with self._lock:
            self._claims += 1
            self._clear.clear()
            self.pending = True

    def release(self) -> None:
        with self._lock:
            self._claims = max(0, self._claims - 1)
            if not self._claims:
                self.pending = False
                self._clear.set()

    def __enter__(self) -> Priority:
        """``with UI:`` around UI work that must not wait (a frame, a paint)."""
        self.claim()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def step_aside(self) -> None:
        """A market-data thread, seeing ``pending``: wait, without the lock, for the UI."""
        self._clear.wait(STEP_ASIDE_LIMIT)
        self.pending = False  # never wait twice for one claim


UI = Priority()  # one per process, as the interpreter lock is
