"""`ibtui sim` as a user runs it: a process that any IB client can connect to."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

from ibkit import Client, future


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sim_serves_and_logs_connects(tmp_path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "sim", "--port", str(port), "--rate", "busy",
         "--state", str(tmp_path / "state.json")],
        stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        c = Client().start(port, client_id=12)
        c.reqMktData(1, future("ES"), "", False, False, [])
        c.wait_for("tickPrice", count=3)
        c.stop()
        time.sleep(0.3)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert f"listening on 127.0.0.1:{port}" in err
    assert "client 12 connected from 127.0.0.1" in err
    assert "client 12 disconnected" in err
    assert "Traceback" not in err


def test_sim_rejects_a_bad_rate() -> None:
    out = subprocess.run([sys.executable, "-m", "tui", "sim", "--rate", "fast"],
                         capture_output=True, text=True, timeout=20)
    assert out.returncode == 2
    assert "rate 'fast'" in out.stderr and "Traceback" not in out.stderr


def test_readme_ibapi_script_runs_against_the_gateway(tmp_path) -> None:
    import re
    from pathlib import Path

    from tui.sim.server.gateway import Gateway
    from tui.sim.server.runner import GatewayThread

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    script = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    with GatewayThread(Gateway(seed=5, rate="busy")) as g:
        path = tmp_path / "script.py"
        path.write_text(script.replace("7497", str(g.port)))
        out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60)
    assert "Traceback" not in out.stderr, out.stderr
    lines = out.stdout.splitlines()
    assert any(line.startswith("tick ") for line in lines)
    assert any(line.startswith("depth ") for line in lines)
    assert any(re.match(r"order \d+ Filled 1.0 \d+", line) for line in lines)
    assert any(re.match(r"order \d+ Cancelled", line) for line in lines)
    assert "position ES 1.0" in out.stdout
    assert "net liquidation" in out.stdout
