"""Market-data subscriptions and their fan-out.

Each step's changes are diffed and encoded once per group of identical
subscriptions (same instrument, same depth rows); only the request id is
spliced in per subscriber. A subscriber whose socket is backed up is paused:
it keeps the rows it last saw and, when it drains, gets the difference to the
current book, so a client can always rebuild the book exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import compress
from operator import is_not
from typing import Protocol

from tui.sim.protocol import messages as msg
from tui.sim.protocol.codec import HEADER
from tui.sim.market.book import ASK, BID, InstrumentMarket

Rows = list[tuple[int, int]]
pack = HEADER.pack  # a frame's length prefix
# the per-step path's encoders and message heads, as plain names
price_tail, size_tail, string_tail = msg.tick_price_tail, msg.tick_size_tail, msg.tick_string_tail
TICK_PRICE, TICK_SIZE, TICK_STRING = msg.TICK_PRICE, msg.TICK_SIZE, msg.TICK_STRING

# the market maker shown in smart-depth (L2) rows
DEPTH_MAKERS = {"SMART": "NSDQ", "CME": "CME", "NYMEX": "NYMEX", "IDEALPRO": "IDEALPRO"}


class Subscriber(Protocol):
    """What the feed needs of a session: a way to send and to know it is slow."""

    out: list[bytes]
    paused: bool

    def wake(self) -> None: ...


@dataclass(slots=True, eq=False)
class L1Sub:
    """One session's L1 stream of one instrument."""

    session: Subscriber
    req_id: int
    rt_volume: bool
    rid: bytes = b""
    delayed: bool = False  # sent with the delayed tick types (66-76, 88)
    heads: dict[bytes, bytes] = field(default_factory=dict)  # message head -> head, request id

    def __post_init__(self) -> None:
        self.rid = str(self.req_id).encode()
        self.heads = {h: h + self.rid + b"\0" for h in (TICK_PRICE, TICK_SIZE, TICK_STRING)}


@dataclass(slots=True, eq=False)
class DepthSub:
    """One session's depth stream; ``seen`` is the book it last saw while paused."""

    session: Subscriber
    req_id: int
    group: DepthGroup
    rid: bytes = b""
    seen: tuple[Rows, Rows] | None = None  # rows last sent, while paused
    head: bytes = b""  # message head and request id, encoded once

    def __post_init__(self) -> None:
        self.rid = str(self.req_id).encode()
        self.head = (msg.MKT_DEPTH_L2 if self.group.smart else msg.MKT_DEPTH) + self.rid + b"\0"


@dataclass(slots=True, eq=False)
class DepthGroup:
    """The depth streams of one instrument at one row count, diffed once for all."""

    con_id: int
    rows: int
    smart: bool
    maker: str
    bids: Rows = field(default_factory=list)
    asks: Rows = field(default_factory=list)
    subs: list[DepthSub] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class TbtSub:
    """One session's tick-by-tick stream."""

    session: Subscriber
    req_id: int
    kind: str  # Last, AllLast, BidAsk, MidPoint


def _better(side: int, a: int, b: int) -> bool:
    return a > b if side == BID else a < b


def diff_rows(side: int, old: Rows, new: Rows, rows: int,
              price: Callable[[int], str]) -> list[bytes]:
    """Depth operations (encoded tails) that turn ``old`` into ``new``."""
    if old == new:
        return []
    ops: list[bytes] = []
    cur = list(old)
    # shifts at the top become inserts and deletes, as an exchange feed shows them
    for _ in range(rows):
        if not cur or not new or cur[0][0] == new[0][0]:
            break
        if _better(side, new[0][0], cur[0][0]):
            cur.insert(0, new[0])
            ops.append(msg.depth_tail(0, 0, side, price(new[0][0]), new[0][1]))
            if len(cur) > rows:
                gone = cur.pop()
                ops.append(msg.depth_tail(rows, 2, side, price(gone[0]), 0))
        else:
            gone = cur.pop(0)
            ops.append(msg.depth_tail(0, 2, side, price(gone[0]), 0))
    n_cur, n_new = len(cur), len(new)
    # levels are tuples replaced when they change: the rows that are not the same object, found
    # without a Python loop over every row (the ladder's ES book is diffed on every ES step)
    for i in compress(range(min(n_cur, n_new)), map(is_not, cur, new)):
        if cur[i] != new[i]:  # a level replaced by an equal one changes nothing
            ops.append(msg.depth_tail(i, 1, side, price(new[i][0]), new[i][1]))
    for i in range(n_cur, n_new):
        ops.append(msg.depth_tail(i, 0, side, price(new[i][0]), new[i][1]))
    for i in range(n_cur - 1, n_new - 1, -1):
        ops.append(msg.depth_tail(i, 2, side, price(cur[i][0]), 0))
    return ops


def _as_l2(tail: bytes, maker: bytes, smart: bool) -> bytes:
    # position, op, side, price, size  ->  position, maker, op, side, price, size, smart
    pos, rest = tail.split(b"\0", 1)
    return pos + b"\0" + maker + b"\0" + rest + (b"1\0" if smart else b"0\0")


class Feed:
    """All market-data subscriptions of the gateway."""

    def __init__(self, markets: dict[int, InstrumentMarket]) -> None:
        self.markets = markets
        self.l1: dict[int, list[L1Sub]] = {}
        self.groups: dict[tuple[int, int, bool], DepthGroup] = {}
        self.groups_of: dict[int, list[DepthGroup]] = {}  # by conId, for the per-step fan-out
        self.tbt: dict[int, list[TbtSub]] = {}
        # each instrument's best bid and ask levels as last published (the book's levels are
        # tuples, replaced when they change: an unchanged top is the same object)
        self.prev_l1: dict[int, tuple[tuple[int, int], tuple[int, int]]] = {
            c: (m.bids[0], m.asks[0]) for c, m in markets.items()
        }

    # --- subscribe ----------------------------------------------------------
    def add_l1(self, sub: L1Sub, con_id: int) -> None:
        self.l1.setdefault(con_id, []).append(sub)

    def remove_l1(self, sub: L1Sub) -> None:
        for subs in self.l1.values():
            if sub in subs:
                subs.remove(sub)

    def add_depth(self, session: Subscriber, req_id: int, con_id: int, rows: int,
                  smart: bool, maker: str) -> DepthSub:
        key = (con_id, rows, smart)
        group = self.groups.get(key)
        if group is None:
            mkt = self.markets[con_id]
            group = self.groups[key] = DepthGroup(
                con_id, rows, smart, maker, mkt.depth_rows(BID, rows), mkt.depth_rows(ASK, rows)
            )
            self.groups_of.setdefault(con_id, []).append(group)
        sub = DepthSub(session, req_id, group)
        group.subs.append(sub)
        # the new subscriber starts from an empty book: insert every row
        self._send_depth(sub, self._ops_between(group, ([], []), (group.bids, group.asks)))
        return sub

    def remove_depth(self, sub: DepthSub) -> None:
        group = sub.group
        if sub in group.subs:
            group.subs.remove(sub)
        if not group.subs:
            self._forget(group)

    def add_tbt(self, sub: TbtSub, con_id: int) -> None:
        self.tbt.setdefault(con_id, []).append(sub)

    def remove_tbt(self, sub: TbtSub) -> None:
        for subs in self.tbt.values():
            if sub in subs:
                subs.remove(sub)

    # --- L1 snapshot ---------------------------------------------------------
    def l1_snapshot(self, mkt: InstrumentMarket, rid: bytes, epoch: int, delayed: bool = False) -> list[bytes]:
        """The current quote, as sent when a stream starts (with the delayed tick types if asked)."""
        p = mkt.price
        tails = [
            (msg.TICK_PRICE, msg.tick_price_tail(1, str(p(mkt.bid)), mkt.bids[0][1], 0)),
            (msg.TICK_PRICE, msg.tick_price_tail(2, str(p(mkt.ask)), mkt.asks[0][1], 0)),
        ]
        if mkt.volume:
            tails.append((msg.TICK_PRICE, msg.tick_price_tail(4, str(p(mkt.last)), int(mkt.last_size), 0)))
        tails += [
            (msg.TICK_SIZE, msg.tick_size_tail(8, int(mkt.volume))),
            (msg.TICK_PRICE, msg.tick_price_tail(6, str(p(mkt.high)), 0, 0)),
            (msg.TICK_PRICE, msg.tick_price_tail(7, str(p(mkt.low)), 0, 0)),
            (msg.TICK_PRICE, msg.tick_price_tail(9, str(p(mkt.close)), 0, 0)),
            (msg.TICK_PRICE, msg.tick_price_tail(14, str(p(mkt.open)), 0, 0)),
            (msg.TICK_STRING, msg.tick_string_tail(45, str(epoch))),
        ]
        return [msg.market_frame(h, rid, _delay_tail(t) if delayed else t) for h, t in tails]

    # --- per step -----------------------------------------------------------
    def publish(self, mkt: InstrumentMarket, epoch: int) -> None:
        """Send what the last step changed to every subscriber of this instrument."""
        con_id = mkt.con_id
        bid_row, ask_row = mkt.bids[0], mkt.asks[0]
        prev = self.prev_l1[con_id]
        # about half the steps move a size below the top of the book: no L1 message
        if bid_row != prev[0] or ask_row != prev[1] or mkt.trades:
            self.prev_l1[con_id] = (bid_row, ask_row)
            subs = self.l1.get(con_id)
            tbt = self.tbt.get(con_id)
            if subs or tbt:
                self._publish_l1(mkt, subs or [], tbt or [], epoch, prev)
        groups = self.groups_of.get(con_id)  # every step moves the book (or a fill took from it)
        if groups:
            for group in groups:
                self._publish_depth(mkt, group)

    def _publish_l1(self, mkt: InstrumentMarket, subs: list[L1Sub], tbt: list[TbtSub],
                    epoch: int, prev: tuple[tuple[int, int], tuple[int, int]]) -> None:
        """The quote's and the trades' ticks of a step that changed the top of the book or traded
        (``prev``: the top as last published)."""
        (bid, bid_size), (ask, ask_size) = mkt.bids[0], mkt.asks[0]
        (prev_bid, prev_bid_size), (prev_ask, prev_ask_size) = prev
        text = mkt.price_text
        tails: list[tuple[bytes, bytes]] = []
        if bid != prev_bid:
            tails.append((TICK_PRICE, price_tail(1, text(bid), bid_size)))
        elif bid_size != prev_bid_size:
            tails.append((TICK_SIZE, size_tail(0, bid_size)))
        if ask != prev_ask:
            tails.append((TICK_PRICE, price_tail(2, text(ask), ask_size)))
        elif ask_size != prev_ask_size:
            tails.append((TICK_SIZE, size_tail(3, ask_size)))
        quote_changed = bool(tails)
        trades = mkt.trades
        rt_tails: list[bytes] = []
        if trades:
            volume = int(mkt.volume)
            for trade in trades:
                price = text(trade.price)
                size = int(trade.size)
                tails.append((TICK_PRICE, price_tail(4, price, size)))
                rt_tails.append(string_tail(48, f"{price};{size};{epoch * 1000};{volume};{price};true"))
            tails.append((TICK_SIZE, size_tail(8, volume)))
            tails.append((TICK_STRING, string_tail(45, str(epoch))))
            if mkt.high == mkt.last:
                tails.append((TICK_PRICE, price_tail(6, text(mkt.high), 0)))
            if mkt.low == mkt.last:
                tails.append((TICK_PRICE, price_tail(7, text(mkt.low), 0)))
        if tails:
            delayed_tails: list[tuple[bytes, bytes]] | None = None
            for sub in subs:
                session = sub.session
                if session.paused:
                    continue
                heads = sub.heads
                out = session.out
                if not out:
                    session.wake()
                mine = tails
                if sub.delayed:
                    if delayed_tails is None:
                        delayed_tails = [(h, _delay_tail(t)) for h, t in tails]
                    mine = delayed_tails
                for head, tail in mine:
                    head = heads[head]
                    out.append(pack(len(head) + len(tail)) + head + tail)
                if rt_tails and sub.rt_volume:  # trades as RTVolume strings too
                    head = heads[TICK_STRING]
                    for tail in rt_tails:
                        out.append(pack(len(head) + len(tail)) + head + tail)
        if tbt:
            self._publish_tbt(mkt, tbt, epoch, quote_changed)

    def _publish_tbt(self, mkt: InstrumentMarket, tbt: list[TbtSub], epoch: int,
                     quote_changed: bool) -> None:
        text = mkt.price_text
        (bid, bid_size), (ask, ask_size) = mkt.bids[0], mkt.asks[0]
        for t in tbt:
            session = t.session
            if session.paused:
                continue
            if t.kind in ("Last", "AllLast"):
                kind = 1 if t.kind == "Last" else 2
                for trade in mkt.trades:
                    self._queue(session, msg.tbt_last(
                        t.req_id, kind, epoch, text(trade.price), int(trade.size),
                        mkt.inst.contract.exchange,
                    ))
            elif quote_changed and t.kind == "BidAsk":
                self._queue(session, msg.tbt_bid_ask(t.req_id, epoch, text(bid), text(ask),
                                                     bid_size, ask_size))
            elif quote_changed and t.kind == "MidPoint":
                p = mkt.price
                self._queue(session, msg.tbt_midpoint(t.req_id, epoch, p(bid) / 2 + p(ask) / 2))

    def _queue(self, session: Subscriber, frame: bytes) -> None:
        if not session.out:
            session.wake()
        session.out.append(frame)

    def _ops_between(self, group: DepthGroup, old: tuple[Rows, Rows],
                     new: tuple[Rows, Rows]) -> list[bytes]:
        fmt = self.markets[group.con_id].price_text
        ops = diff_rows(BID, old[0], new[0], group.rows, fmt)
        ops += diff_rows(ASK, old[1], new[1], group.rows, fmt)
        return ops

    def _publish_depth(self, mkt: InstrumentMarket, group: DepthGroup) -> None:
        bids = mkt.depth_rows(BID, group.rows)
        asks = mkt.depth_rows(ASK, group.rows)
        if bids == group.bids and asks == group.asks:
            return
        ops = self._ops_between(group, (group.bids, group.asks), (bids, asks))
        old = (group.bids, group.asks)
        group.bids, group.asks = bids, asks
        for sub in group.subs:
            if sub.session.paused:
                if sub.seen is None:
                    sub.seen = old
                continue
            if sub.seen is not None:
                self._send_depth(sub, self._ops_between(group, sub.seen, (bids, asks)))
                sub.seen = None
                continue
            self._send_depth(sub, ops)

    def _send_depth(self, sub: DepthSub, ops: list[bytes]) -> None:
        if not ops:
            return
        session = sub.session
        if not session.out:
            session.wake()
        out = session.out
        head = sub.head
        group = sub.group
        if group.smart:
            maker = group.maker.encode()
            ops = [_as_l2(tail, maker, True) for tail in ops]
        for tail in ops:
            out.append(pack(len(head) + len(tail)) + head + tail)

    def resume(self, session: Subscriber) -> None:
        """A paused session drained: bring its books up to date."""
        for group in self.groups.values():
            for sub in group.subs:
                if sub.session is session and sub.seen is not None:
                    self._send_depth(sub, self._ops_between(group, sub.seen, (group.bids, group.asks)))
                    sub.seen = None

    def drop_session(self, session: Subscriber) -> None:
        for subs in self.l1.values():
            subs[:] = [s for s in subs if s.session is not session]
        for tbt_subs in self.tbt.values():
            tbt_subs[:] = [s for s in tbt_subs if s.session is not session]
        for group in list(self.groups.values()):
            group.subs[:] = [s for s in group.subs if s.session is not session]
            if not group.subs:
                self._forget(group)

    def _forget(self, group: DepthGroup) -> None:
        self.groups.pop((group.con_id, group.rows, group.smart), None)
        same = self.groups_of.get(group.con_id)
        if same and group in same:
            same.remove(group)


# real-time tick type -> its delayed twin (bid, ask, last, sizes, volume, high, low, close, open, last time)
DELAYED_TICKS = {b"1": b"66", b"2": b"67", b"4": b"68", b"0": b"69", b"3": b"70", b"5": b"71", b"8": b"74",
                 b"6": b"72", b"7": b"73", b"9": b"75", b"14": b"76", b"45": b"88"}


def _delay_tail(tail: bytes) -> bytes:
    kind, _, rest = tail.partition(b"\0")
    return DELAYED_TICKS.get(kind, kind) + b"\0" + rest
