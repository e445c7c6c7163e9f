"""Process tuning, in one place, applied once at start-up by the command line (and the tests).

Nothing else in the package changes interpreter-wide settings as a side effect.
"""

from __future__ import annotations

import gc
import logging
import sys

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


def settle_garbage_collector() -> None:
    """After start-up, freeze what exists so full collections stop rescanning it.

    Before this, full collections paused the UI for 20-150 ms while a key waited.
    The thresholds stay Python's: making full collections rarer was tried, and a
    ten-minute storm then saw one 1.3 s pause and memory at 181 MB.
    """
    gc.collect()
    gc.freeze()
