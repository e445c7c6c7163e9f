"""The frame reader over a real socket pair: frames come out whole, in order, however the bytes
arrive (one at a time, straddling reads, a frame longer than a read), and a corrupt length ends the
connection with a reason."""

from __future__ import annotations

import queue
import random
import socket
import threading

from tui.ib.wire import HEADER, MAX_FRAME, Reader, Wire


def _frame(body: bytes) -> bytes:
    return HEADER.pack(len(body)) + body


def _read_all(chunks: list[bytes], leftover: bytes = b"") -> tuple[list[bytes], str]:
    ours, theirs = socket.socketpair()
    frames: list[bytes] = []
    ended: queue.SimpleQueue[str] = queue.SimpleQueue()
    reader = Reader(Wire(ours), leftover, frames.extend, ended.put)
    reader.start()

    def send() -> None:
        for chunk in chunks:
            theirs.sendall(chunk)
        theirs.close()

    threading.Thread(target=send, daemon=True).start()
    reason = ended.get(timeout=30)
    reader.join(timeout=30)
    ours.close()
    return frames, reason


def test_frames_come_out_whole_however_the_bytes_are_cut() -> None:
    rng = random.Random(5)
    bodies = [b"1\x006\x00%d\x001\x00%d.25\x00" % (i, i) for i in range(3000)]
    bodies.insert(1234, b"x" * (3 << 20))  # longer than one read: joined once, not per piece
    bodies.insert(10, b"")  # an empty frame is a frame
    stream = b"".join(_frame(b) for b in bodies)
    chunks, at = [], 0
    while at < len(stream):
        n = rng.choice((1, 2, 3, 5, 17, 4096, 70_000))
        chunks.append(stream[at : at + n])
        at += n
    frames, reason = _read_all(chunks, leftover=b"")
    assert frames == bodies
    assert reason == "connection closed by the server"


def test_bytes_left_over_from_the_handshake_are_read_first() -> None:
    first, second = _frame(b"15\x001\x00DU1\x00"), _frame(b"9\x001\x007\x00")
    frames, _ = _read_all([second[3:]], leftover=first + second[:3])
    assert frames == [b"15\x001\x00DU1\x00", b"9\x001\x007\x00"]


def test_a_corrupt_length_ends_the_connection_with_a_reason() -> None:
    frames, reason = _read_all([_frame(b"ok"), HEADER.pack(MAX_FRAME + 1) + b"garbage"])
    assert frames in ([], [b"ok"])  # what came before it in the same read goes with it
    assert reason == f"connection lost: a frame of {MAX_FRAME + 1} bytes"
