"""LIVE or PAPER: one rule, used by the status bar, the confirmation policy and ``ibtui check``."""

from __future__ import annotations

from collections.abc import Iterable

LIVE_PORTS = (7496, 4001)  # TWS and IB Gateway live trading; 7497 and 4002 are their paper ports
# IB's paper-trading account ids begin DU (an individual paper account) or DF (a paper FA master)
PAPER_ACCOUNT_PREFIXES = ("DU", "DF")


def is_live(mode: str, port: int, accounts: Iterable[str] = ()) -> bool:
    """True when orders may move real money.

    Once the accounts are known they decide: any account that is not a paper account
    makes the session LIVE, whatever the config says. Before that, ``mode`` ("live",
    "paper") decides, and "auto" judges by the port. Configured "live" is always LIVE
    (a trader may ask for the extra care on a paper account).
    """
    if mode == "live":
        return True
    known = [a for a in accounts if a]
    if known:
        return any(not a.upper().startswith(PAPER_ACCOUNT_PREFIXES) for a in known)
    if mode == "paper":
        return False
    return port in LIVE_PORTS
