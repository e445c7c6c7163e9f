"""The trader's own discipline: round trips and losing streaks, counted from the fills.

A round trip is an instrument's position going from flat to flat; its result is the
realized P&L IB reports on the executions that closed it (net of their commissions).
The risk rules (``risk.check``) read these counts; nothing here refuses anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.core import events as ev


@dataclass
class RoundTrips:
    """Today's round trips, fed every Fill and Commission in order (resyncs included, once)."""

    count: int = 0
    losing_streak: int = 0  # consecutive losing round trips, the latest last
    last_loss_at: float = 0.0  # when the streak's last loss closed
    _position: dict[int, float] = field(default_factory=dict)
    _result: dict[int, float] = field(default_factory=dict)  # realized so far in the open trip
    _exec_con: dict[str, int] = field(default_factory=dict)
    _closing: dict[str, int] = field(default_factory=dict)  # exec ids that flattened, awaiting commission
    _seen: set[str] = field(default_factory=set)

    def fill(self, e: ev.Fill) -> None:
        if e.exec_id in self._seen:
            return
        self._seen.add(e.exec_id)
        con = e.contract.con_id
        self._exec_con[e.exec_id] = con
        before = self._position.get(con, 0.0)
        after = before + (e.shares if e.side == "BOT" else -e.shares)
        self._position[con] = after
        if before and not after:
            self._closing[e.exec_id] = con

    def commission(self, e: ev.Commission, now: float) -> None:
        con = self._exec_con.get(e.exec_id)
        if con is None:
            return
        self._result[con] = self._result.get(con, 0.0) + (e.realized_pnl or 0.0) - e.commission
        if self._closing.pop(e.exec_id, None) is None:
            return
        result = self._result.pop(con, 0.0)
        self.count += 1
        if result < 0:
            self.losing_streak += 1
            self.last_loss_at = now
        else:
            self.losing_streak = 0
