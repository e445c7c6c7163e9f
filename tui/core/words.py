"""Counting things in messages: ``1 working order``, ``3 working orders``, never ``order(s)``."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str = "") -> str:
    """``n`` and ``noun``, in the plural unless ``n`` is 1 (``plural``, or ``noun`` + "s")."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
