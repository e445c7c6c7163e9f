"""What the app needs from a broker, as a protocol (the UI never imports tui.ib)."""

from __future__ import annotations

from typing import Protocol

from tui.core.contracts import Contract
from tui.core.events import ConnState
from tui.core.handoff import Handoff
from tui.core.intents import Bracket, OrderIntent


class BrokerPort(Protocol):
    h: Handoff
    state: ConnState
    reason: str
    reconciling: bool
    server_version: int
    accounts: tuple[str, ...]

    @property
    def can_trade(self) -> bool: ...

    @property
    def stale(self) -> bool: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def resolve(self, symbol: str, sec_type: str = "", exchange: str = "", currency: str = "",
                con_id: int = 0) -> str: ...

    def search(self, pattern: str) -> None: ...

    def subscribe(self, contract: Contract, depth_rows: int = 0) -> None: ...

    def unsubscribe(self, con_id: int) -> None: ...

    def reserve_order_ids(self, below: int) -> None: ...

    def allocate_order_id(self) -> int: ...

    def place(self, intent: OrderIntent, order_id: int | None = None) -> int: ...

    def place_bracket(self, b: Bracket) -> tuple[int, int, int]: ...

    def cancel(self, order_id: int) -> None: ...

    def global_cancel(self) -> None: ...

    def pnl_single(self, con_id: int) -> None: ...

    def stats(self) -> dict[str, int]: ...
