"""Running a gateway: in its own thread (tests, ``ibtui demo``) or in the foreground (``ibtui sim``)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import signal
import threading
from collections.abc import Callable
from typing import TypeVar

from pathlib import Path

from tui.sim.server.control import Address, describe, reason, serve_control
from tui.sim.server.gateway import Gateway

T = TypeVar("T")


class GatewayThread:
    """A gateway serving on a background event loop.

    ``call`` runs a function on the gateway's loop and returns its result, so a
    test can step a paused market or inject a fault without racing the server.
    """

    def __init__(self, gateway: Gateway, host: str = "127.0.0.1", port: int = 0) -> None:
        self.gateway = gateway
        self.host = host
        self.port = port
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="sim-gateway", daemon=True)
        self._ready = concurrent.futures.Future[int]()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            port = self.loop.run_until_complete(self.gateway.start(self.host, self.port))
        except BaseException as e:
            self._ready.set_exception(e)
            return
        self._ready.set_result(port)
        self.loop.run_forever()
        self.loop.run_until_complete(self.gateway.stop())
        self.loop.close()

    def start(self) -> GatewayThread:
        self._thread.start()
        self.port = self._ready.result(timeout=10)
        return self

    def call(self, fn: Callable[..., T], *args: object, timeout: float = 10) -> T:
        async def run() -> T:
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)

    def stop(self) -> None:
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)

    def __enter__(self) -> GatewayThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_forever(make: Callable[[], Gateway], host: str, port: int,
                  control: Address | None = None) -> None:
    """Serve until interrupted (``ibtui sim``); ``restart`` from the control socket
    stops the gateway and starts a new one from the same state file. Everything is
    bound before anything says it is listening; a failure raises naming what failed."""

    async def main() -> None:
        box = [make()]
        stop = asyncio.Event()
        restarting = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            # a service manager's stop saves the --state file like Ctrl-C does
            loop.add_signal_handler(sig, stop.set)
        server = None
        if control is not None:
            server = await serve_control(lambda: box[0], restarting.set, control)
        try:
            try:
                await box[0].start(host, port)
            except OSError as e:
                raise OSError(e.errno, f"cannot listen on {host}:{port}: {reason(e)}") from None
            if control is not None:
                logging.getLogger("tui.sim").info("control socket: %s (ibtui fault)", describe(control))
            while not stop.is_set():
                waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(restarting.wait())]
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                for w in waiters:
                    w.cancel()
                if restarting.is_set() and not stop.is_set():
                    restarting.clear()
                    await asyncio.sleep(0.05)  # let the reply go out
                    await box[0].stop()
                    logging.getLogger("tui.sim").info("restarting the gateway")
                    box[0] = make()
                    await box[0].start(host, port)
        finally:
            if server is not None:
                server.close()
                if isinstance(control, Path):
                    control.unlink(missing_ok=True)
            await box[0].stop()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
