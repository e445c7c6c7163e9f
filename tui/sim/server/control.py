"""The simulated gateway's control socket: faults from ``ibtui fault``, loopback only.

One line per command (``drop``, ``stall 5``, ``error 1100 --client 3``, ``refuse 10``,
``reject-next``, ``garbage``, ``truncate``, ``restart``); one line back, ``ok ...``
or ``error ...``. Peers outside 127.0.0.0/8 and ::1 are refused.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Callable

from tui.sim.server import faults
from tui.sim.server.gateway import Gateway

log = logging.getLogger("tui.sim")


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


async def serve_control(get_gateway: Callable[[], Gateway], restart: Callable[[], None],
                        host: str, port: int) -> asyncio.AbstractServer:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        if not peer or not is_loopback(peer[0]):
            log.warning("control: refused a connection from %s", peer)
            writer.close()
            return
        try:
            line = (await asyncio.wait_for(reader.readline(), 5)).decode("ascii", "replace").split()
            if line[:1] == ["restart"]:
                restart()
                reply = "ok restarting"
            else:
                reply = "ok " + faults.apply(get_gateway(), line)
            log.info("control: %s -> %s", " ".join(line), reply)
        except (TimeoutError, ValueError, IndexError) as e:
            reply = f"error {e}"
        writer.write((reply + "\n").encode())
        await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, host, port)


def send(port: int, command: str, host: str = "127.0.0.1", timeout: float = 5.0) -> str:
    """``ibtui fault``'s side: send one command, return the reply line."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(command.encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.decode().strip()
