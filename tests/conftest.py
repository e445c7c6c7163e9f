from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from ibkit import Client  # noqa: E402
from tui.sim.clock import ManualClock  # noqa: E402
from tui.sim.server.gateway import Gateway  # noqa: E402
from tui.sim.server.runner import GatewayThread  # noqa: E402
from tui.tuning import tune_process  # noqa: E402

tune_process()  # the process is tuned as the command line tunes it


@pytest.fixture(autouse=True)
def _xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's config, state and journal inside its own tmp dir."""
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.delenv("IBTUI_CONFIG", raising=False)


@pytest.fixture
def gateway() -> Iterator[GatewayThread]:
    """A live gateway (busy market) on an ephemeral loopback port."""
    with GatewayThread(Gateway(seed=7, rate="busy")) as g:
        yield g


@pytest.fixture
def paused() -> Iterator[GatewayThread]:
    """A gateway whose market moves only when the test steps it, on a manual clock."""
    with GatewayThread(Gateway(seed=7, rate=0, clock=ManualClock())) as g:
        yield g


@pytest.fixture
def connect() -> Iterator[object]:
    clients: list[Client] = []

    def make(port: int, client_id: int = 1, wait_ready: bool = True) -> Client:
        c = Client().start(port, client_id, wait_ready)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.stop()
