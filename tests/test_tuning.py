"""Collections run between frames, on the thresholds Python would use, and only while frames run."""

from __future__ import annotations

import gc

from tui import tuning


def test_collections_wait_for_the_frame_and_keep_pythons_schedule() -> None:
    original = gc.get_threshold()
    young, older, _ = original
    started: list[int] = []

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(watch)
    try:
        tuning.settle_garbage_collector()
        assert gc.get_threshold() == (tuning.BACKSTOP_YOUNG, *original[1:])
        started.clear()
        kept = [[] for _ in range(young * 3)]  # three times what sets off a collection
        assert started == []  # none in the middle of painting
        tuning.collect_between_frames()
        assert started == [0]
        tuning.collect_between_frames()  # nothing new since: nothing to do
        assert started == [0]
        for _ in range(older):  # as many young collections as make a middle one due
            kept += [[] for _ in range(young)]
            tuning.collect_between_frames()
        assert started[-1] == 1 and started.count(0) == older, started
        del kept
    finally:
        tuning.restore_garbage_collector()
        gc.callbacks.remove(watch)
    assert gc.get_threshold() == original
    tuning.collect_between_frames()  # no frames: Python collects on its own again
    assert started[-1] == 1
