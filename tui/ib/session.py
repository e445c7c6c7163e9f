"""The connection's life: connect, watch for silence, reconnect with backoff, say why.

One supervisor thread runs ``Session.run``: it opens a client, hands it to the broker
to resynchronise (``up``), watches it until it closes, and starts again. The state
the trader sees (``Connection`` events) is set only here.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from tui.core import events as ev
from tui.core.events import ConnState
from tui.core.handoff import Handoff
from tui.ib.client import Client
from tui.ib.pacing import Pacer
from tui.ib.wire import HandshakeError


@dataclass
class BrokerConfig:
    """Where to connect and how patiently."""

    host: str = "127.0.0.1"
    port: int = 7497
    client_id: int = 1
    account: str = ""
    connect_timeout: float = 5.0
    stale_after: float = 10.0  # no bytes for this long: probe with reqCurrentTime
    probe_timeout: float = 5.0  # no answer to the probe: the connection is dead
    backoff_max: float = 10.0
    market_data_type: int = 1
    client_id_tries: int = 1  # >1: on error 326 at the first connect, try the next ids (tmux panes)


def connect_hint(host: str, port: int, error: BaseException) -> str:
    """Why a connect failed, in words that say what to check."""
    if isinstance(error, ConnectionRefusedError):
        return (f"nothing listens on {host}:{port}: is TWS or IB Gateway running, with "
                "'Enable ActiveX and Socket Clients' on and this host among the trusted IPs?")
    if isinstance(error, (TimeoutError, OSError)) and "timed out" in str(error):
        return f"no answer from {host}:{port} (timed out): check the host, port and firewall"
    return f"cannot connect to {host}:{port}: {error}"


MakeClient = Callable[[Callable[[str], None]], Client]  # (closed callback) -> an unopened client


class Session:
    """The supervisor of the connection (see the module)."""
    def __init__(self, cfg: BrokerConfig, handoff: Handoff, pacer: Pacer, make_client: MakeClient,
                 up: Callable[[Client], None]) -> None:
        self.cfg = cfg
        self.h = handoff
        self.pacer = pacer
        self._make_client = make_client
        self._up = up
        self.client_id = cfg.client_id  # may move on from the configured id (error 326, tmux panes)
        self.client: Client | None = None
        self.state = ConnState.DISCONNECTED
        self.reason = ""
        self.reconciling = False
        self.server_version = 0
        self.accounts: tuple[str, ...] = ()
        self.reconnects = 0
        self._ready = threading.Event()
        self._got_ids = False
        self._closed = threading.Event()
        self._close_reason = ""
        self._error_reason = ""  # a server error that explains the close that follows
        self._stop = threading.Event()
        self._probe_at = 0.0
        self._id_tries_left = cfg.client_id_tries

    @property
    def stale(self) -> bool:
        """Connected, but silent long enough that a probe is out."""
        return bool(self._probe_at)

    @property
    def sending(self) -> bool:
        """Requests may go out (connected, even if degraded)."""
        return self.state in (ConnState.CONNECTED, ConnState.DEGRADED) and self.client is not None

    def set_state(self, state: ConnState, reason: str = "", reconciling: bool | None = None,
                  retry_at: float = 0.0, attempt: int = 0) -> None:
        if reconciling is not None:
            self.reconciling = reconciling
        self.state = state
        self.reason = reason
        self.h.put(ev.Connection(state, reason, self.server_version, self.accounts,
                                 self.reconciling, self.cfg.host, self.cfg.port, self.client_id,
                                 retry_at, attempt))

    def stop(self) -> None:
        self._stop.set()
        client = self.client
        if client is not None:
            client.close("stopped")

    def run(self) -> None:
        attempt = 0
        lost = ""  # why the last session ended, shown until the next one is up
        while not self._stop.is_set():
            target = f"{self.cfg.host}:{self.cfg.port}"
            self.set_state(ConnState.CONNECTING if attempt == 0 and not self.reconnects
                           else ConnState.RECONNECTING,
                           f"{lost}; reconnecting to {target}" if lost else f"connecting to {target}")
            try:
                client = self._open()
            except (OSError, HandshakeError, TimeoutError) as e:
                attempt += 1
                reason = self._error_reason or connect_hint(self.cfg.host, self.cfg.port, e)
                self._error_reason = ""
                delay = min(self.cfg.backoff_max, 0.25 * 2 ** (attempt - 1)) * (0.7 + 0.6 * random.random())
                self.set_state(ConnState.RECONNECTING if self.reconnects or attempt > 1
                               else ConnState.DISCONNECTED, reason, retry_at=time.time() + delay,
                               attempt=attempt)  # the screen counts down to the next attempt
                self._stop.wait(delay)
                continue
            attempt = 0
            lost = ""
            self._up(client)
            self._watch(client)
            if self._stop.is_set():
                return
            self.reconnects += 1
            self.pacer.clear()  # what waited for the old connection goes with it
            lost = self._close_reason
            self.set_state(ConnState.RECONNECTING, lost)

    def _open(self) -> Client:
        self._ready.clear()
        self._closed.clear()
        self._got_ids = False
        self.accounts = ()
        client = self._make_client(self._on_closed)
        self.client = client
        client.open(self.cfg.host, self.cfg.port, self.client_id, self.cfg.connect_timeout)
        if not self._ready.wait(self.cfg.connect_timeout) or self._closed.is_set():
            reason = self._close_reason or "TWS accepted the socket but never sent nextValidId"
            client.close(reason)
            raise TimeoutError(reason)
        self.server_version = client.serverVersion()
        return client

    def _on_closed(self, reason: str) -> None:
        self._close_reason = reason if not self._error_reason else self._error_reason
        self._closed.set()
        self._ready.set()  # wake a connect that is waiting

    def _watch(self, client: Client) -> None:
        assert client.wire is not None
        wire = client.wire
        self._probe_at = 0.0
        while not self._stop.is_set() and not self._closed.wait(0.2):
            idle = time.monotonic() - wire.last_rx
            if idle > self.cfg.stale_after and not self._probe_at:
                self._probe_at = time.monotonic()
                self.pacer.submit(client.reqCurrentTime, urgent=True)
            elif self._probe_at:
                if wire.last_rx > self._probe_at:
                    self._probe_at = 0.0
                elif time.monotonic() - self._probe_at > self.cfg.probe_timeout:
                    client.close(f"no data from TWS for {idle:.0f}s and no answer to a probe")

    # --- what the server says about the session -------------------------------------------
    def next_valid_id(self) -> None:
        self._got_ids = True
        if self.accounts:
            self._ready.set()

    def managed_accounts(self, accounts: str) -> None:
        self.accounts = tuple(a for a in accounts.split(",") if a)
        if self._got_ids:
            self._ready.set()

    def error(self, code: int) -> None:
        """The connection-level meaning of an error code (the rest is the broker's)."""
        target = f"{self.cfg.host}:{self.cfg.port}"
        if code == 326 and self.reconnects == 0 and self._id_tries_left > 1:
            self._id_tries_left -= 1
            self.client_id += 1  # another pane holds this id: take the next one
            self._error_reason = f"client id {self.client_id - 1} in use; trying {self.client_id}"
        elif code == 326:
            self._error_reason = (f"client id {self.client_id} is already in use at {target}; "
                                  "choose another client_id")
        elif code in (1100, 2110):
            self.set_state(ConnState.DEGRADED, "TWS lost its connection to IB" if code == 1100
                           else "connectivity between TWS and IB is broken")
        elif code == 1101:
            self.set_state(ConnState.CONNECTED, "IB connection restored; resubscribing market data")
        elif code == 1102:
            self.set_state(ConnState.CONNECTED, "IB connection restored")
