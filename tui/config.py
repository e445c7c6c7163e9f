"""Settings: defaults, the TOML file, flags; validated into one clear message per mistake.

Precedence: flags > ``--config`` > ``$IBTUI_CONFIG`` > the XDG config file > defaults.
The user's commented config is never rewritten: what the app changes at run
time (watchlist, theme, presets) goes to a separate state file, written
atomically with tomli-w.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from tui.core import files
from tui.core.contracts import instrument_section
from tui.core.risk import INSTRUMENT_LIMITS, LIMIT_RANGES, Limits
from tui.core.session import is_live

APP = "ibtui"


class ConfigError(Exception):
    """A config problem, worded for the user: file, key, what was expected."""


@dataclass
class Connection:
    """The ``[connection]`` section: where TWS is, who we are, and LIVE/PAPER policy."""

    host: str = "127.0.0.1"
    port: int = 7497
    client_id: int = 1
    connect_timeout: float = 5.0
    read_only: bool = False
    account: str = ""
    live: str = "auto"  # auto | paper | live: how to label the session
    market_data: str = "live"  # live | frozen | delayed | delayed-frozen (IB's market data types 1-4)

    @property
    def market_data_type(self) -> int:
        return MARKET_DATA_TYPES[self.market_data]


MARKET_DATA_TYPES = {"live": 1, "frozen": 2, "delayed": 3, "delayed-frozen": 4}


@dataclass
class UI:
    """The ``[ui]`` section: theme, frame cap, ladder behaviour."""

    theme: str = "ibtui-dark"
    frame_rate: int = 30
    ladder_rows: int = 0  # 0: fit the window
    auto_center: bool = True
    show_stats: bool = False
    trades_window: float = 60.0  # seconds of trades summed per price in the ladder's trades column
    queue_cancel_weight: float = 1.0  # queue position: share of cancels assumed ahead (1 in proportion)


# where the config names no section for an instrument, what one of its kind starts from: a
# quantity of EUR.USD is euros, so the contracts' 1 is a rounding error (IDEALPRO's round lot is
# 25,000; less goes as an odd lot)
KIND_ORDERS: dict[str, dict[str, Any]] = {
    "CASH": {"default_quantity": 25_000,
             "quantity_presets": [25_000, 50_000, 100_000, 200_000, 250_000, 500_000, 1_000_000,
                                  1_500_000, 2_000_000]},
}


@dataclass
class Orders:
    """The ``[orders]`` section: default quantities, presets, TIF, brackets, confirmation policy."""

    default_quantity: int = 1
    quantity_presets: list[int] = field(default_factory=lambda: [1, 2, 5, 10, 25, 50, 100, 200, 500])
    tif: str = "DAY"
    bracket_take_profit_ticks: int = 8
    bracket_stop_loss_ticks: int = 8
    # several take-profits per bracket: [[share, ticks], ...]; each with its own stop (empty: one)
    bracket_targets: list[list[int]] = field(default_factory=list)
    breakeven_ticks: int = 0  # auto-breakeven: move a bracket's stops to the entry this far in profit (0 off)
    breakeven_offset_ticks: int = 0  # .. and this many ticks beyond the entry, on the profit side
    chase_max_ticks: int = 10  # g / G: a chasing limit follows the market at most this far (and this often)
    trail_ticks: int = 8  # r / R: a trailing stop this many ticks behind the market
    trail_limit_offset_ticks: int = 2  # u / U: a trailing stop-limit's limit this far beyond its stop
    confirm: str = "live"  # never | live | always
    instruments: dict[str, dict[str, Any]] = field(default_factory=dict)

    def _instrument(self, names: tuple[str, ...]) -> dict[str, Any]:
        """The section of the first of ``names`` the config has: an instrument's names in order,
        the symbol as typed (``EUR.USD``, ``ES``), then the contract's own (IB's symbol for
        EUR.USD is ``EUR``)."""
        return instrument_section(self.instruments, names)

    def quantity_for(self, *names: str, kind: str = "") -> int:
        """The default quantity of the instrument ``names`` name, of security type ``kind``: its
        section's, else its kind's (``KIND_ORDERS``), else ``default_quantity``."""
        return int(self._setting(names, kind, "default_quantity", self.default_quantity))

    def presets_for(self, *names: str, kind: str = "") -> list[int]:
        return list(self._setting(names, kind, "quantity_presets", self.quantity_presets))

    def _setting(self, names: tuple[str, ...], kind: str, key: str, default: Any) -> Any:
        entry = self._instrument(names)
        if key in entry:
            return entry[key]
        return KIND_ORDERS.get(kind, {}).get(key, default)


@dataclass
class Paths:
    """The ``[paths]`` section: journal directory, log file and level."""

    journal_dir: str = ""
    log_file: str = ""
    log_level: str = "INFO"


@dataclass
class Settings:
    """Everything configurable, as loaded from the config file and the saved state."""

    connection: Connection = field(default_factory=Connection)
    ui: UI = field(default_factory=UI)
    watchlist: list[str] = field(default_factory=lambda: ["ES", "NQ", "CL", "AAPL", "MSFT", "NVDA", "TSLA", "EUR.USD"])
    orders: Orders = field(default_factory=Orders)
    risk: Limits = field(default_factory=Limits)  # the core's risk limits, as configured
    keymap: dict[str, str] = field(default_factory=dict)
    paths: Paths = field(default_factory=Paths)
    source: str = "built-in defaults"

    @property
    def is_live(self) -> bool:
        """The verdict before connecting (the accounts then have the last word: ``core.session``)."""
        return is_live(self.connection.live, self.connection.port)

    def journal_dir(self) -> Path:
        return Path(self.paths.journal_dir).expanduser() if self.paths.journal_dir else state_dir() / "journal"

    def log_file(self) -> Path:
        return Path(self.paths.log_file).expanduser() if self.paths.log_file else state_dir() / "ibtui.log"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP))


def state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP))


def default_config_path() -> Path:
    return config_dir() / "config.toml"


def state_file() -> Path:
    return state_dir() / "state.toml"


# --- validation ----------------------------------------------------------------------------
_CHOICES = {
    ("connection", "live"): ("auto", "paper", "live"),
    ("connection", "market_data"): tuple(MARKET_DATA_TYPES),
    ("orders", "confirm"): ("never", "live", "always"),
    ("orders", "tif"): ("DAY", "GTC", "IOC"),
    ("paths", "log_level"): ("DEBUG", "INFO", "WARNING", "ERROR"),
}
PORT_RANGE = (1, 65535)
CLIENT_ID_RANGE = (0, 2**31 - 1)
_RANGES = {
    ("connection", "port"): PORT_RANGE,
    ("connection", "client_id"): CLIENT_ID_RANGE,
    ("connection", "connect_timeout"): (0.1, 300),
    ("ui", "frame_rate"): (1, 120),
    ("ui", "ladder_rows"): (0, 500),
    ("ui", "trades_window"): (1, 86_400),
    ("ui", "queue_cancel_weight"): (0, 2),
    ("orders", "default_quantity"): (1, 10**9),
    ("orders", "bracket_take_profit_ticks"): (1, 100_000),
    ("orders", "bracket_stop_loss_ticks"): (1, 100_000),
    ("orders", "trail_ticks"): (1, 100_000),
    ("orders", "trail_limit_offset_ticks"): (0, 100_000),
    ("orders", "breakeven_ticks"): (0, 100_000),
    ("orders", "breakeven_offset_ticks"): (0, 100_000),
    ("orders", "chase_max_ticks"): (1, 50),
    **{("risk", name): span for name, span in LIMIT_RANGES.items()},
}
_TYPE_WORDS = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}


def _expect(where: str, value: object, kind: type, key: tuple[str, str]) -> object:
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value, ok = float(value), True
    if not ok:
        raise ConfigError(f"{where}: expected {_TYPE_WORDS.get(kind, kind.__name__)}, got {value!r}")
    if key in _CHOICES and value not in _CHOICES[key]:
        raise ConfigError(f"{where}: expected one of {', '.join(_CHOICES[key])}, got {value!r}")
    if key in _RANGES:
        lo, hi = _RANGES[key]
        if not lo <= value <= hi:  # type: ignore[operator]
            raise ConfigError(f"{where}: expected {lo} to {hi}, got {value!r}")
    return value


def _int_list(where: str, value: object) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0
                                              for v in value):
        raise ConfigError(f"{where}: expected a list of positive integers, got {value!r}")
    if len(value) > 9:
        raise ConfigError(f"{where}: at most 9 presets (keys 1 to 9), got {len(value)}")
    return list(value)


def _targets(where: str, value: object) -> list[list[int]]:
    ok = isinstance(value, list) and len(value) <= 5 and all(
        isinstance(t, list) and len(t) == 2 and all(isinstance(v, int) and not isinstance(v, bool) and v > 0
                                                     for v in t) for t in value)
    if not ok:
        raise ConfigError(f"{where}: expected up to 5 [share, ticks] pairs of positive integers, "
                          f"such as [[1, 8], [1, 16]], got {value!r}")
    assert isinstance(value, list)
    return [list(t) for t in value]


# what a section of [orders.instruments] / [risk.instruments] may set for one instrument
_PER_INSTRUMENT = {"orders": ("default_quantity", "quantity_presets"), "risk": INSTRUMENT_LIMITS}


def _instruments(obj: Any, name: str, where: str, value: object) -> dict[str, dict[str, Any]]:
    """``[orders.instruments.X]`` or ``[risk.instruments.X]``: each instrument's own settings,
    checked as the section's own keys are."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table of symbols")
    allowed = _PER_INSTRUMENT[name]
    out: dict[str, dict[str, Any]] = {}
    for sym, table in value.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{where}.{sym}: expected a table")
        entry: dict[str, Any] = {}
        for k, v in table.items():
            at = f"{where}.{sym}.{k}"
            if k not in allowed:
                account_wide = name == "risk" and hasattr(obj, k)
                whose = " (the account's, not an instrument's: set it in [risk])" if account_wide else ""
                raise ConfigError(f"{at}: unknown key{whose} (known: {', '.join(allowed)})")
            if k == "quantity_presets":
                entry[k] = _int_list(at, v)
            else:
                entry[k] = _expect(at, v, type(getattr(obj, k)), (name, k))
        out[sym] = entry
    return out


def _section(obj: Any, name: str, data: object, path: str) -> None:
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: [{name}] must be a table")
    known = {f.name: f for f in fields(obj)}
    for key, value in data.items():
        where = f"{path}: {name}.{key}"
        if key not in known:
            raise ConfigError(f"{where}: unknown key (known: {', '.join(sorted(known))})")
        current = getattr(obj, key)
        if key == "quantity_presets":
            setattr(obj, key, _int_list(where, value))
        elif key == "bracket_targets":
            setattr(obj, key, _targets(where, value))
        elif key == "instruments":
            setattr(obj, key, _instruments(obj, name, where, value))
        else:
            setattr(obj, key, _expect(where, value, type(current), (name, key)))


def apply_document(settings: Settings, doc: dict[str, Any], path: str) -> None:
    for name, data in doc.items():
        where = f"{path}: {name}"
        if name == "watchlist":
            if not isinstance(data, list) or not all(isinstance(s, str) and s.strip() for s in data):
                raise ConfigError(f"{where}: expected a list of symbols such as [\"ES\", \"AAPL\"]")
            settings.watchlist = [s.strip() for s in data]
        elif name == "keymap":
            if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
                raise ConfigError(f"{where}: expected a table of binding id = \"keys\"")
            settings.keymap = dict(data)
        elif name in ("connection", "ui", "orders", "risk", "paths"):
            _section(getattr(settings, name), name, data, path)
        else:
            raise ConfigError(f"{where}: unknown section (known: connection, ui, watchlist, orders, "
                              "risk, keymap, paths)")


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror}") from None


def config_path(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("IBTUI_CONFIG")
    if env:
        return Path(env).expanduser()
    default = default_config_path()
    return default if default.exists() else None


def load(explicit: str | None = None, with_state: bool = True) -> Settings:
    """Defaults, then the config file, then the app's saved state."""
    settings = Settings()
    path = config_path(explicit)
    if path is not None:
        apply_document(settings, read_toml(path), str(path))
        settings.source = str(path)
    if with_state and state_file().exists():
        try:
            apply_document(settings, read_toml(state_file()), str(state_file()))
        except ConfigError:
            pass  # a damaged state file must not stop the app; it is rewritten on the next change
    return settings


def as_document(settings: Settings) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for name in ("connection", "ui"):
        doc[name] = _plain(getattr(settings, name))
    doc["watchlist"] = list(settings.watchlist)
    doc["orders"] = _plain(settings.orders)
    doc["risk"] = _plain(settings.risk)
    doc["keymap"] = dict(settings.keymap)
    doc["paths"] = _plain(settings.paths)
    return doc


def _plain(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


def write_atomic(path: Path, doc: dict[str, Any]) -> None:
    """Write a TOML document atomically."""
    files.write_atomic(path, tomli_w.dumps(doc).encode())


def save_state(watchlist: list[str] | None = None, theme: str | None = None,
               presets: list[int] | None = None) -> Path:
    """Remember what the user changed inside the app, apart from their config."""
    path = state_file()
    doc: dict[str, Any] = {}
    if path.exists():
        try:
            doc = read_toml(path)
        except ConfigError:
            doc = {}
    if watchlist is not None:
        doc["watchlist"] = list(watchlist)
    if theme is not None:
        doc.setdefault("ui", {})["theme"] = theme
    if presets is not None:
        doc.setdefault("orders", {})["quantity_presets"] = list(presets)
    write_atomic(path, doc)
    return path
