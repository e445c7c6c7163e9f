"""The order ticket's fields, as typed, into an intent or a reason why not."""

from __future__ import annotations

from tui.core.contracts import ContractSpec
from tui.core.intents import OrderIntent
from tui.core.ordertypes import ORDER_TYPES, has_limit, has_stop


def _number(text: str, label: str, required: bool) -> tuple[float | None, str]:
    text = text.strip().replace(",", "")
    if not text:
        return None, f"{label} is required" if required else ""
    try:
        value = float(text)
    except ValueError:
        return None, f"{label} {text!r} is not a number"
    if value != value or value in (float("inf"), float("-inf")):
        return None, f"{label} {text!r} is not a number"
    return value, ""


def parse_ticket(spec: ContractSpec, side: str, order_type: str, quantity: str, limit: str,
                 stop: str, tif: str, outside_rth: bool) -> tuple[OrderIntent | None, str]:
    """An intent when every field reads, else the first problem in words."""
    if side not in ("BUY", "SELL"):
        return None, f"side {side!r} must be BUY or SELL"
    if order_type not in ORDER_TYPES:
        return None, f"order type {order_type!r} must be one of {', '.join(ORDER_TYPES)}"
    qty, problem = _number(quantity, "quantity", True)
    lmt, problem_l = _number(limit, "limit price", has_limit(order_type))
    aux, problem_s = _number(stop, "stop price", has_stop(order_type))
    problem = problem or problem_l or problem_s
    if problem or qty is None:
        return None, problem
    return OrderIntent(spec, side, qty, order_type, lmt if has_limit(order_type) else None,
                       aux if has_stop(order_type) else None, tif, outside_rth), ""
