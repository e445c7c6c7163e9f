"""Counting things in messages: ``1 working order``, ``3 working orders``, never ``order(s)``."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str = "") -> str:
    """``n`` and ``noun``, in the plural unless ``n`` is 1 (``plural``, or ``noun`` + "s")."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def plain_quantity(q: float, sign: bool = False, grouped: bool = True) -> str:
    """A quantity as a trader reads it: whole numbers in full with their thousands marked
    (``1,234,567``: ``1234567`` is one slip of the eye from ten times less, and Python's ``:g``
    made it ``1.23457e+06``, another number), fractions with their digits (``0.5``); ``sign``:
    ``+3``; ``grouped=False`` for a column too narrow for the marks."""
    if not abs(q) < 1e15:  # not a quantity anyone trades: a typing slip, shown short
        return f"{q:+.3g}" if sign else f"{q:.3g}"
    comma = "," if grouped else ""
    text = f"{int(q):{comma}d}" if float(q).is_integer() else f"{q:{comma}.8f}".rstrip("0")
    return "+" + text if sign and q > 0 else text
