"""LIVE or PAPER: one rule, and the desk (status bar, confirmations) and `ibtui check` share it."""

from __future__ import annotations

import pytest

from tui import config as cfg
from tui.core import events as ev
from tui.core.desk import Desk
from tui.core.risk import Limits
from tui.core.session import is_live


@pytest.mark.parametrize("mode,port,accounts,live", [
    ("auto", 7496, (), True),  # a live port, accounts not yet known: assume real money
    ("auto", 4001, (), True),
    ("auto", 7497, (), False),
    ("auto", 7496, ("DU1234567",), False),  # a paper account behind the live port is paper
    ("auto", 7497, ("U1234567",), True),  # a real account behind the paper port is live
    ("paper", 7497, ("U1234567",), True),  # the config cannot make real money paper
    ("paper", 7496, (), False),
    ("live", 7497, ("DU1234567",), True),  # asking for the extra care is always honoured
    ("auto", 7497, ("DU1", "U2"), True),  # one real account among several is enough
    ("auto", 7496, ("DF99",), False),  # a paper FA master
])
def test_one_rule(mode: str, port: int, accounts: tuple[str, ...], live: bool) -> None:
    assert is_live(mode, port, accounts) is live


def test_the_desk_and_the_config_use_that_rule() -> None:
    settings = cfg.Settings()
    settings.connection.port = 7496
    assert settings.is_live, "before connecting, the live port decides"
    desk = Desk(None, Limits(), live=settings.connection.live, port=settings.connection.port)  # type: ignore[arg-type]
    assert desk.is_live
    desk.apply(ev.Connection(ev.ConnState.CONNECTED, accounts=("DU1234567",), port=7496))
    assert not desk.is_live, "a DU account is a paper account, as `ibtui check` says"
