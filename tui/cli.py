"""The ``ibtui`` command line.

Global options (--config, --host, --port, --client-id, --read-only, --layout,
--symbol) may stand before or after the subcommand. A subcommand imports the heavy
parts it uses when it runs: ``ibtui sim`` never loads Textual or ibapi.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import logging.handlers
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tui import __version__
from tui import config as cfg
from tui.core import events as ev
from tui.core.contracts import parse_symbol
from tui.core.journal import Journal, journal_path, read, summarize
from tui.core.session import is_live
from tui.core.words import counted, plain_quantity
from tui.tuning import tune_process

if TYPE_CHECKING:
    from tui.ib.broker import Broker


def _whole(lo: int, hi: int, what: str) -> Callable[[str], int]:
    """An argparse type: a whole number from ``lo`` to ``hi``, or a message naming the problem (the
    config file's own bounds; a port of 70000 would otherwise be tried, and retried, for ever)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{value} is not {what} ({lo} to {hi})")
        return value

    return parse


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    d = argparse.SUPPRESS if suppress else None
    g = parser.add_argument_group("connection and screen (before or after the command)")
    g.add_argument("--config", default=d, metavar="FILE", help="config file (default: $IBTUI_CONFIG, "
                   "then the XDG config dir)")
    g.add_argument("--host", default=d, help="TWS / IB Gateway host")
    g.add_argument("--port", type=_whole(*cfg.PORT_RANGE, "a TCP port"), default=d,
                   help="TWS / IB Gateway port")
    g.add_argument("--client-id", type=_whole(*cfg.CLIENT_ID_RANGE, "a client id"),
                   default=d, dest="client_id", help="API client id")
    g.add_argument("--read-only", action="store_true", default=d if suppress else False,
                   dest="read_only", help="block every order action")
    g.add_argument("--layout", choices=("full", "ladder", "positions", "orders", "watchlist", "tape"),
                   default=d, help="full screen, or a single pane for a tmux split")
    g.add_argument("--symbol", default=d, help="the ladder's instrument, e.g. ES or AAPL")


def _rate(command: str, text: str) -> float | None:
    """``--rate`` as events per second, or None after printing why it is not one."""
    from tui.sim.server.gateway import parse_rate

    try:
        return parse_rate(text)
    except ValueError as e:
        print(f"ibtui {command}: {e}", file=sys.stderr)
        return None


def load_settings(args: argparse.Namespace) -> cfg.Settings:
    settings = cfg.load(getattr(args, "config", None))
    c = settings.connection
    if getattr(args, "host", None):
        c.host = args.host
    if getattr(args, "port", None) is not None:
        c.port = args.port
    if getattr(args, "client_id", None) is not None:
        c.client_id = args.client_id
    if getattr(args, "read_only", False):
        c.read_only = True
    return settings


def _check_keymap(settings: cfg.Settings) -> None:
    """The ``[keymap]`` as the screen would take it (checked where keys matter: importing the
    bindings costs every other command a sixth of a second)."""
    from tui.keys import keymap_problem

    problem = keymap_problem(settings.keymap)
    if problem:  # a key must never do what the trader did not bind it to
        raise cfg.ConfigError(f"{settings.source}: {problem}")


def _setup_logging(settings: cfg.Settings) -> None:
    path = settings.log_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=5_000_000, backupCount=3)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]  # never onto the screen the app draws
    root.setLevel(settings.paths.log_level)


def _client_id_tries(args: argparse.Namespace, settings: cfg.Settings, layout: str) -> int:
    """Panes get their own ids: unless one was given, a taken id moves on to the next."""
    if getattr(args, "client_id", None) is not None:
        return 1
    if layout != "full":
        settings.connection.client_id += {"ladder": 10, "positions": 20, "orders": 30,
                                          "watchlist": 40, "tape": 50}[layout]
    return 10


def broker_for(settings: cfg.Settings, client_id_tries: int = 1) -> Broker:
    """The one place a broker is built from the settings."""
    from tui.ib.broker import Broker, BrokerConfig

    c = settings.connection
    return Broker(BrokerConfig(c.host, c.port, c.client_id, c.account, c.connect_timeout,
                               market_data_type=c.market_data_type, client_id_tries=client_id_tries))


def _run_app(args: argparse.Namespace, settings: cfg.Settings, confirm: str | None = None,
             demo: str = "") -> int:
    """Run the screen. ``demo`` names the in-process simulated gateway (its journal identity)."""
    from tui.app import IBTuiApp

    _check_keymap(settings)  # before anything connects
    layout = getattr(args, "layout", None) or "full"
    _setup_logging(settings)
    c = settings.connection
    broker = broker_for(settings, _client_id_tries(args, settings, layout))
    # a journal's orders belong to one account behind one gateway: a demo's gateway is new every run
    journal = Journal(settings.journal_dir(), c.account, c.client_id, gateway=demo or f"{c.host}:{c.port}")
    app = IBTuiApp(settings, broker, journal, layout, getattr(args, "symbol", None), confirm,
                   demo=bool(demo))
    app.run()
    if app.exit_note:
        print(app.exit_note)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    if settings.is_live and not settings.connection.read_only:
        print(f"ibtui: port {settings.connection.port} is a LIVE trading port: real orders, real money.",
              file=sys.stderr)
    return _run_app(args, settings)


def cmd_demo(args: argparse.Namespace) -> int:
    from tui.sim.server.gateway import Gateway
    from tui.sim.server.runner import GatewayThread

    settings = load_settings(args)
    rate = _rate("demo", args.rate)
    if rate is None:
        return 2
    gateway = GatewayThread(Gateway(seed=args.seed, rate=rate), "127.0.0.1", 0).start()
    settings.connection.host = "127.0.0.1"
    settings.connection.port = gateway.port
    settings.connection.live = "paper"
    settings.connection.account = ""
    try:
        started = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%f")
        return _run_app(args, settings, confirm="never" if settings.orders.confirm == "live" else None,
                        demo=f"demo@{started}")
    finally:
        gateway.stop()


def cmd_sim(args: argparse.Namespace) -> int:
    from tui.sim.server.gateway import Gateway
    from tui.sim.server.runner import serve_forever

    rate = _rate("sim", args.rate)
    if rate is None:
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)

    def make() -> Gateway:
        return Gateway(seed=args.seed, rate=rate, state_path=args.state)

    try:
        make()
    except (OSError, ValueError) as e:  # each names the file
        print(f"ibtui sim: cannot load the state file: {e}", file=sys.stderr)
        return 2
    host = args.host or "127.0.0.1"
    port = args.port or 7497
    control = _control_address(args.control, port)
    try:
        serve_forever(make, host, port, control)
    except OSError as e:  # the message names the address that failed
        print(f"ibtui sim: {e.strerror or e}", file=sys.stderr)
        return 1
    return 0


def _control_address(given: str | None, gateway_port: int) -> int | Path | None:
    """``--control``: absent -> none; bare -> the Unix socket for this port; N -> TCP port N."""
    from tui.sim.server.control import default_path

    if given is None:
        return None
    if given == "unix":
        return default_path(cfg.state_dir(), gateway_port)
    if given.isdigit():
        return int(given)
    return Path(given).expanduser()


def cmd_fault(args: argparse.Namespace) -> int:
    from tui.sim.server.control import send

    if args.fault in ("stall", "refuse", "error") and not args.value:
        print(f"ibtui fault {args.fault}: needs a value "
              f"({'an IB code such as 1100' if args.fault == 'error' else 'seconds'})", file=sys.stderr)
        return 2
    from tui.sim.server.control import describe

    address = _control_address(args.control or "unix", args.port or 7497)
    assert address is not None
    command = " ".join([args.fault, *([args.value] if args.value else []),
                        *(["--client", str(args.client)] if args.client is not None else [])])
    try:
        reply = send(address, command)
    except OSError as e:
        print(f"ibtui fault: no simulated gateway control socket at {describe(address)} ({e.strerror or e}); "
              "start it with ibtui sim --control", file=sys.stderr)
        return 1
    print(reply)
    return 0 if reply.startswith("ok") else 1


def cmd_check(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    c = settings.connection
    broker = broker_for(settings, client_id_tries=5)
    from tui.ib.compat import CLIENT

    print(f"connecting to {c.host}:{c.port} as client {c.client_id} (IB's Python client: ibapi {CLIENT}) ...")
    broker.start()
    try:
        if not broker.wait_connected(c.connect_timeout + 1, give_up_when_refused=True):
            print(f"FAIL: {broker.reason or 'no connection'}")
            return 1
        accounts = ", ".join(broker.accounts)
        live = is_live(c.live, c.port, broker.accounts)
        print(f"server version {broker.server_version}; accounts {accounts}")
        print(f"session: {'LIVE (real money)' if live else 'PAPER'}{'; read-only' if c.read_only else ''}")
        queries = {}
        for q in settings.watchlist:
            symbol, sec_type, exchange, currency = parse_symbol(q)
            queries[broker.resolve(symbol, sec_type, exchange, currency)] = q
        deadline = time.monotonic() + 5
        farms: list[str] = []
        resolved: dict[str, ev.ContractResolved] = {}
        specs = []
        priced: set[int] = set()  # every drain counts: a quote may come while others resolve
        while time.monotonic() < deadline and len(resolved) < len(queries):
            events, updates = broker.h.drain()
            priced |= {u.con_id for u in updates if u.bid or u.last}
            for e in events:
                if isinstance(e, ev.IBError) and 2100 <= e.code < 2200:
                    farms.append(e.message)
                elif isinstance(e, ev.ContractResolved) and e.query in queries:
                    resolved[e.query] = e
                    if e.specs:
                        specs.append(e.specs[0])
                        broker.subscribe(e.specs[0].contract)
            time.sleep(0.05)
        for f in farms:
            print(f"farm: {f}")
        time.sleep(1.5)
        _, updates = broker.h.drain()
        priced |= {u.con_id for u in updates if u.bid or u.last}
        bad = 0
        for key, q in queries.items():
            r = resolved.get(key)
            if r is None or not r.specs:
                bad += 1
                print(f"  {q:<10} NO CONTRACT ({r.error if r else 'no answer'})")
            elif r.specs[0].contract.con_id in priced:
                print(f"  {q:<10} market data OK")
            else:
                bad += 1
                print(f"  {q:<10} no market data (no permission or market closed)")
        verdict = "OK" if not bad else f"OK with {counted(bad, 'watchlist problem')}"
        print(f"verdict: {verdict}")
        return 0
    finally:
        broker.stop()


def cmd_config(args: argparse.Namespace) -> int:
    action = args.action
    if action == "path":
        path = cfg.config_path(getattr(args, "config", None))
        print(path if path else f"{cfg.default_config_path()} (not created; built-in defaults in use)")
        print(f"state: {cfg.state_file()}")
        return 0
    if action == "show":
        settings = load_settings(args)
        _check_keymap(settings)
        import tomli_w

        print(f"# effective settings (from {settings.source}, flags and saved state)")
        print(tomli_w.dumps(cfg.as_document(settings)))
        return 0
    target = Path(args.path).expanduser() if args.path else cfg.default_config_path()
    if target.exists() and not args.force:
        print(f"ibtui config init: {target} exists; add --force to overwrite it", file=sys.stderr)
        return 2
    cfg.write_atomic(target, cfg.as_document(cfg.Settings()))
    print(f"wrote {target} (documented example: config.example.toml)")
    return 0


def cmd_journal(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    try:
        day = dt.date.fromisoformat(args.date) if args.date else dt.datetime.now(dt.UTC).date()
    except ValueError:
        print(f"ibtui journal: --date {args.date!r}: expected YYYY-MM-DD", file=sys.stderr)
        return 2
    path = journal_path(settings.journal_dir(), day)
    records, note = read(path)
    if not records:
        print(f"no journal for {day} ({path})")
        return 0
    s = summarize(records)
    print(f"journal {path}")
    print(f"orders: {s['intents']} intents, {s['sent']} sent, {s['refused']} refused by the risk checks")
    print(f"fills: {s['fills']}; commissions {s['commissions']:,.2f}; realized P&L {s['realized_pnl']:+,.2f}")
    for sym, row in sorted(s["by_symbol"].items()):
        print(f"  {sym:<10} bought {plain_quantity(row['bought'])}  sold {plain_quantity(row['sold'])}  "
              f"({row['fills']:g} fills)")
    if s["torn"]:
        print(f"note: {counted(s['torn'], 'line')} cut short by a stop mid-write "
              "(ignored; reported at the start after it)")
    if note:
        print(f"note: {note}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from tui import bench

    rate = _rate("bench", args.rate)
    if rate is None:
        return 2
    seconds = args.seconds if args.seconds is not None else (
        bench.SWEEP_SECONDS if args.sweep else bench.RUN_SECONDS)
    if seconds <= 0:
        print("ibtui bench: --seconds must be positive", file=sys.stderr)
        return 2
    try:
        if args.sweep:
            return bench.sweep(seconds, args.json)
        if args.gateway_alone:
            return bench.gateway_alone(seconds, rate, args.json)
        if args.decode:
            return bench.decode(args.json)
        return bench.run(seconds, rate, args.json, baseline=not args.no_baseline)
    except bench.BenchFailed as e:
        print(f"ibtui bench: {e}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ibtui", description="A keyboard-driven terminal trading front-end for Interactive Brokers.")
    parser.add_argument("--version", action="version", version=f"ibtui {__version__}")
    _global_options(parser, suppress=False)
    parser.set_defaults(func=cmd_run)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _global_options(p, suppress=True)
        return p

    run = command("run", "connect to TWS / IB Gateway per the config (the default)")
    run.set_defaults(func=cmd_run)
    demo = command("demo", "the whole product against a built-in simulated gateway: no IB account")
    demo.add_argument("--seed", type=int, default=1, help="market seed")
    demo.add_argument("--rate", default="normal", help="quiet, normal, busy, storm or events/s")
    demo.set_defaults(func=cmd_demo)
    sim = command("sim", "run the simulated IB gateway (TWS API protocol, server versions 157 to 200)")
    sim.add_argument("--seed", type=int, default=1, help="market seed (default 1)")
    sim.add_argument("--rate", default="normal",
                     help="quiet, normal, busy, storm, or market events per second (default normal)")
    sim.add_argument("--state", default=None, metavar="FILE",
                     help="keep the account, orders and order ids in FILE across restarts")
    sim.add_argument("--control", nargs="?", const="unix", default=None, metavar="PORT|PATH",
                     help="open a control socket for ibtui fault: alone, a Unix socket in the state "
                          "directory; or a loopback TCP port (not one of IB's), or a socket path")
    sim.set_defaults(func=cmd_sim)
    fault = command("fault", "inject a fault into a running ibtui sim (over its loopback control socket)")
    fault.add_argument("fault", choices=("drop", "stall", "error", "refuse", "reject-next", "garbage",
                                         "truncate", "restart"))
    fault.add_argument("value", nargs="?", help="seconds for stall/refuse, the IB code for error")
    fault.add_argument("--client", type=_whole(*cfg.CLIENT_ID_RANGE, "a client id"),
                       help="only this client id (error, garbage, truncate)")
    fault.add_argument("--control", default=None, metavar="PORT|PATH",
                       help="the sim's control socket, as given to ibtui sim --control "
                            "(default: the Unix socket of the sim on --port)")
    fault.set_defaults(func=cmd_fault)
    check = command("check", "connect, report version, accounts, PAPER/LIVE, farms, data; exit 0 or 1")
    check.set_defaults(func=cmd_check)
    conf = command("config", "write a starter config, or show where and what the settings are")
    conf.add_argument("action", choices=("init", "path", "show"))
    conf.add_argument("path", nargs="?", help="for init: where to write (default: the XDG config dir)")
    conf.add_argument("--force", action="store_true", help="for init: overwrite an existing file")
    conf.set_defaults(func=cmd_config)
    journal = command("journal", "summarise a day's journal: orders, fills, realized P&L")
    journal.add_argument("--date", help="YYYY-MM-DD (default: today, UTC)")
    journal.set_defaults(func=cmd_journal)
    bench = command("bench", "measure the whole pipeline under a storm, beside ibapi's stock path")
    bench.add_argument("--seconds", type=float, default=None,
                       help="measurement time per run (default 10; with --sweep 30, so that each p99 is "
                            "over some 290 key presses rather than the slowest of 90)")
    bench.add_argument("--rate", default="50000", help="market events/s offered (default 50000)")
    bench.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    bench.add_argument("--no-baseline", action="store_true", help="skip the stock-ibapi run")
    mode = bench.add_mutually_exclusive_group()
    mode.add_argument("--sweep", action="store_true",
                      help="idle, 2k, 10k, 25k, 50k and the gateway's maximum, each beside the stock path, "
                           "with the targets and a machine calibration figure")
    mode.add_argument("--gateway-alone", action="store_true",
                      help="the simulated gateway at --rate with one client that only reads what the app "
                           "subscribes to: what it offers on this machine without the app beside it")
    mode.add_argument("--decode", action="store_true",
                      help="the client's decode path alone, in microseconds a frame, on the simulated "
                           "gateway's own frames for the app's subscriptions")
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    tune_process()
    try:
        return int(args.func(args))
    except cfg.ConfigError as e:
        print(f"ibtui: config error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
