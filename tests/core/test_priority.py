"""The UI's claims on the interpreter: counted, and never able to stall decoding for good."""

from __future__ import annotations

import threading
import time

from tui.core.priority import Priority


def test_claims_are_counted_and_pending_until_the_last_release() -> None:
    p = Priority()
    assert not p.pending
    p.claim()
    p.claim()
    p.release()
    assert p.pending, "one claim is still out"
    p.release()
    assert not p.pending
    p.release()  # an extra release (a key that was never claimed) does no harm
    assert not p.pending
    p.claim()
    assert p.pending


def test_a_decoder_waits_for_the_release_not_longer() -> None:
    p = Priority()
    p.claim()
    stepped = threading.Event()

    def decoder() -> None:
        p.step_aside()
        stepped.set()

    t = threading.Thread(target=decoder)
    t.start()
    p.release()
    assert stepped.wait(5), "released: the decoder goes on"
    t.join()
    assert not p.pending


def test_a_claim_never_released_costs_one_short_wait() -> None:
    p = Priority()
    p.claim()  # never released (a key lost on its way)
    started = time.monotonic()
    p.step_aside()
    assert time.monotonic() - started < 1.0
    assert not p.pending, "the decoder does not wait again for the same claim"
