"""The order journal: append-only JSON Lines, one file per UTC trading day, mode 0600.

Every intent (with its risk verdict), status change, fill, commission, reject,
IB error and connection change is one line. Each line names the account and the
gateway (``host:port``, or the demo's own name) it belongs to: a journal's orders
are rebuilt only against the same account behind the same gateway. An intent is
written to the file (the kernel has it: a crash of ibtui loses nothing) before
its order is sent, and fsynced (on the disk: a crash of the machine loses
nothing) as soon as the order has gone, before the desk does anything else: the
disk's flush is not the order's delay. Only the machine dying in that fraction
of a millisecond can lose the line, and the order then comes back from the
gateway at the next start, as every working order does. Reading tolerates (and
reports) a torn last line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import json
import os
import time
from collections.abc import Callable, Iterable
from enum import Enum
from pathlib import Path
from typing import Any

from tui.core import events as ev
from tui.core.contracts import Contract
from tui.core.prices import plain_price
from tui.core.words import plain_quantity


def _utc(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)


def _ts(moment: dt.datetime) -> str:
    """A line's time stamp: ``2026-01-05T14:30:00.000Z``."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def journal_path(directory: Path, day: dt.date) -> Path:
    """Today's journal file in ``directory`` (one file per UTC day)."""
    return directory / f"journal-{day.isoformat()}.jsonl"


_AS_IS = frozenset({str, int, float, bool, type(None)})
OWN = "event_"  # an event's field named as one of the line's own (account, client_id), prefixed
_frozen: dict[Any, dict[str, Any]] = {}  # a frozen dataclass (a contract) as JSON, made once


def _plain(value: Any) -> Any:
    if type(value) in _AS_IS:  # most fields: checked first, this runs on every order
        return value
    if dataclasses.is_dataclass(value):
        frozen = value.__dataclass_params__.frozen  # type: ignore[union-attr]
        if frozen:
            try:
                return _frozen[value]
            except KeyError:
                pass
            except TypeError:  # a field that cannot be hashed: made each time
                frozen = False
        plain = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if frozen and len(_frozen) < 1024:
            _frozen[value] = plain
        return plain
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (tuple, list, frozenset, set)):
        return [_plain(v) for v in value]
    return value


class Journal:
    """Today's journal file, opened on first write; a new file each UTC day."""

    def __init__(self, directory: Path, account: str = "", client_id: int = 0,
                 clock: Callable[[], float] = time.time, gateway: str = "") -> None:
        self.directory = Path(directory)
        self.account = account
        self.client_id = client_id
        self.gateway = gateway
        self.clock = clock
        self._fd: int | None = None
        self._day: dt.date | None = None
        self._unsynced = False  # a line written since the last fsync
        self.lines = 0
        # a line that cannot be written (no such directory, a full disk) must not stop the
        # trading that the gateway keeps its own record of: it is said once, here, and again
        # when lines are written again
        self.error = ""
        self.on_trouble: Callable[[str, str], None] | None = None  # (text, level): the desk says it

    @property
    def path(self) -> Path:
        return journal_path(self.directory, self._day or _utc(self.clock()).date())

    def _file(self, day: dt.date) -> int:
        if self._fd is None or day != self._day:
            self.close()
            if self.directory.exists() and not self.directory.is_dir():  # mkdir would say "File exists"
                raise NotADirectoryError(errno.ENOTDIR, "a file is where the journal's directory goes",
                                         str(self.directory))
            self.directory.mkdir(parents=True, exist_ok=True)
            path = journal_path(self.directory, day)
            self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.chmod(path, 0o600)
            self._day = day
            if _end_torn_line(path, self._fd, self.clock()):
                self._say(f"journal: {_cut_short(path, 'the last line')}", "warning")
        return self._fd

    def open_today(self) -> None:
        """Open today's file now rather than at the first line written: a line a crash cut
        short is ended, and said, before anything reads the journal."""
        try:
            self._file(_utc(self.clock()).date())
        except OSError as e:
            self._failed(e)

    def write(self, kind: str, sync: bool = False, **fields: Any) -> None:
        """Append one line of ``kind`` with ``fields``; ``sync`` fsyncs it before returning."""
        now = self.clock()
        stamp = _utc(now)
        record = {"ts": _ts(stamp),
                  "kind": kind, "account": self.account, "gateway": self.gateway,
                  "client_id": self.client_id}
        for k, v in fields.items():
            # who wrote the line stays who wrote it: an event's own account (an advisor's order
            # for a sub-account) or client id is kept beside it, not over it
            record[OWN + k if k in record else k] = _plain(v)
        line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
        try:
            fd = self._file(stamp.date())
            os.write(fd, line)  # one write of one line: O_APPEND keeps lines whole
        except OSError as e:
            self._failed(e)
            return
        self.lines += 1
        self._unsynced = True
        if self.error:
            self.error = ""
            self._say(f"journal: writing to {self.path} again", "warning")
        if sync:
            try:
                self.sync()
            except OSError as e:
                self._failed(e)

    def _failed(self, e: OSError) -> None:
        if not self.error:
            self.error = f"{e.filename or self.path}: {e.strerror or e}"
            self._say(f"journal: cannot write {self.error}; orders still go to the gateway, unjournaled, "
                      "until it can", "error")
        if self._fd is not None:  # opened afresh for the next line (a directory made meanwhile is taken)
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None

    def _say(self, text: str, level: str) -> None:
        if self.on_trouble is not None:
            self.on_trouble(text, level)

    def sync(self) -> None:
        """Put every line written so far on the disk (one fsync, if any line is waiting)."""
        if self._unsynced and self._fd is not None:
            os.fsync(self._fd)
        self._unsynced = False

    def event(self, e: object) -> None:
        """Journal an event (not market data)."""
        self.write(type(e).__name__, **{f.name: getattr(e, f.name) for f in dataclasses.fields(e)})  # type: ignore[arg-type]

    def close(self) -> None:
        if self._fd is not None:
            try:
                self.sync()
            except OSError:  # a failing disk was said when the requests went; closing goes on
                pass
            os.close(self._fd)
            self._fd = None


TORN = "torn_line"  # the kind of the line that follows a fragment the app has already reported


def _end_torn_line(path: Path, fd: int, now: float) -> bool:
    """A file left by a crash mid-write ends inside a line: end it there, or the next line
    written would be glued to the fragment and lost with it. A line saying so follows it: the
    fragment is said once, by the start that ends it, not at every start for the rest of the
    day (``read`` passes over a fragment with this line after it). True when it ended one."""
    size = os.fstat(fd).st_size
    if size:
        with open(path, "rb") as f:
            f.seek(size - 1)
            if f.read(1) != b"\n":
                mark = json.dumps({"ts": _ts(_utc(now)), "kind": TORN}, separators=(",", ":"))
                os.write(fd, b"\n" + mark.encode() + b"\n")
                return True
    return False


def read(path: Path) -> tuple[list[dict[str, Any]], str]:
    """All whole records, and a note if a line is torn (a crash mid-write) or not JSON; a torn
    line the app has ended since (a ``torn_line`` record after it) was reported then, and is
    only counted (``summarize``)."""
    records: list[dict[str, Any]] = []
    note = ""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], ""
    except OSError as e:  # not a file, not readable: said, and the day starts without it
        return [], f"{path}: cannot be read: {e.strerror or e}"
    lines = data.split(b"\n")
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            if i + 1 < len(lines) and _is_torn_mark(lines[i + 1]):
                continue  # reported at the start that ended it
            if i >= len(lines) - 2:
                note = _cut_short(path, "the last line")
            elif not line.rstrip().endswith(b"}"):
                note = _cut_short(path, f"line {i + 1}")
            else:
                note = f"{path.name}: line {i + 1} is not valid JSON; ignored"
    return records, note


def _cut_short(path: Path, which: str) -> str:
    return f"{path.name}: {which} was cut short (the app stopped mid-write); ignored"


def _is_torn_mark(line: bytes) -> bool:
    try:
        return bool(json.loads(line).get("kind") == TORN)
    except (json.JSONDecodeError, AttributeError):
        return False


def epoch(record: dict[str, Any]) -> float | None:
    """A record's time stamp as epoch seconds."""
    try:
        return dt.datetime.fromisoformat(str(record["ts"]).replace("Z", "+00:00")).timestamp()
    except (KeyError, ValueError):
        return None


def belongs(record: dict[str, Any], account: str, gateway: str, client_id: int) -> bool:
    """Written by this client for this account behind this gateway."""
    return (record.get("client_id") == client_id and record.get("account") == account
            and record.get("gateway", "") == gateway)


def order_history(records: Iterable[dict[str, Any]], order_id: int) -> list[dict[str, Any]]:
    """Every line about one order: intents, statuses, fills and their commissions, errors,
    cancels and reconciliation verdicts, in the order they were written."""
    out: list[dict[str, Any]] = []
    execs: set[str] = set()
    for r in records:
        kind = r.get("kind")
        if kind == "Commission":
            if r.get("exec_id") in execs:
                out.append(r)
        elif kind == "IBError":
            if r.get("req_id") == order_id:
                out.append(r)
        elif kind == "reconciled":
            if order_id in (r.get("unknown") or r.get("lost") or ()):
                out.append(r)
        elif r.get("order_id") == order_id:
            if kind == "Fill":
                execs.add(str(r.get("exec_id")))
            out.append(r)
    return out


def _plain_price(price: float | None) -> str:
    return "" if price is None else plain_price(price)


def describe(record: dict[str, Any], price: Callable[[float | None], str] | None = None) -> str:
    """One journal line as a trader reads it (for an order's history); ``price`` prints a price
    of the order's instrument (on its tick grid, where the caller knows it)."""
    price = price or _plain_price
    kind = record.get("kind")
    if kind == "intent":
        verdict = record.get("verdict")
        what = "modify" if record.get("modify") else "send"
        return f"{what} {record.get('intent', '')}" + ("" if verdict == "ok" else f": refused ({verdict})")
    if kind == "OrderStatus":
        filled = record.get("filled") or 0
        fill = f", filled {plain_quantity(filled)} @ {price(record.get('avg_price'))}" if filled else ""
        return f"status {record.get('status')}{fill}"
    if kind == "OpenOrder":
        prices = "".join(f" {label} {price(record.get(key))}" for label, key in
                         (("lmt", "lmt_price"), ("stop", "aux_price")) if record.get(key) is not None)
        return f"open order {record.get('action')} {plain_quantity(record.get('quantity') or 0)} " \
               f"{record.get('order_type')}{prices} ({record.get('status')})"
    if kind == "Fill":
        return f"fill {record.get('side')} {plain_quantity(record.get('shares') or 0)} " \
               f"@ {price(record.get('price'))} (exec {record.get('exec_id')})"
    if kind == "Commission":
        return f"commission {record.get('commission')} {record.get('currency', '')}"
    if kind == "IBError":
        return f"IB {record.get('code')}: {record.get('message')}"
    if kind == "cancel":
        return f"cancel sent ({record.get('reason', '')})"
    if kind == "reconciled":
        return "not reported by the gateway after connecting: unknown at the broker"
    return str(kind)


_EVENT_TYPES = {name: cls for name, cls in vars(ev).items()
                if isinstance(cls, type) and dataclasses.is_dataclass(cls)}


def to_event(record: dict[str, Any]) -> object | None:
    """Turn a journaled event line back into the event (for rebuilding the order log)."""
    cls = _EVENT_TYPES.get(record.get("kind", ""))
    if cls is None:
        return None
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {k: v for k, v in record.items() if k in names}
    for k, v in record.items():
        if k.startswith(OWN) and k[len(OWN):] in names:
            kwargs[k[len(OWN):]] = v  # the event's own, where the line's writer was another
    if isinstance(kwargs.get("contract"), dict):
        kwargs["contract"] = Contract(**kwargs["contract"])
    try:
        return cls(**kwargs)
    except TypeError:
        return None


def summarize(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Orders, fills and realized P&L of a day, for ``ibtui journal``."""
    intents = sent = rejected = 0
    fills: dict[str, dict[str, Any]] = {}
    commissions = 0.0
    realized = 0.0
    by_symbol: dict[str, dict[str, float]] = {}
    torn = 0
    for r in records:
        kind = r.get("kind")
        if kind == TORN:
            torn += 1
        elif kind == "intent":
            intents += 1
            if r.get("verdict") == "ok":
                sent += 1
            else:
                rejected += 1
        elif kind == "Fill" and r.get("exec_id") not in fills:
            fills[r["exec_id"]] = r
            sym = (r.get("contract") or {}).get("local_symbol") or (r.get("contract") or {}).get("symbol", "?")
            row = by_symbol.setdefault(sym, {"bought": 0.0, "sold": 0.0, "fills": 0})
            row["bought" if r.get("side") == "BOT" else "sold"] += float(r.get("shares", 0))
            row["fills"] += 1
        elif kind == "Commission":
            commissions += float(r.get("commission") or 0)
            realized += float(r.get("realized_pnl") or 0)
    return {"intents": intents, "sent": sent, "refused": rejected, "fills": len(fills),
            "commissions": commissions, "realized_pnl": realized, "by_symbol": by_symbol, "torn": torn}
