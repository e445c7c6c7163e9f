"""`ibtui check` against the simulated gateway, and against nothing."""

from __future__ import annotations

import socket
import subprocess
import sys

from tui.sim.server.gateway import Gateway
from tui.sim.server.runner import GatewayThread


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, timeout=60)


def test_check_reports_paper_and_exits_0() -> None:
    with GatewayThread(Gateway(seed=2, rate="busy")) as g:
        out = run("--port", str(g.port), "check")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "server version 157" in out.stdout and "DU1234567" in out.stdout
    assert "session: PAPER" in out.stdout
    assert "farm: Market data farm connection is OK" in out.stdout
    assert "ES         market data OK" in out.stdout
    assert "verdict: OK" in out.stdout


def test_check_on_a_quiet_market_still_sees_every_quote() -> None:
    # with the market paused each instrument sends its quote once, on subscription, often
    # while other symbols are still resolving: that quote must count
    with GatewayThread(Gateway(seed=2, rate=0)) as g:
        out = run("--port", str(g.port), "check")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no market data" not in out.stdout and "verdict: OK\n" in out.stdout, out.stdout


def test_check_on_a_live_port_says_live() -> None:
    with GatewayThread(Gateway(seed=2, rate="busy")) as g:
        cfg = f"[connection]\nlive = \"live\"\nport = {g.port}\n"
        import tempfile

        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
            f.write(cfg)
        out = run("check", "--config", f.name)
    assert out.returncode == 0 and "LIVE (real money)" in out.stdout


def test_check_with_nothing_listening_exits_1_with_a_hint() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = run("--port", str(port), "check")
    assert out.returncode == 1
    assert "FAIL" in out.stdout and "Enable ActiveX and Socket Clients" in out.stdout
    assert "Traceback" not in out.stderr
