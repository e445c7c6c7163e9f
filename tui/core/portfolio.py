"""Positions and the account as the app shows them, folded from events."""

from __future__ import annotations

from dataclasses import dataclass

from tui.core import events as ev
from tui.core.contracts import Contract


@dataclass(slots=True)
class PositionRow:
    """One position with its average price and P&L."""

    contract: Contract
    quantity: float = 0.0
    avg_cost: float = 0.0  # IB's figure (times the multiplier)
    market_price: float = 0.0
    unrealized: float = 0.0
    realized: float = 0.0
    daily: float = 0.0

    @property
    def multiplier(self) -> float:
        try:
            return float(self.contract.multiplier or 1)
        except ValueError:
            return 1.0

    @property
    def avg_price(self) -> float:
        return self.avg_cost / self.multiplier if self.multiplier else self.avg_cost

    def unrealized_at(self, last: float) -> float:
        """The position valued at ``last`` (the ladder's P&L and the positions pane's Unreal)."""
        return (last - self.avg_price) * self.quantity * self.multiplier


class Portfolio:
    """Positions, account values and P&L, folded from the broker events."""
    def __init__(self) -> None:
        self.rows: dict[int, PositionRow] = {}
        self.values: dict[str, str] = {}
        self.account = ""
        self.daily_pnl: float | None = None
        self.unrealized: float | None = None
        self.realized: float | None = None
        self._reported: set[int] | None = None  # during a resync: the positions the gateway has sent

    def _row(self, contract: Contract) -> PositionRow:
        row = self.rows.get(contract.con_id)
        if row is None:
            row = self.rows[contract.con_id] = PositionRow(contract)
        return row

    def apply(self, e: object) -> bool:
        """Fold one event in; True when it was about the portfolio."""
        if isinstance(e, ev.Position):
            row = self._row(e.contract)
            row.quantity, row.avg_cost = e.quantity, e.avg_cost
            self.account = e.account or self.account
            if self._reported is not None:
                self._reported.add(e.contract.con_id)
            return True
        if isinstance(e, ev.PortfolioItem):
            if self._reported is not None:
                self._reported.add(e.contract.con_id)
            row = self._row(e.contract)
            row.quantity, row.avg_cost = e.position, e.avg_cost
            row.market_price, row.unrealized, row.realized = e.market_price, e.unrealized, e.realized
            return True
        if isinstance(e, ev.AccountValue):
            if e.currency in ("USD", "BASE", ""):
                self.values[e.key] = e.value
            self.account = e.account or self.account
            return True
        if isinstance(e, ev.PnL):
            self.daily_pnl, self.unrealized, self.realized = e.daily, e.unrealized, e.realized
            return True
        if isinstance(e, ev.PnLSingle):
            single = self.rows.get(e.con_id)
            if single is not None:
                single.daily, single.unrealized, single.realized = e.daily, e.unrealized, e.realized
            return True
        return False

    def begin_resync(self) -> None:
        """A (re)connect's resync begins: the positions it reports are the account's."""
        self._reported = set()

    def end_resync(self) -> list[PositionRow]:
        """The resync's positions are all in: a row it did not report is not held at this gateway
        (closed in TWS while ibtui was away, or another gateway's), and goes. Returns those rows."""
        reported, self._reported = self._reported, None
        if reported is None:
            return []
        gone = [row for con_id, row in self.rows.items() if con_id not in reported]
        for row in gone:
            del self.rows[row.contract.con_id]
        return gone

    def position(self, con_id: int) -> float:
        row = self.rows.get(con_id)
        return row.quantity if row else 0.0

    def value(self, key: str) -> float | None:
        """An account value as a number (None when TWS has not sent it or it is not numeric)."""
        try:
            return float(self.values[key])
        except (KeyError, ValueError):
            return None
