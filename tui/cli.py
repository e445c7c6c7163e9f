"""The ``ibtui`` command line."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from tui import __version__


def _sim(args: argparse.Namespace) -> int:
    from tui.sim.gateway import Gateway, parse_rate
    from tui.sim.runner import serve_forever

    try:
        rate = parse_rate(args.rate)
    except ValueError as e:
        print(f"ibtui sim: {e}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    try:
        gateway = Gateway(seed=args.seed, rate=rate, state_path=args.state)
    except (OSError, ValueError, KeyError) as e:
        print(f"ibtui sim: cannot load state file {args.state}: {e}", file=sys.stderr)
        return 2
    try:
        serve_forever(gateway, args.host, args.port)
    except OSError as e:
        print(f"ibtui sim: cannot listen on {args.host}:{args.port}: {e.strerror or e}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ibtui", description="A keyboard-driven terminal trading front-end for Interactive Brokers."
    )
    parser.add_argument("--version", action="version", version=f"ibtui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sim = sub.add_parser("sim", help="run the simulated IB gateway (TWS API protocol, v157)")
    sim.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    sim.add_argument("--port", type=int, default=7497, help="port to listen on (default 7497)")
    sim.add_argument("--seed", type=int, default=1, help="market seed (default 1)")
    sim.add_argument("--rate", default="normal",
                     help="quiet, normal, busy, storm, or market events per second (default normal)")
    sim.add_argument("--state", default=None, metavar="FILE",
                     help="keep the account, orders and order ids in FILE across restarts")
    sim.set_defaults(func=_sim)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
