"""Config files as users get them wrong, through the real command line."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tui import config as cfg
from tui.core.contracts import Contract

ROOT = Path(__file__).resolve().parent.parent


def ibtui(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True,
                          timeout=30, env=env)


@pytest.mark.parametrize("text, expected", [
    ("[connection\nport = 1\n", "not valid TOML"),
    ("[connection]\nport = \"abc\"\n", "connection.port: expected an integer, got 'abc'"),
    ("[connection]\nprot = 7497\n", "connection.prot: unknown key"),
    ("[risk]\nprice_band_percent = 250\n", "risk.price_band_percent: expected 0 to 100"),
    ("[orders]\nconfirm = \"maybe\"\n", "orders.confirm: expected one of never, live, always"),
    ("[orders]\nquantity_presets = [1, -2]\n", "orders.quantity_presets: expected a list of positive"),
    ("watchlist = \"ES\"\n", "watchlist: expected a list of symbols"),
    ("[colours]\nbid = 1\n", "colours: unknown section"),
    ("[risk.instruments.ES]\nmax_position = -5\n", "risk.instruments.ES.max_position: expected 0 to"),
    ("[risk.instruments.ES]\ndaily_loss_limit = 500\n",
     "risk.instruments.ES.daily_loss_limit: unknown key (the account's, not an instrument's"),
    ("[risk.instruments]\nES = 5\n", "risk.instruments.ES: expected a table"),
    ("[orders.instruments.ES]\ntif = \"GTC\"\n", "orders.instruments.ES.tif: unknown key"),
    # a key on two bindings would run either: pressing s to sell could buy
    ("[keymap]\nbuy_limit = \"s\"\n", "keymap.buy_limit: s is also sell_limit on the trading screen; "
     "give sell_limit another key too"),
    ("[keymap]\n\"confirm.yes\" = \"n\"\n", "keymap.confirm.yes: n is also confirm.no on the confirmation"),
    ("[keymap]\nbuy_limt = \"z\"\n", "keymap.buy_limt: unknown binding id (did you mean buy_limit?"),
    ("[keymap]\nbuy_market = \"ctrl+q\"\n", "keymap.buy_market: ctrl+q is quit (Textual's)"),
    ("[keymap]\nbuy_market = \"\"\n", "keymap.buy_market: expected keys such as"),
    # a misspelt key is no error to Textual: it would simply never fire
    ("[keymap]\nbuy_market = \"B,ctlr+b\"\n", "keymap.buy_market: 'ctlr+b': ctlr is not a modifier"),
    ("[keymap]\nflatten = \"pgup\"\n", "keymap.flatten: 'pgup' is not a key Textual knows (did you mean 'pageup'?"),
    ("[keymap]\nflatten = \"F5\"\n", "(did you mean 'f5'?"),
    ("[keymap]\nflatten = \"ctrl+F\"\n", "written in lower case ('ctrl+f')"),
    ("[keymap]\nquantity_up = \"ctrl++\"\n", "+ is written plus ('ctrl+plus')"),
])
def test_bad_config_exits_2_with_one_clear_line(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = ibtui("--config", str(path), "config", "show")
    assert out.returncode == 2
    assert expected in out.stderr and str(path) in out.stderr
    assert "Traceback" not in out.stderr
    if "TOML" in expected:
        assert "line 1" in out.stderr


def test_a_keymap_that_swaps_keys_is_taken_and_a_clash_stops_the_screen_before_connecting(
        tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    path.write_text("[keymap]\nbuy_limit = \"s\"\nsell_limit = \"b\"\nhelp = \"?,f1\"\n")
    assert ibtui("--config", str(path), "config", "show").returncode == 0
    path.write_text("[keymap]\nbuy_limit = \"s\"\n[connection]\nport = 1\n")  # nothing listens there
    for command in (("demo",), ()):
        out = ibtui("--config", str(path), *command)
        assert out.returncode == 2 and "keymap.buy_limit: s is also sell_limit" in out.stderr, out.stderr


def test_global_options_go_before_or_after_the_command(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[connection]\nport = 4002\n")
    for args in (("--config", str(path), "--port", "4100", "config", "show"),
                 ("config", "show", "--config", str(path), "--port", "4100")):
        out = ibtui(*args)
        assert out.returncode == 0, out.stderr
        doc = tomllib.loads(out.stdout.split("\n", 1)[1])
        assert doc["connection"]["port"] == 4100


@pytest.mark.parametrize("args, expected", [
    (("--port", "70000"), "argument --port: 70000 is not a TCP port (1 to 65535)"),
    (("--port", "0"), "argument --port: 0 is not a TCP port (1 to 65535)"),
    (("--port", "x7497"), "argument --port: 'x7497' is not a whole number"),
    (("--client-id", "-1"), "argument --client-id: -1 is not a client id (0 to 2147483647)"),
])
def test_a_bad_port_or_client_id_on_the_command_line_is_refused_before_connecting(
        tmp_path: Path, args: tuple[str, ...], expected: str) -> None:
    """As the config file's values are: port 70000 used to be tried, and retried every 5 s, with
    "nothing listens on 127.0.0.1:70000" on screen; port 0 silently fell back to the config's."""
    for where in ((*args, "config", "show"), ("config", "show", *args), (*args, "check")):
        out = ibtui("--config", str(tmp_path / "none.toml"), *where)
        assert out.returncode == 2
        assert expected in out.stderr, out.stderr
        assert "Traceback" not in out.stderr


def test_config_init_round_trips_and_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "new.toml"
    assert ibtui("config", "init", str(path)).returncode == 0
    loaded = cfg.load(str(path), with_state=False)
    assert cfg.as_document(loaded) == cfg.as_document(cfg.Settings())
    again = ibtui("config", "init", str(path))
    assert again.returncode == 2 and "--force" in again.stderr
    assert ibtui("config", "init", str(path), "--force").returncode == 0


def test_example_config_loads_and_documents_every_key() -> None:
    example = ROOT / "config.example.toml"
    settings = cfg.load(str(example), with_state=False)
    assert settings.orders.quantity_for("AAPL") == 100
    assert settings.orders.quantity_for("EUR.USD", kind="CASH") == 25_000  # no section: its kind's
    assert settings.orders.quantity_for("ES", kind="FUT") == settings.orders.default_quantity
    fx = Contract("EUR", "CASH", "IDEALPRO", "USD", 9, local_symbol="EUR.USD")
    assert settings.risk.for_contract(fx).max_order_quantity > settings.risk.max_order_quantity
    text = example.read_text()
    for section, values in cfg.as_document(cfg.Settings()).items():
        keys = values.keys() if isinstance(values, dict) else [section]
        for key in keys:
            assert f"{key} =" in text or f"[{section}]" in text, f"{section}.{key} is not documented"


def test_state_file_is_written_atomically_and_never_touches_the_config(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("# my comments\n[ui]\ntheme = \"ibtui-light\"\n")
    before = config.read_text()
    path = cfg.save_state(watchlist=["ES", "NVDA"], theme="ibtui-colorblind")
    assert config.read_text() == before
    assert tomllib.loads(path.read_text())["watchlist"] == ["ES", "NVDA"]
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".state.toml.")], "no temp file left"
    settings = cfg.load(str(config))
    assert settings.watchlist == ["ES", "NVDA"] and settings.ui.theme == "ibtui-colorblind"


def test_env_override_and_path_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "env.toml"
    path.write_text("[connection]\nclient_id = 33\n")
    monkeypatch.setenv("IBTUI_CONFIG", str(path))
    assert cfg.load().connection.client_id == 33
    import os

    out = ibtui("config", "path", env=dict(os.environ))
    assert str(path) in out.stdout


def test_version_and_help() -> None:
    assert ibtui("--version").stdout.startswith("ibtui ")
    for command in ("demo", "sim", "check", "config", "journal", "run"):
        out = ibtui(command, "--help")
        assert out.returncode == 0 and "--config" in out.stdout


def test_market_data_type_is_checked_and_reaches_the_broker(tmp_path) -> None:
    from tui.cli import broker_for

    path = tmp_path / "c.toml"
    path.write_text('[connection]\nmarket_data = "delayed"\n')
    assert broker_for(cfg.load(str(path))).cfg.market_data_type == 3
    path.write_text('[connection]\nmarket_data = "fast"\n')
    with pytest.raises(cfg.ConfigError, match="market_data"):
        cfg.load(str(path))
