"""The simulated paper account: cash, positions, P&L and commissions.

Futures move no notional cash: their P&L settles into cash as it is realized.
Stocks and currencies pay for what they buy. Average costs are reported as IB
does, multiplied by the contract multiplier.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui.sim.market.instruments import Instrument

BASE_CURRENCY = "USD"
START_CASH = 1_000_000.0
_MARGIN_RATE = {"stock": 0.25, "future": 0.06, "fx": 0.03}


@dataclass(slots=True)
class Position:
    """A position of the simulated account, average cost in price units."""

    inst: Instrument
    quantity: float = 0.0
    avg_price: float = 0.0  # per unit, without the multiplier
    realized: float = 0.0

    @property
    def multiplier(self) -> float:
        return self.inst.spec.multiplier

    def unrealized(self, mark: float) -> float:
        return (mark - self.avg_price) * self.quantity * self.multiplier


def commission_for(inst: Instrument, quantity: float, price: float) -> float:
    """A commission in the style of IB's fixed pricing."""
    value = abs(quantity) * price * inst.spec.multiplier
    if inst.commission == "stock":
        return round(min(max(1.0, 0.005 * abs(quantity)), 0.01 * value), 2)
    if inst.commission == "future":
        return round(2.05 * abs(quantity), 2)
    return round(max(2.0, 0.00002 * value), 2)


class Account:
    """One account shared by every client of the gateway."""

    def __init__(self, account_id: str, cash: float = START_CASH) -> None:
        self.account_id = account_id
        self.cash = cash
        self.positions: dict[int, Position] = {}
        self.realized = 0.0
        self.commissions = 0.0
        self.start_net_liq: float | None = None
        self.version = 0  # bumps on every change, for cheap change detection

    def apply_fill(self, inst: Instrument, buy: bool, qty: float, price: float,
                   commission: float) -> float:
        """Book a fill; returns the P&L it realized (before commission)."""
        pos = self.positions.get(inst.con_id)
        if pos is None:
            pos = self.positions[inst.con_id] = Position(inst)
        signed = qty if buy else -qty
        mult = pos.multiplier
        realized = 0.0
        if pos.quantity and (pos.quantity > 0) != (signed > 0):
            closing = min(abs(signed), abs(pos.quantity))
            direction = 1.0 if pos.quantity > 0 else -1.0
            realized = (price - pos.avg_price) * closing * direction * mult
            new_qty = pos.quantity + signed
            if new_qty == 0:
                pos.avg_price = 0.0
            elif (new_qty > 0) != (pos.quantity > 0):
                pos.avg_price = price  # flipped through flat
            pos.quantity = new_qty
        else:
            total = pos.quantity + signed
            pos.avg_price = (pos.avg_price * pos.quantity + price * signed) / total
            pos.quantity = total
        pos.realized += realized
        self.realized += realized
        self.commissions += commission
        if inst.commission == "future":
            self.cash += realized - commission
        else:
            self.cash -= signed * price * mult + commission
        self.version += 1
        return realized

    def values(self, marks: dict[int, float]) -> dict[str, float]:
        """Account values by TWS key."""
        stock_value = 0.0
        unrealized = 0.0
        margin = 0.0
        for con_id, pos in self.positions.items():
            if not pos.quantity:
                continue
            mark = marks.get(con_id, pos.avg_price)
            unrealized += pos.unrealized(mark)
            exposure = abs(pos.quantity * mark * pos.multiplier)
            margin += exposure * _MARGIN_RATE.get(pos.inst.commission, 0.25)
            if pos.inst.commission != "future":
                stock_value += pos.quantity * mark * pos.multiplier
        futures_pnl = sum(
            p.unrealized(marks.get(c, p.avg_price))
            for c, p in self.positions.items()
            if p.quantity and p.inst.commission == "future"
        )
        net_liq = self.cash + stock_value + futures_pnl
        if self.start_net_liq is None:
            self.start_net_liq = net_liq
        available = net_liq - margin
        return {
            "NetLiquidation": net_liq,
            "TotalCashValue": self.cash,
            "SettledCash": self.cash,
            "GrossPositionValue": abs(stock_value),
            "StockMarketValue": stock_value,
            "EquityWithLoanValue": net_liq,
            "InitMarginReq": margin,
            "MaintMarginReq": margin * 0.8,
            "AvailableFunds": available,
            "ExcessLiquidity": net_liq - margin * 0.8,
            "BuyingPower": max(0.0, available) * 4,
            "Cushion": (net_liq - margin * 0.8) / net_liq if net_liq else 0.0,
            "UnrealizedPnL": unrealized,
            "RealizedPnL": self.realized - self.commissions,
            "DailyPnL": net_liq - self.start_net_liq,
        }

    def what_if(self, inst: Instrument, buy: bool, qty: float, price: float, marks: dict[int, float]
                ) -> tuple[tuple[float, float, float], tuple[float, float, float],
                           tuple[float, float, float], float]:
        """A preview of a fill of ``qty`` at ``price``: (init margin, maint margin, equity with
        loan) before, their change, after, and the commission. Nothing changes."""
        v = self.values(marks)
        before = (v["InitMarginReq"], v["MaintMarginReq"], v["EquityWithLoanValue"])
        pos = self.positions.get(inst.con_id)
        held = pos.quantity if pos else 0.0
        mark = marks.get(inst.con_id, price)
        exposure = (abs(held + (qty if buy else -qty)) - abs(held)) * mark * inst.spec.multiplier
        commission = commission_for(inst, qty, price)
        init = exposure * _MARGIN_RATE.get(inst.commission, 0.25)
        change = (init, init * 0.8, -commission)
        after = (before[0] + change[0], before[1] + change[1], before[2] + change[2])
        return before, change, after, commission

    # --- persistence ---------------------------------------------------------
    def to_dict(self) -> dict[str, object]:
        return {
            "account_id": self.account_id,
            "cash": self.cash,
            "realized": self.realized,
            "commissions": self.commissions,
            "positions": [
                {"con_id": c, "quantity": p.quantity, "avg_price": p.avg_price,
                 "realized": p.realized}
                for c, p in self.positions.items()
            ],
        }

    def load(self, data: dict[str, object], instruments: dict[int, Instrument]) -> None:
        self.cash = float(data["cash"])  # type: ignore[arg-type]
        self.realized = float(data.get("realized", 0.0))  # type: ignore[arg-type]
        self.commissions = float(data.get("commissions", 0.0))  # type: ignore[arg-type]
        rows: list[dict[str, Any]] = data.get("positions", [])  # type: ignore[assignment]
        for row in rows:
            inst = instruments.get(int(row["con_id"]))
            if inst is not None:
                self.positions[inst.con_id] = Position(
                    inst, float(row["quantity"]), float(row["avg_price"]),
                    float(row.get("realized", 0.0)),
                )
