"""`ibtui bench` completes and prints every figure (a smoke test: no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tui.bench import FIGURES


@pytest.mark.timeout(180)
def test_bench_smoke_prints_every_figure() -> None:
    out = subprocess.run([sys.executable, "-m", "tui", "bench", "--seconds", "3", "--rate", "5000"],
                         capture_output=True, text=True, timeout=170)
    assert out.returncode == 0, out.stderr[-2000:]
    for _, label, _ in FIGURES:
        assert label in out.stdout, label
    rows = {line[:28].strip(): line[28:].split() for line in out.stdout.splitlines()[2:]}
    assert all(len(v) >= 2 for v in rows.values()), "each figure has ibtui and stock-ibapi values"
    sent, presses = rows["orders sent / key presses"][0].split("/")
    assert int(sent) == int(presses) > 10


@pytest.mark.timeout(120)
def test_bench_json() -> None:
    out = subprocess.run([sys.executable, "-m", "tui", "bench", "--seconds", "2", "--rate", "2000",
                          "--json", "--no-baseline"], capture_output=True, text=True, timeout=110)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(k for k, _, _ in FIGURES) <= set(data["ibtui"]) and data["baseline"] is None
