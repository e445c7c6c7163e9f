"""Counting things in messages: ``1 working order``, ``3 working orders``, never ``order(s)``."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str = "") -> str:
    """``n`` and ``noun``, in the plural unless ``n`` is 1 (``plural``, or ``noun`` + "s")."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def plain_quantity(q: float, sign: bool = False) -> str:
    """A quantity as a trader writes it: whole numbers in full (``1234567``; Python's ``:g`` made
    that ``1.23457e+06``, another number), fractions with their digits (``0.5``); ``sign``: ``+3``."""
    if not abs(q) < 1e15:  # not a quantity anyone trades: a typing slip, shown short
        return f"{q:+.3g}" if sign else f"{q:.3g}"
    text = str(int(q)) if float(q).is_integer() else f"{q:.8f}".rstrip("0")
    return "+" + text if sign and q > 0 else text
