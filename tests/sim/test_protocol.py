"""Handshake, version negotiation, greeting and connection isolation, over raw sockets."""

from __future__ import annotations

import socket
import struct
import time

from tui.sim.protocol.codec import FrameBuffer, split_fields


def raw(port: int, rcvbuf: int = 0) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        # before connect, so that the advertised window scale matches the buffer
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(3)
    s.connect(("127.0.0.1", port))
    return s


def hello(versions: str = "v100..157") -> bytes:
    body = versions.encode()
    return b"API\0" + struct.pack(">I", len(body)) + body


def read_frames(s: socket.socket, n: int, timeout: float = 3.0) -> list[list[str]]:
    buf = FrameBuffer()
    out: list[list[str]] = []
    deadline = time.monotonic() + timeout
    while len(out) < n and time.monotonic() < deadline:
        s.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data = s.recv(65536)
        except TimeoutError:
            break
        if not data:
            break
        buf.feed(data)
        out += [split_fields(f) for f in buf.frames()]
    return out


def start_api(client_id: int) -> bytes:
    body = f"71\x002\x00{client_id}\x00\x00".encode()
    return struct.pack(">I", len(body)) + body


def test_version_reply_is_one_frame_of_two_fields_and_nothing_more(paused) -> None:
    s = raw(paused.port)
    s.sendall(hello())
    time.sleep(0.3)
    data = s.recv(65536)
    (size,) = struct.unpack(">I", data[:4])
    assert len(data) == 4 + size, "nothing may follow the version reply before startApi"
    fields = split_fields(data[4:])
    assert fields[0] == "157"
    assert len(fields) == 2 and fields[1]


def test_connect_options_are_accepted(paused) -> None:
    s = raw(paused.port)
    s.sendall(hello("v100..157 +PACEAPI"))
    assert read_frames(s, 1)[0][0] == "157"


def test_the_highest_version_both_sides_know_up_to_200_is_answered(paused) -> None:
    for versions, answer in (("v100..157", "157"), ("v157..178", "178"), ("v158..176", "176"),
                             ("v100..226", "200"), ("v163..163", "163"), ("v200..200", "200")):
        s = raw(paused.port)
        s.sendall(hello(versions))
        assert read_frames(s, 1)[0][0] == answer, versions
        s.close()


def test_a_version_range_this_gateway_cannot_speak_closes_the_socket(paused) -> None:
    for versions in ("v100..150", "v201..226"):  # too old; protobuf only
        s = raw(paused.port)
        s.sendall(hello(versions))
        assert s.recv(100) == b"", versions


def test_garbage_before_handshake_closes_only_that_socket(paused, connect) -> None:
    client = connect(paused.port)
    s = raw(paused.port)
    s.sendall(b"GET / HTTP/1.1\r\n\r\n")
    assert s.recv(100) == b""
    client.reqCurrentTime()
    client.wait_for("currentTime")


def test_greeting_after_start_api(paused) -> None:
    s = raw(paused.port)
    s.sendall(hello())
    read_frames(s, 1)
    s.sendall(start_api(5))
    frames = read_frames(s, 5)
    ids = [f[0] for f in frames]
    assert frames[0] == ["15", "1", "DU1234567"]
    assert frames[1] == ["9", "1", "1"]  # exactly three fields
    assert ids[2:] == ["4", "4", "4"]
    assert {f[3] for f in frames[2:]} == {"2104", "2106", "2158"}
    assert all(len(f) == 5 for f in frames[2:])


def test_duplicate_client_id_gets_326_and_is_closed(paused, connect) -> None:
    first = connect(paused.port, client_id=3)
    second = connect(paused.port, client_id=3, wait_ready=False)
    second.wait_for("error", lambda r, code, text: code == 326)
    text = second.errors(326)[0][2]
    assert "client id is already in use" in text
    time.sleep(0.3)
    assert not second.isConnected()
    first.reqCurrentTime()
    first.wait_for("currentTime")


def test_oversize_frame_and_mid_frame_disconnect_hurt_no_one_else(gateway, connect) -> None:
    client = connect(gateway.port)
    from ibkit import stock

    client.reqMktData(1, stock("AAPL"), "", False, False, [])
    client.wait_for("tickPrice")
    bad = raw(gateway.port)
    bad.sendall(hello())
    read_frames(bad, 1)
    bad.sendall(start_api(9))
    bad.sendall(struct.pack(">I", 0x7FFFFFFF) + b"x" * 100)
    assert bad.recv(1 << 20) != b"" or True  # greeting may arrive first
    half = raw(gateway.port)
    half.sendall(hello())
    read_frames(half, 1)
    half.sendall(struct.pack(">I", 500) + b"71\x00")
    half.close()
    garbage = raw(gateway.port)
    garbage.sendall(hello())
    read_frames(garbage, 1)
    garbage.sendall(start_api(10) + struct.pack(">I", 6) + b"abc\x00d\x00")
    n = len(client.calls("tickPrice"))
    time.sleep(0.5)
    assert len(client.calls("tickPrice")) > n, "the good client kept streaming"
    assert client.isConnected()


def test_unsupported_requests_get_an_error_naming_the_request(paused, connect) -> None:
    client = connect(paused.port)
    client.reqSoftDollarTiers(42)  # in both ibapi majors; not simulated
    err = client.wait_for("error", lambda r, c, t: c == 321)[0]
    assert err[0] == 42 and "reqSoftDollarTiers" in err[2]


def request(*fields: object) -> bytes:
    body = "".join(f"{f}\0" for f in fields).encode()
    return struct.pack(">I", len(body)) + body


def depth_request(req_id: int, symbol: str, sec_type: str, exchange: str, rows: int) -> bytes:
    return request(10, 5, req_id, 0, symbol, sec_type, "", "", "", "", exchange, "", "USD", "",
                   "", rows, 0, "")


def test_slow_reader_is_paused_bounded_and_resynchronised(paused, connect) -> None:
    # The market moves only when the test steps it and the server's kernel send buffer is
    # pinned small, so what decides the outcome is how many bytes were offered, never how
    # fast this machine produced them (a wall-clock deadline here failed one run in five).
    gateway = paused
    gw = gateway.gateway
    stuck = raw(gateway.port, rcvbuf=8192)
    stuck.sendall(hello())
    read_frames(stuck, 1)
    stuck.sendall(start_api(20) + depth_request(7, "ES", "FUT", "CME", 20)
                  + depth_request(8, "NQ", "FUT", "CME", 20))
    good = connect(gateway.port, client_id=21)
    from ibkit import future

    good.reqMktData(1, future("ES"), "", False, False, [])
    good.sync()

    def pin_send_buffer() -> bool:
        session = gw.sessions.get(20)
        if session is None or session.transport is None:
            return False
        session.transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
        return True

    deadline = time.monotonic() + 10
    while not gateway.call(pin_send_buffer):
        assert time.monotonic() < deadline, "the stuck client's session exists"
        time.sleep(0.02)

    def stuck_state() -> tuple[bool, int]:
        session = gw.sessions[20]
        return session.paused, session.transport.get_write_buffer_size()

    n = len(good.calls("tickPrice")) + len(good.calls("tickSize"))
    for _ in range(4000):  # at most 200,000 market steps
        gateway.call(gw.run_steps, 50)
        if gateway.call(stuck_state)[0]:
            break
    paused_now, buffered = gateway.call(stuck_state)
    assert paused_now, f"a client that does not read is paused for market data ({buffered} bytes queued)"
    assert buffered < 8 << 20, "the server does not buffer without bound for it"
    good.sync()
    assert len(good.calls("tickPrice")) + len(good.calls("tickSize")) > n, "others keep streaming"

    # now it reads again: its book must end identical to the gateway's
    books: dict[int, dict[int, list[list[object]]]] = {7: {0: [], 1: []}, 8: {0: [], 1: []}}
    buf = FrameBuffer()
    stuck.settimeout(1.0)
    while True:
        try:
            data = stuck.recv(1 << 20)
        except TimeoutError:
            break
        if not data:
            break
        buf.feed(data)
        for payload in buf.frames():
            f = split_fields(payload)
            if f[0] != "12":
                continue
            req, pos, op, side, price, size = int(f[2]), int(f[3]), int(f[4]), int(f[5]), f[6], f[7]
            rows = books[req][side]
            if op == 0:
                rows.insert(pos, [float(price), int(size)])
            elif op == 1:
                rows[pos] = [float(price), int(size)]
            else:
                del rows[pos]

    def truth() -> dict[int, dict[int, list[list[object]]]]:
        out = {}
        for req, con in ((7, 495512563), (8, 563947738)):
            m = gw.markets[con]
            out[req] = {1: [[m.price(p), s] for p, s in m.bids[:20]],
                        0: [[m.price(p), s] for p, s in m.asks[:20]]}
        return out

    assert books == gateway.call(truth)
