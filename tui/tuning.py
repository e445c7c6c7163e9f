"""Process tuning, in one place, applied once at start-up by the command line (and the tests).

Nothing else in the package changes interpreter-wide settings as a side effect.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Iterable, Sequence

from textual.strip import Strip

# The decode thread is busy in a storm; with CPython's default 5 ms switch interval a key
# press can wait whole intervals for the GIL. 0.5 ms keeps key-to-wire short for a few per
# cent of throughput.
SWITCH_INTERVAL = 0.0005
# ibapi logs every request and answer at INFO/DEBUG, formatting them even when nobody
# listens; its loggers are kept quiet so that work stays off the hot path
IBAPI_LOGGERS = ("ibapi", "ibapi.client", "ibapi.decoder", "ibapi.wrapper", "ibapi.reader",
                 "ibapi.connection", "ibapi.utils", "ibapi.comm")


def tune_process() -> None:
    if sys.getswitchinterval() > SWITCH_INTERVAL:
        sys.setswitchinterval(SWITCH_INTERVAL)
    for name in IBAPI_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    drop_strips_without_the_collector()


def drop_strips_without_the_collector() -> None:
    """Let a line of the screen be freed the moment it is replaced, not by a full collection.

    The compositor divides every widget line at the cuts of its region; a line that fits its
    region whole divides into ``[line]``, and Textual's ``Strip.divide`` caches that list on
    the line itself. The line then refers to itself: dropping it frees nothing until a full
    collection finds the cycle. A busy tape replaces hundreds of lines a second, and a full
    collection then freed 30-45 thousand objects at once (a line, its segments, its seven
    caches), holding the interpreter 17-50 ms while a key waited. Answering the whole-line
    case before the cache leaves nothing to collect.
    """
    divide = Strip.divide
    if getattr(divide, "whole_line_uncached", False):
        return

    def divide_uncyclic(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
        length = self.cell_length
        kept = [cut for cut in cuts if cut <= length]
        if len(kept) == 1 and kept[0] == length:
            return [self]
        return divide(self, kept)

    divide_uncyclic.whole_line_uncached = True  # type: ignore[attr-defined]
    Strip.divide = divide_uncyclic  # type: ignore[method-assign]


# Young objects the interpreter may gather before collecting on its own, once frames collect
# between them: only a backstop for a loop that stops drawing
BACKSTOP_YOUNG = 50_000
_thresholds: tuple[int, int, int] | None = None  # Python's own, while the frames keep them


def settle_garbage_collector() -> None:
    """After start-up, freeze what exists so full collections stop rescanning it, and
    let the frames decide when to collect (``collect_between_frames``).

    Before the freeze, full collections paused the UI for 20-150 ms while a key waited.
    The thresholds stay Python's: making full collections rarer was tried, and a
    ten-minute storm then saw one 1.3 s pause and memory at 181 MB.
    """
    global _thresholds
    gc.collect()
    gc.freeze()
    if _thresholds is None:
        _thresholds = gc.get_threshold()
        gc.set_threshold(max(BACKSTOP_YOUNG, _thresholds[0]), *_thresholds[1:])


def collect_between_frames() -> None:
    """The collection Python would have run by now, run here, between two frames.

    The interpreter collects when the allocations pass a threshold, on whichever thread
    makes the last one: mostly in the middle of painting the ladder (the lines are most
    of what is allocated), which held that frame, and a key behind it, for up to 20 ms in
    a storm. The same thresholds, counted the same way, are now checked after each frame
    (Python also holds a full collection back until the long-lived objects have grown by a
    quarter; with start-up frozen there are few, and this takes the full one when it is due).
    """
    if _thresholds is None:
        return
    young, older, oldest = _thresholds
    count0, count1, count2 = gc.get_count()
    if count0 < young:
        return
    gc.collect(2 if count1 >= older and count2 >= oldest else 1 if count1 >= older else 0)


def restore_garbage_collector() -> None:
    """Python's own collection schedule again (the app has stopped drawing frames)."""
    global _thresholds
    if _thresholds is not None:
        gc.set_threshold(*_thresholds)
    _thresholds = None
