"""Request ids, the answers awaited across reconnects, and the contract cache."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tui.core import events as ev
from tui.core.contracts import Contract, ContractSpec

# errors that end a request: no security definition, ambiguous, invalid, no match
ENDS_REQUEST = frozenset({200, 162, 321, 10189})

Request = Callable[[Any, int], None]  # (client, request id): sends it


@dataclass
class Pending:
    """A request awaiting its answer; sent again on the next connection if that one ends first."""

    kind: str  # "details" or "symbols"
    key: str
    request: Request
    items: list[ContractSpec] = field(default_factory=list)


def query_key(symbol: str, sec_type: str = "", exchange: str = "", currency: str = "",
              con_id: int = 0) -> str:
    """The cache key of a contract query: ``#conid`` or ``SYMBOL:TYPE:EXCHANGE:CURRENCY``."""
    if con_id:
        return f"#{con_id}"
    return ":".join(p.upper() for p in (symbol, sec_type, exchange, currency)).rstrip(":")


def unknown(key: str) -> str:
    what = key.replace(":", " ").strip()
    return f"no contract matches {what!r}"


class Requests:
    """Thread-safe: ids are taken from any thread, answers complete on the decode thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = 1
        self._pending: dict[int, Pending] = {}
        self.specs: dict[str, tuple[ContractSpec, ...]] = {}  # resolved queries, kept for the session

    def new_id(self) -> int:
        with self._lock:
            rid = self._next
            self._next += 1
            return rid

    def add(self, kind: str, key: str, request: Request) -> int:
        rid = self.new_id()
        with self._lock:
            self._pending[rid] = Pending(kind, key, request)
        return rid

    def waiting(self) -> list[tuple[int, Pending]]:
        """What is still unanswered, emptied of partial answers, to be sent again."""
        with self._lock:
            pending = list(self._pending.items())
        for _, p in pending:
            p.items.clear()
        return pending

    def detail(self, rid: int, spec: ContractSpec) -> None:
        with self._lock:
            p = self._pending.get(rid)
            if p is not None and all(s.contract.con_id != spec.contract.con_id for s in p.items):
                p.items.append(spec)

    def details_end(self, rid: int) -> ev.ContractResolved | None:
        with self._lock:
            p = self._pending.pop(rid, None)
        if p is None:
            return None
        specs = tuple(p.items)
        if specs:
            self.specs[p.key] = specs
            for s in specs:
                self.specs[query_key("", con_id=s.contract.con_id)] = (s,)
        return ev.ContractResolved(p.key, specs, "" if specs else unknown(p.key))

    def samples(self, rid: int, contracts: tuple[Contract, ...]) -> ev.SymbolMatches | None:
        with self._lock:
            p = self._pending.pop(rid, None)
        return ev.SymbolMatches(p.key, contracts) if p is not None else None

    def failed(self, rid: int, code: int) -> ev.ContractResolved | None:
        """An error that ends request ``rid``: a contract query answers "no match"."""
        if code not in ENDS_REQUEST:
            return None
        with self._lock:
            p = self._pending.pop(rid, None)
        if p is not None and p.kind == "details":
            return ev.ContractResolved(p.key, (), error=unknown(p.key))
        return None
