"""The simulated gateway's control socket: faults from ``ibtui fault``, loopback only.

Opt-in (``ibtui sim --control``), and never on a port an IB client would try: by
default a Unix socket in the state directory named after the gateway's port, else
a loopback TCP port the user names (IB's own ports are refused).

One line per command (``drop``, ``stall 5``, ``error 1100 --client 3``, ``refuse 10``,
``reject-next``, ``garbage``, ``truncate``, ``restart``); one line back, ``ok ...``
or ``error ...``. TCP peers outside 127.0.0.0/8 and ::1 are refused.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import socket
from collections.abc import Callable
from pathlib import Path

from tui.sim.server import faults
from tui.sim.server.gateway import Gateway

log = logging.getLogger("tui.sim")

# TWS live/paper and IB Gateway live/paper: an IB client may try any of them
IB_PORTS = frozenset({7496, 7497, 4001, 4002})

Address = int | Path  # a loopback TCP port, or a Unix socket's path


class ControlBindError(OSError):
    """The control socket could not be opened; the message names where."""


def default_path(state_dir: Path, gateway_port: int) -> Path:
    """Where ``ibtui sim --port P --control`` listens and ``ibtui fault --port P`` looks."""
    return state_dir / f"sim-{gateway_port}.control"


def reason(e: OSError) -> str:
    """Why a bind failed, in the operating system's words (asyncio's wrap them in its own)."""
    return os.strerror(e.errno) if e.errno else str(e)


def describe(address: Address) -> str:
    return f"127.0.0.1:{address}" if isinstance(address, int) else str(address)


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


async def serve_control(get_gateway: Callable[[], Gateway], restart: Callable[[], None],
                        address: Address) -> asyncio.AbstractServer:
    """Listen at ``address``; a failure raises ``ControlBindError`` naming it."""
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        if isinstance(address, int) and (not peer or not is_loopback(peer[0])):
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

    try:
        if isinstance(address, int):
            if address in IB_PORTS:
                raise ControlBindError(f"control port {address} is one IB clients connect to; choose another")
            return await asyncio.start_server(handle, "127.0.0.1", address)
        address.parent.mkdir(parents=True, exist_ok=True)
        if address.exists():
            if _answers(address):
                raise ControlBindError(f"{address} is the control socket of a simulated gateway "
                                       "that is running")
            address.unlink()  # left by a gateway that did not stop cleanly
        server = await asyncio.start_unix_server(handle, str(address))
        os.chmod(address, 0o600)
        return server
    except ControlBindError:
        raise
    except OSError as e:
        raise ControlBindError(f"cannot open the control socket {describe(address)}: "
                               f"{reason(e)}") from None


def _answers(path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(0.5)
            s.connect(str(path))
        return True
    except OSError:
        return False


def send(address: Address, command: str, timeout: float = 5.0) -> str:
    """``ibtui fault``'s side: send one command, return the reply line."""
    if isinstance(address, int):
        s = socket.create_connection(("127.0.0.1", address), timeout=timeout)
    else:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(timeout)
        try:
            s.connect(str(address))
        except OSError:
            s.close()
            raise
    with s:
        s.sendall(command.encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.decode().strip()
