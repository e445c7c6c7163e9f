"""As a person would: `ibtui demo` in a real tmux pane, read off the screen."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.timeout(90),
              pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=10).stdout


def screen(name: str) -> str:
    return tmux("capture-pane", "-t", name, "-p")


def wait_for(name: str, text: str, timeout: float = 20, pattern: bool = False) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = screen(name)
        if (re.search(text, shown) if pattern else text in shown):
            return shown
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen:\n{screen(name)}")


def wait_tradeable(name: str, timeout: float = 20) -> str:
    """Order keys work: the status bar says CONNECTED, no longer RECONCILING, and depth is drawn.

    Pressing an order key earlier is refused (correctly) while the account is reconciled, and
    a busy machine can take a while to get there, so the keys wait for what the trader waits for.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = screen(name)
        status = [line for line in shown.splitlines() if "PAPER" in line]
        if status and "CONNECTED" in status[0] and "RECONCILING" not in status[0] \
                and re.search(r"\d+\s+6\d{3}\.\d\d", shown):
            return shown
        time.sleep(0.2)
    raise AssertionError(f"never ready to trade; the screen:\n{screen(name)}")


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_demo_in_tmux(tmp_path: Path, size: tuple[int, int]) -> None:
    name = f"ibtui-test-{os.getpid()}-{size[0]}"
    env = " ".join(f"{k}={shlex.quote(str(tmp_path / k.lower()))}"
                   for k in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"))
    root = Path(__file__).resolve().parents[2]
    # a tmux server started from here may hand LINES/COLUMNS to the pane, and Python's terminal-size
    # lookup trusts them over the pane: the app would draw 80x24 in a 120x40 pane
    command = (f"cd {shlex.quote(str(root))} && env -u COLUMNS -u LINES {env} {shlex.quote(sys.executable)} -m tui demo; "
               "echo EXITED $?; sleep 30")
    tmux("new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]), command)
    try:
        shown = wait_for(name, "CONNECTED")
        wait_for(name, "PAPER")
        wait_for(name, "PRICE")  # the ladder's column titles
        shown = wait_for(name, "flat  qty 1")  # its header, once the front month is resolved
        assert re.search(r"ES[HMUZ]\d", shown), shown
        wait_for(name, r"\d+\s+6\d{3}\.\d\d", pattern=True)  # a bid size beside its price
        wait_tradeable(name)
        tmux("send-keys", "-t", name, "B")
        shown = wait_for(name, "pos +1")  # the ladder's header after the fill
        tmux("send-keys", "-t", name, "q")
        wait_for(name, r"A position of \+1 ES[HMUZ]\d", pattern=True)  # the demo's gateway takes it along
        tmux("send-keys", "-t", name, "y")
        shown = wait_for(name, "EXITED 0")
        said = shown.replace("\n", "")  # the shell wraps the note at 80 columns
        assert re.search(r"the position of \+1 ES[HMUZ]\d ended with it", said), shown
        assert "PRICE" not in shown, "the terminal is restored to the shell's screen"
        assert "Traceback" not in shown
    finally:
        tmux("kill-session", "-t", name)


def start_demo(name: str, tmp_path: Path, size: tuple[int, int], *options: str) -> None:
    env = " ".join(f"{k}={shlex.quote(str(tmp_path / k.lower()))}"
                   for k in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"))
    root = Path(__file__).resolve().parents[2]
    command = (f"cd {shlex.quote(str(root))} && env -u COLUMNS -u LINES {env} {shlex.quote(sys.executable)} -m tui demo "
               f"{' '.join(options)}; echo EXITED $?; sleep 30")
    tmux("new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]), command)


def test_second_demo_shows_no_phantom_orders(tmp_path: Path) -> None:
    """Rest two orders, quit (the prompt tells the truth), start again with the same state
    directories: the new demo's gateway never saw them, so nothing is drawn as working."""
    name = f"ibtui-day2-{os.getpid()}"
    start_demo(name, tmp_path, (120, 40), "--rate", "paused")  # resting orders stay resting
    try:
        wait_for(name, "flat  qty 1")
        wait_tradeable(name)
        tmux("send-keys", "-t", name, "j", "j", "j", "j", "j", "j", "b", "j", "j", "b")
        wait_for(name, r"1L(.*\n)+.*1L", pattern=True)  # both on the ladder, at their prices
        shown = wait_for(name, r"(Working.*\n.*){2}", pattern=True)  # two rows in the blotter
        assert "Watchlist" in shown and "Orders" in shown, shown  # the full layout at 120x40
        tmux("resize-window", "-t", name, "-x", "80", "-y", "24")
        shown = wait_for(name, r"VOL\s*│\n", pattern=True)  # compact: the ladder, every column
        assert "Watchlist" not in shown and "SELL" in shown and len(shown.splitlines()[0]) == 80, shown
        tmux("resize-window", "-t", name, "-x", "120", "-y", "40")
        shown = wait_for(name, "Watchlist")
        shown = wait_for(name, r"(Working.*\n.*){2}", pattern=True)
        assert "Orders" in shown and len(shown.splitlines()[0]) == 120, shown
        tmux("send-keys", "-t", name, "q")
        shown = wait_for(name, "simulated gateway")
        assert "stay working at the broker" not in shown, shown
        tmux("send-keys", "-t", name, "y")
        shown = wait_for(name, "EXITED 0")
        assert "ended with it" in shown
    finally:
        tmux("kill-session", "-t", name)
    start_demo(name, tmp_path, (120, 40), "--rate", "paused")  # same state dirs, a new demo gateway
    try:
        wait_for(name, "flat  qty 1")
        shown = wait_for(name, "reconciled")
        assert "1L" not in shown and "Working" not in shown, shown
        tmux("send-keys", "-t", name, "q")
        shown = wait_for(name, "EXITED 0")  # no working order: no question asked
        assert "Traceback" not in shown
    finally:
        tmux("kill-session", "-t", name)
