"""The IB client layer: the only package that imports ``ibapi``.

Threads: the reader (socket -> frames), the decode loop (frames -> wrapper calls ->
hand-off), the pacer (requests out under IB's rate), the session supervisor, and the
caller's (the UI's) thread, which may call any public ``Broker`` method.

The locking rule:
- each part (requests, subscriptions, order ids, resync, pacer) guards its own state with
  its own lock, held only for that state and never while calling another part or the wire;
- maps the decode thread reads on every tick (``Subscriptions.market``/``pnl``) are
  replaced whole under the lock and never changed in place, so the decode thread reads
  them without one;
- the hand-off has its own lock and is the only state shared with the app;
- every send goes through the pacer: at once on the caller's thread when a token is free
  (an order never waits for a thread switch), else from the pacer's thread in turn; the
  wire's send holds its own lock.
"""
