"""The one hand-off between the broker thread and the app.

Order, fill, commission, error and connection events queue in order and are
never dropped. Market data is folded on arrival into the latest state per
instrument (quote, trades, depth book, volume at price), so however fast it
comes, memory is bounded by the number of instruments and the app pays one
``MarketUpdate`` per changed instrument per frame.
"""

from __future__ import annotations

import threading
from collections import deque
from enum import IntEnum
from typing import Any

from tui.core.events import MarketUpdate, Print

MAX_DEPTH_ROWS = 50
MAX_PRINTS = 5000  # trades kept per instrument between two frames (a stalled app loses the oldest)


class Quote(IntEnum):
    """The fields of a quote the hand-off keeps (the client layer maps its feed's codes to these)."""

    BID = 1
    ASK = 2
    LAST = 3
    HIGH = 4
    LOW = 5
    CLOSE = 6
    OPEN = 7
    BID_SIZE = 11
    ASK_SIZE = 12
    LAST_SIZE = 13
    VOLUME = 14


# the members as plain names: ``Quote.BID`` is a class-attribute lookup through the enum's
# metaclass (about 0.1 us here), and the fold below compares each message's field against them
_BID, _ASK, _LAST, _HIGH, _LOW, _CLOSE, _OPEN = (Quote.BID, Quote.ASK, Quote.LAST, Quote.HIGH, Quote.LOW,
                                                 Quote.CLOSE, Quote.OPEN)
_BID_SIZE, _ASK_SIZE, _LAST_SIZE, _VOLUME = Quote.BID_SIZE, Quote.ASK_SIZE, Quote.LAST_SIZE, Quote.VOLUME

# the market-data ticks ``Handoff.fold`` takes, one tuple each, the kind first:
PRICE = 0  # (PRICE, con id, Quote price field, price, delayed)
SIZE = 1  # (SIZE, con id, Quote size field, size)
TRADE = 2  # (TRADE, con id, price, size, epoch seconds): one print of the tape
TIME = 3  # (TIME, con id, epoch seconds): the last trade's time
DEPTH = 4  # (DEPTH, con id, position, operation 0 insert / 1 update / 2 delete, side 1 bid / 0 ask, price, size)


class MarketState:
    """Latest market data of one instrument; mutated by the producer under the hand-off lock."""

    __slots__ = (
        "con_id", "bid", "bid_size", "ask", "ask_size", "last", "last_size", "volume", "high",
        "low", "close", "open", "bids", "asks", "vap", "last_time", "has_depth", "updates",
        "delayed", "prints", "last_print", "last_side",
    )

    def __init__(self, con_id: int) -> None:
        self.con_id = con_id
        self.bid = self.ask = self.last = self.high = self.low = self.close = self.open = 0.0
        self.bid_size = self.ask_size = self.last_size = self.volume = 0
        self.bids: list[list[float]] = []
        self.asks: list[list[float]] = []
        self.vap: dict[float, int] = {}
        self.last_time = 0.0
        self.has_depth = False
        self.updates = 0
        self.delayed = False
        self.prints: list[Print] = []  # since the last drain
        self.last_print = 0.0
        self.last_side = 0

    def aggressor(self, price: float) -> int:
        """Who took liquidity: at or through the offer a buyer, the bid a seller; inside the
        spread the tick rule (up from the last trade a buyer, down a seller, same: as before)."""
        if self.ask and price >= self.ask:
            return 1
        if self.bid and price <= self.bid:
            return -1
        if self.last_print and price != self.last_print:
            return 1 if price > self.last_print else -1
        return self.last_side

    def snapshot(self) -> MarketUpdate:
        prints = tuple(self.prints)
        self.prints.clear()
        return MarketUpdate(
            self.con_id, self.bid, self.bid_size, self.ask, self.ask_size, self.last,
            self.last_size, self.volume, self.high, self.low, self.close, self.open,
            tuple((p, int(s)) for p, s in self.bids), tuple((p, int(s)) for p, s in self.asks),
            tuple(self.vap.items()), self.last_time, self.has_depth, self.updates, self.delayed,
            prints,
        )


class Handoff:
    """Thread-safe: the broker thread puts, the app thread drains once per frame."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: deque[object] = deque()
        self._markets: dict[int, MarketState] = {}
        self._dirty: dict[int, MarketState] = {}
        self.received = 0  # market-data messages folded in
        self.coalesced = 0  # of those, how many never reached the app on their own
        self.max_pending = 0
        self.dropped_depth_ops = 0
        self.dropped_prints = 0

    # --- reliable events ------------------------------------------------------
    def put(self, event: object) -> None:
        with self._lock:
            self._events.append(event)
            n = len(self._events)
            if n > self.max_pending:
                self.max_pending = n

    # --- market data ------------------------------------------------------------
    def fold(self, ops: list[tuple[Any, ...]]) -> None:
        """Market data in arrival order, one compact tuple a tick (``PRICE``, ``SIZE``, ``TRADE``,
        ``TIME``, ``DEPTH``; see their comments), folded under one lock.

        The client layer decodes a run of frames into a list of these and hands it over whole:
        a storm's hundred thousand ticks a second then cost one lock and no call each."""
        markets, dirty = self._markets, self._dirty
        with self._lock:
            for op in ops:
                kind, con_id = op[0], op[1]
                m = markets.get(con_id)
                if m is None:
                    m = markets[con_id] = MarketState(con_id)
                dirty[con_id] = m
                m.updates += 1
                if kind == DEPTH:
                    _, _, position, operation, side, price, size = op
                    m.has_depth = True
                    rows = m.bids if side == 1 else m.asks
                    if operation == 0 and position <= len(rows) and position < MAX_DEPTH_ROWS:
                        rows.insert(position, [price, size])
                    elif operation == 1 and position < len(rows):
                        rows[position] = [price, size]
                    elif operation == 1 and position == len(rows) < MAX_DEPTH_ROWS:
                        rows.append([price, size])  # some feeds update a row they never inserted
                    elif operation == 2 and position < len(rows):
                        del rows[position]
                    else:
                        self.dropped_depth_ops += 1
                elif kind == SIZE:
                    field, size = op[2], op[3]
                    if field is _BID_SIZE:
                        m.bid_size = size
                    elif field is _ASK_SIZE:
                        m.ask_size = size
                    elif field is _LAST_SIZE:
                        m.last_size = size
                    elif field is _VOLUME:
                        # volume growth is what traded; credit it to the last price
                        if m.volume and size > m.volume and m.last:
                            m.vap[m.last] = m.vap.get(m.last, 0) + size - m.volume
                        m.volume = size
                elif kind == PRICE:
                    _, _, field, price, m.delayed = op
                    if field is _BID:
                        m.bid = price
                    elif field is _ASK:
                        m.ask = price
                    elif field is _LAST:
                        m.last = price
                    elif field is _HIGH:
                        m.high = price
                    elif field is _LOW:
                        m.low = price
                    elif field is _CLOSE:
                        m.close = price
                    elif field is _OPEN:
                        m.open = price
                elif kind == TRADE:
                    _, _, price, size, epoch = op
                    side = m.aggressor(price)
                    m.last_print, m.last_side = price, side
                    prints = m.prints
                    if len(prints) >= MAX_PRINTS:
                        del prints[: MAX_PRINTS // 10]
                        self.dropped_prints += MAX_PRINTS // 10
                    prints.append(Print(epoch, price, size, side))
                else:  # TIME
                    m.last_time = op[2]
            self.received += len(ops)

    def price(self, con_id: int, field: Quote, price: float, delayed: bool = False) -> None:
        """A price field of ``con_id``'s quote; ``delayed`` when it came from a delayed feed."""
        self.fold([(PRICE, con_id, field, price, delayed)])

    def size(self, con_id: int, field: Quote, size: int) -> None:
        """A size field of ``con_id``'s quote (volume growth is credited to the last price)."""
        self.fold([(SIZE, con_id, field, size)])

    def trade(self, con_id: int, price: float, size: int, epoch: float) -> None:
        """One trade of the tape (RTVolume), classified by aggressor against the current quote."""
        self.fold([(TRADE, con_id, price, size, epoch)])

    def tick_time(self, con_id: int, epoch: float) -> None:
        self.fold([(TIME, con_id, epoch)])

    def depth(self, con_id: int, position: int, operation: int, side: int, price: float,
              size: int) -> None:
        self.fold([(DEPTH, con_id, position, operation, side, price, size)])

    def clear_market(self, con_id: int) -> None:
        """Forget an instrument's book (before a resubscription rebuilds it)."""
        with self._lock:
            m = self._markets.get(con_id)
            if m is None:
                return
            m.bids.clear()
            m.asks.clear()
            m.has_depth = False
            self._dirty[con_id] = m

    # --- the app's side --------------------------------------------------------------
    def drain(self) -> tuple[list[object], list[MarketUpdate]]:
        with self._lock:
            events = list(self._events)
            self._events.clear()
            updates = []
            for m in self._dirty.values():
                updates.append(m.snapshot())
                if m.updates > 1:
                    self.coalesced += m.updates - 1
                m.updates = 0
            self._dirty.clear()
        return events, updates

    @property
    def pending(self) -> int:
        return len(self._events) + len(self._dirty)
