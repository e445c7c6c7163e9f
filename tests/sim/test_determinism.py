"""Same seed, same requests: same bytes."""

from __future__ import annotations

import time

from ibkit import encoded, future, order
from tests.sim.test_protocol import depth_request, hello, raw, read_frames, request, start_api
from tui.sim.clock import ManualClock
from tui.sim.server.gateway import Gateway
from tui.sim.server.runner import GatewayThread


def session_bytes(seed: int) -> bytes:
    with GatewayThread(Gateway(seed=seed, rate=0, clock=ManualClock())) as g:
        s = raw(g.port)
        s.sendall(hello())
        read_frames(s, 1)
        s.sendall(start_api(1)
                  + request(1, 11, 5, 0, "ES", "FUT", "", "", "", "", "CME", "", "USD", "", "", 0,
                            "", 0, 0, "")
                  + depth_request(6, "AAPL", "STK", "SMART", 10)
                  + request(49, 1))
        read_frames(s, 30)  # greeting, snapshots and the time: the requests are in
        g.call(g.gateway.run_steps, 2000)
        s.sendall(encoded("placeOrder", 1, future("ES"), order("BUY", 1)) + request(49, 1))
        time.sleep(0.3)
        g.call(g.gateway.run_steps, 500)
        time.sleep(0.3)
        s.settimeout(0.5)
        chunks = []
        try:
            while data := s.recv(1 << 20):
                chunks.append(data)
        except TimeoutError:
            pass
        return b"".join(chunks)


def test_same_seed_same_bytes() -> None:
    first, second = session_bytes(11), session_bytes(11)
    assert len(first) > 10_000
    assert b"\x00BOT\x00" in first, "the order filled within the recorded session"
    assert first == second
    assert session_bytes(12) != first
