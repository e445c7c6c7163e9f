"""Outgoing pacing under IB's 50 messages per second.

A token bucket sized so that no one-second window ever holds more than
``per_second`` messages (capacity + rate <= limit). TWS counts by arrival, and
a busy gateway can delay and then bunch arrivals; 40 against TWS's 50 leaves
room for a quarter second of bunching (a soak under a storm hit error 100 at 48). Orders and cancels jump the
queue: they go out at once when a token is free, and otherwise before any data
request that is waiting.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

Send = Callable[[], None]


class Pacer:
    """Sends through one thread under IB's message rate; orders and cancels first."""
    def __init__(self, per_second: int = 40, burst: int = 5) -> None:
        self.rate = float(per_second - burst)
        self.capacity = float(burst)
        self._tokens = self.capacity
        self._stamp = time.monotonic()
        self._urgent: deque[Send] = deque()
        self._normal: deque[Send] = deque()
        self._cond = threading.Condition()
        self._closed = False
        self.sent = 0
        self.max_queued = 0
        self._thread = threading.Thread(target=self._run, name="ib-pacer", daemon=True)
        self._thread.start()

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def submit(self, send: Send, urgent: bool = False) -> None:
        """Send now if allowed, else queue. ``send`` runs on this thread or the pacer's."""
        with self._cond:
            self._refill()
            if self._tokens >= 1 and not self._urgent and (urgent or not self._normal):
                self._tokens -= 1
                self.sent += 1
                run_now = True
            else:
                (self._urgent if urgent else self._normal).append(send)
                queued = len(self._urgent) + len(self._normal)
                self.max_queued = max(self.max_queued, queued)
                self._cond.notify()
                run_now = False
        if run_now:
            send()

    def clear(self) -> None:
        """Drop everything queued (the connection it was meant for is gone)."""
        with self._cond:
            self._urgent.clear()
            self._normal.clear()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._closed and not (self._urgent or self._normal):
                    self._cond.wait()
                if self._closed:
                    return
                self._refill()
                if self._tokens < 1:
                    wait = (1 - self._tokens) / self.rate
                    self._cond.wait(wait)
                    continue
                self._tokens -= 1
                self.sent += 1
                send = (self._urgent or self._normal).popleft()
            send()

    @property
    def queued(self) -> int:
        """Requests waiting for a token."""
        return len(self._urgent) + len(self._normal)
