"""The gateway's ``--state`` file: what an IB account keeps across TWS's daily restart.

The account, every order (working ones resume working), the executions, and the
last order id each client used survive; market-data subscriptions do not, as
with a real restart. Written atomically (temp file and rename).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core.files import write_atomic
from tui.sim.trading.matching import Execution
from tui.sim.trading.orders import SimOrder

if TYPE_CHECKING:
    from tui.sim.server.gateway import Gateway

FORMAT = 1
_ORDER_FIELDS = (
    "order_id", "client_id", "perm_id", "action", "quantity", "order_type", "lmt", "aux",
    "tif", "account", "oca_group", "oca_type", "order_ref", "parent_id", "transmit",
    "outside_rth", "good_till_date", "status", "filled", "avg_price", "last_fill_price",
    "triggered", "why_held", "placed_at", "completed_at", "completed_status", "children",
)
# added later: a state file written before them loads with their defaults
_NEWER_FIELDS = ("trail_stop", "trail_percent", "lmt_offset", "expires_at")


def save_state(gw: Gateway, path: Path) -> None:
    engine = gw.engine
    data = {
        "format": FORMAT,
        "account": gw.account.to_dict(),
        "last_order_ids": {str(k): v for k, v in gw.last_order_ids.items()},
        "next_perm": engine.next_perm,
        "exec_seq": engine.exec_seq,
        "orders": [
            {"con_id": o.inst.con_id, **{f: getattr(o, f) for f in _ORDER_FIELDS + _NEWER_FIELDS}}
            for o in engine.orders.values()
        ],
        "executions": [
            {"exec_id": e.exec_id, "client_id": e.order.client_id, "order_id": e.order.order_id,
             "epoch": e.epoch, "shares": e.shares, "price": e.price, "cum_qty": e.cum_qty,
             "avg_price": e.avg_price, "commission": e.commission, "realized": e.realized}
            for e in engine.executions
        ],
    }
    write_atomic(path, json.dumps(data).encode())


def load_state(gw: Gateway, path: Path) -> None:
    """Restore the account, orders and executions; ValueError names what is wrong with the file."""
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not JSON: {e}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a simulated-gateway state file of format {FORMAT}")
    try:
        _load(gw, data)
    except KeyError as e:
        raise ValueError(f"{path}: damaged: {e.args[0]!r} is missing") from None
    except (TypeError, ValueError, AttributeError) as e:
        raise ValueError(f"{path}: damaged: {e}") from None


def _load(gw: Gateway, data: dict[str, Any]) -> None:
    gw.account.load(data["account"], gw.by_con)
    for con_id in gw.account.positions:
        gw.markets[con_id]  # noqa: B018 -- a held instrument's market moves (and marks it)
    gw.last_order_ids = {int(k): int(v) for k, v in data["last_order_ids"].items()}
    engine = gw.engine
    engine.next_perm = int(data["next_perm"])
    engine.exec_seq = int(data["exec_seq"])
    for row in data["orders"]:
        inst = gw.by_con.get(row["con_id"])
        if inst is None:
            continue
        gw.markets[inst.con_id]  # noqa: B018 -- its market moves from now on (made on first use)
        o = SimOrder(inst=inst, **{f: row[f] for f in _ORDER_FIELDS},
                     **{f: row[f] for f in _NEWER_FIELDS if f in row})
        engine.orders[o.key] = o
        if o.working and not o.why_held:
            engine.book(inst.con_id).add(o)
    for row in data["executions"]:
        filled = engine.orders.get((row["client_id"], row["order_id"]))
        if filled is not None:
            engine.executions.append(Execution(
                row["exec_id"], filled, row["epoch"], row["shares"], row["price"], row["cum_qty"],
                row["avg_price"], row["commission"], row["realized"],
            ))
