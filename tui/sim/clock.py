"""Time for the simulated gateway: the wall clock, or a manual one for tests.

With the manual clock and a paused market, the same seed and the same requests
give the same bytes, because nothing depends on when the code happens to run.
"""

from __future__ import annotations

import time

# 2026-01-05 14:30:00 UTC, a Monday at the US open
MANUAL_EPOCH = 1767623400.0


class WallClock:
    """Real time."""
    def now(self) -> float:
        return time.time()


class ManualClock:
    """Time that moves only when a test moves it."""
    def __init__(self, start: float = MANUAL_EPOCH) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds


def tws_time(epoch: float) -> str:
    """The connection-time text of the handshake reply, as TWS writes it."""
    return time.strftime("%Y%m%d %H:%M:%S", time.gmtime(epoch)) + " UTC"
