"""Faults the simulated gateway can inject, for the reliability tests and ``ibtui fault``.

Each function runs on the gateway's event loop.
"""

from __future__ import annotations

import asyncio
import logging

from tui.sim import messages as msg
from tui.sim.gateway import Gateway

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
        s.send(msg.error(-1, code, text))
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
