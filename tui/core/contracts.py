"""Contracts as the rest of the program sees them (never an ibapi type)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Contract:
    """An instrument as IB identifies it. ``con_id`` 0 means not yet resolved."""

    symbol: str
    sec_type: str = "STK"
    exchange: str = "SMART"
    currency: str = "USD"
    con_id: int = 0
    last_trade_date: str = ""
    multiplier: str = ""
    local_symbol: str = ""
    trading_class: str = ""
    primary_exchange: str = ""

    @property
    def key(self) -> str:
        """A short name for screens and logs: ``ESZ6``, ``EUR.USD`` or ``AAPL``."""
        if self.sec_type == "FUT":
            return self.local_symbol or f"{self.symbol} {self.last_trade_date}"
        if self.sec_type == "CASH":
            return f"{self.symbol}.{self.currency}"
        return self.symbol


@dataclass(frozen=True, slots=True)
class ContractSpec:
    """A resolved contract and the trading facts needed to price and size orders."""

    contract: Contract
    tick: float
    multiplier: float = 1.0
    long_name: str = ""
    time_zone: str = "US/Eastern"
    trading_hours: str = ""  # IB's tradingHours: ``20261123:0400-20261123:2000;20261128:CLOSED``


# futures a trader names by their root alone, and where they trade
FUTURES_EXCHANGES = {
    "ES": "CME", "NQ": "CME", "RTY": "CME", "MES": "CME", "MNQ": "CME", "M2K": "CME", "6E": "CME",
    "6J": "CME", "6B": "CME", "YM": "CBOT", "MYM": "CBOT", "ZN": "CBOT", "ZB": "CBOT", "ZF": "CBOT",
    "ZC": "CBOT", "ZS": "CBOT", "ZW": "CBOT", "CL": "NYMEX", "MCL": "NYMEX", "NG": "NYMEX", "RB": "NYMEX",
    "HO": "NYMEX", "GC": "COMEX", "MGC": "COMEX", "SI": "COMEX", "HG": "COMEX",
}


def parse_symbol(text: str) -> tuple[str, str, str, str]:
    """``ES``, ``ES:FUT:CME``, ``EUR.USD`` -> (symbol, secType, exchange, currency)."""
    text = text.strip().upper()
    if ":" in text:
        parts = (text.split(":") + ["", "", ""])[:4]
        return parts[0], parts[1], parts[2], parts[3]
    if "." in text and len(text) == 7:
        base, quote = text.split(".")
        return base, "CASH", "IDEALPRO", quote
    if text in FUTURES_EXCHANGES:
        return text, "FUT", FUTURES_EXCHANGES[text], "USD"
    return text, "STK", "SMART", "USD"


def instrument_section(sections: dict[str, dict[str, Any]], names: Iterable[str]) -> dict[str, Any]:
    """A per-instrument config table's section for the first of ``names`` it has (as written, or
    in capitals): ``[orders.instruments."EUR.USD"]``, ``[risk.instruments.ES]``; empty if none."""
    for name in names:
        if name and (entry := sections.get(name) or sections.get(name.upper())):
            return entry
    return {}
