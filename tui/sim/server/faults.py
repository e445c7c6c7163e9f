"""Faults the simulated gateway can inject, for the reliability tests and ``ibtui fault``.

Each function runs on the gateway's event loop.
"""

from __future__ import annotations

import asyncio
import logging

from tui.sim.protocol.codec import frame
from tui.sim.server.gateway import Gateway

log = logging.getLogger("tui.sim")

SYSTEM_MESSAGES = {
    1100: "Connectivity between IB and Trader Workstation has been lost.",
    1101: "Connectivity between IB and Trader Workstation has been restored - data lost.",
    1102: "Connectivity between IB and Trader Workstation has been restored - data maintained.",
    2110: "Connectivity between Trader Workstation and server is broken. It will be restored automatically.",
    2103: "Market data farm connection is broken:usfarm",
    2105: "HMDS data farm connection is broken:ushmds",
    2157: "Sec-def data farm connection is broken:secdefnj",
}


def drop(gw: Gateway) -> int:
    """Close every client socket at once, as TWS does when it goes away."""
    sessions = list(gw.sessions_open)
    for s in sessions:
        s.close()
    log.info("fault: dropped %d connections", len(sessions))
    return len(sessions)


def stall(gw: Gateway, seconds: float) -> None:
    """Keep sockets open but send nothing (the nightly reset, a hung TWS)."""
    gw.stalled_until = asyncio.get_running_loop().time() + seconds
    log.info("fault: stalled for %.1fs", seconds)


def error(gw: Gateway, code: int, client_id: int | None = None, text: str = "") -> int:
    """Send an IB system message to one client or all."""
    text = text or SYSTEM_MESSAGES.get(code, f"Simulated message {code}")
    targets = [s for cid, s in gw.sessions.items() if client_id is None or cid == client_id]
    for s in targets:
        s.error(-1, code, text)
    if code == 1101:
        # data lost: TWS forgets the subscriptions, the client must resubscribe
        for s in targets:
            gw.feed.drop_session(s)
            s.l1.clear()
            s.depth.clear()
            s.tbt.clear()
    return len(targets)


def refuse(gw: Gateway, seconds: float) -> None:
    """Refuse new connections for a while (they are accepted and closed at once)."""
    gw.refuse_until = asyncio.get_running_loop().time() + seconds


def reject_next(gw: Gateway, code: int = 201,
                text: str = "Order rejected - reason:Simulated rejection") -> None:
    gw.reject_next = (code, text)


def garbage(gw: Gateway, client_id: int | None = None, truncated: bool = False) -> int:
    """Send a frame ibapi cannot read (a size that is not an integer), or half a frame and close."""
    targets = [s for cid, s in gw.sessions.items() if client_id is None or cid == client_id]
    for s in targets:
        if truncated:
            s.flush()
            if s.transport is not None:
                s.transport.write(b"\x00\x00\x01\x00" + b"12\x001\x00")  # promises 256 bytes, sends 8
            s.close()
        else:
            s.send(frame(b"2\x006\x001\x000\x00one hundred\x00"))
    return len(targets)


FAULTS = ("drop", "stall", "error", "refuse", "reject-next", "garbage", "truncate", "restart")


def apply(gw: Gateway, words: list[str]) -> str:
    """Run one control command (``stall 5``, ``error 1100 --client 3``); returns a reply line."""
    if not words:
        raise ValueError(f"expected one of {', '.join(FAULTS)}")
    name, args = words[0], words[1:]
    client: int | None = None
    if "--client" in args:
        i = args.index("--client")
        client = int(args[i + 1])
        args = args[:i] + args[i + 2:]
    if name == "drop":
        return f"dropped {drop(gw)} connections"
    if name == "stall":
        stall(gw, float(args[0]))
        return f"stalled for {float(args[0]):g}s"
    if name == "error":
        code = int(args[0])
        return f"sent {code} to {error(gw, code, client)} clients"
    if name == "refuse":
        refuse(gw, float(args[0]))
        return f"refusing connections for {float(args[0]):g}s"
    if name == "reject-next":
        reject_next(gw)
        return "the next order will be rejected"
    if name in ("garbage", "truncate"):
        return f"sent {name} to {garbage(gw, client, truncated=name == 'truncate')} clients"
    raise ValueError(f"unknown fault {name!r}: expected one of {', '.join(FAULTS)}")
