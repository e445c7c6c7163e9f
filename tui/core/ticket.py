"""The order ticket's fields, as typed, into an intent or a reason why not."""

from __future__ import annotations

from tui.core.contracts import ContractSpec
from tui.core.intents import OrderIntent
from tui.core.ordertypes import ORDER_TYPES, OrderType, has_limit, has_stop, is_trailing


# a quantity as FX and share traders write it: 25k, 1.5m (the ticket's quantity only: a price is
# always written out)
_SCALES = {"k": 1_000, "m": 1_000_000}


def _number(text: str, label: str, required: bool, scaled: bool = False) -> tuple[float | None, str]:
    text = text.strip().replace(",", "")
    if not text:
        return None, f"{label} is required" if required else ""
    scale = _SCALES.get(text[-1].lower(), 1) if scaled else 1
    digits = text[:-1].strip() if scale != 1 else text
    try:
        value = float(digits) * scale
    except ValueError:
        return None, f"{label} {text!r} is not a number"
    if value != value or value in (float("inf"), float("-inf")):
        return None, f"{label} {text!r} is not a number"
    if scale != 1 and not value.is_integer():  # 1.2345k: not what the trader meant to type
        return None, f"{label} {text!r} is not a whole number"
    return value, ""


def field_labels(order_type: str) -> tuple[str, str]:
    """What the ticket's two price fields mean for an order type: (limit field, stop field)."""
    if is_trailing(order_type):
        return ("limit offset" if order_type == OrderType.TRAIL_LIMIT else "limit price"), "trailing amount"
    return "limit price", "stop price"


def uses_fields(order_type: str) -> tuple[bool, bool]:
    """Whether the type takes the ticket's limit field and its stop field."""
    return (has_limit(order_type) or order_type == OrderType.TRAIL_LIMIT,
            has_stop(order_type) or is_trailing(order_type))


def parse_ticket(spec: ContractSpec, side: str, order_type: str, quantity: str, limit: str,
                 stop: str, tif: str, outside_rth: bool) -> tuple[OrderIntent | None, str]:
    """An intent when every field reads, else the first problem in words. For trailing types the
    stop field is the trailing amount, and TRAIL LIMIT's limit field its limit offset."""
    if side not in ("BUY", "SELL"):
        return None, f"side {side!r} must be BUY or SELL"
    if order_type not in ORDER_TYPES:
        return None, f"order type {order_type!r} must be one of {', '.join(ORDER_TYPES)}"
    qty, problem = _number(quantity, "quantity", True, scaled=True)
    limit_label, stop_label = field_labels(order_type)
    takes_limit, takes_stop = uses_fields(order_type)
    lmt, problem_l = _number(limit, limit_label, takes_limit)
    aux, problem_s = _number(stop, stop_label, takes_stop)
    problem = problem or problem_l or problem_s
    if problem or qty is None:
        return None, problem
    if order_type == OrderType.TRAIL_LIMIT:
        return OrderIntent(spec, side, qty, order_type, None, aux, tif, outside_rth, lmt_offset=lmt), ""
    return OrderIntent(spec, side, qty, order_type, lmt if has_limit(order_type) else None,
                       aux if takes_stop else None, tif, outside_rth), ""
