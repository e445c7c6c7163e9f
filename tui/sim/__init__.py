"""The simulated IB gateway: a TWS-protocol TCP server with a synthetic market.

It is an independent implementation of the server side of the TWS API socket
protocol; it never imports ``ibapi``, so tests against it check our client (and
any other client) rather than mirroring it.
"""
