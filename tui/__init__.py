"""ibtui: a keyboard-driven terminal trading front-end for Interactive Brokers."""

from __future__ import annotations

__version__ = "0.1.0"
