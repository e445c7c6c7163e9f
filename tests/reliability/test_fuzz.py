"""Property-based fuzzing of the config loader and the order ticket's inputs.

(The gateway's request parser is fuzzed in tests/sim/test_parser.py.)
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tui import config as cfg
from tui.core.contracts import Contract, ContractSpec
from tui.core.risk import Context, Limits, check
from tui.core.ticket import parse_ticket

ES = ContractSpec(Contract("ES", "FUT", "CME", con_id=1), 0.25, 50.0)

scalars = st.one_of(st.booleans(), st.integers(-10**12, 10**12),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20))
values = st.recursive(scalars,
                      lambda inner: st.one_of(st.lists(inner, max_size=5),
                                              st.dictionaries(st.text(max_size=12), inner, max_size=5)),
                      max_leaves=20)
known = st.sampled_from(["connection", "ui", "watchlist", "orders", "risk", "keymap", "paths", "other"])


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(known, values, max_size=6))
def test_any_document_loads_or_fails_with_a_config_error(doc: dict) -> None:
    settings_ = cfg.Settings()
    try:
        cfg.apply_document(settings_, doc, "fuzz.toml")
    except cfg.ConfigError as e:
        assert str(e).startswith("fuzz.toml: ")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_toml_text_loads_or_fails_with_a_config_error(text: str) -> None:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "c.toml"
        path.write_text(text)
        try:
            cfg.load(str(path), with_state=False)
        except cfg.ConfigError as e:
            assert str(path) in str(e)


typed = st.one_of(st.text(max_size=12), st.sampled_from(["", "1", "0", "-3", "1e9", "nan", "inf", "6000.25",
                                                         "6000.1", "1,000", " 5 ", "0x10", "1_000", "25k", "1.5m",
                                                         "1.2345k", "infk", "1e400k", "-2k", "k"]))


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["BUY", "SELL", "HOLD"]), st.sampled_from(["LMT", "MKT", "STP", "STP LMT", "X"]),
       typed, typed, typed, st.sampled_from(["DAY", "GTC", "IOC"]), st.booleans())
def test_ticket_inputs_never_crash_and_never_pass_bad_orders(side, kind, qty, lmt, stop, tif, rth) -> None:
    intent, problem = parse_ticket(ES, side, kind, qty, lmt, stop, tif, rth)
    assert (intent is None) == bool(problem)
    if intent is None:
        return
    verdict = check(intent, Context(bid=6000.0, ask=6000.25, last=6000.0, data_age=0.1), Limits())
    if verdict.ok:
        assert intent.quantity > 0 and float(intent.quantity).is_integer()
        for price in (intent.lmt_price, intent.aux_price):
            assert price is None or (price > 0 and abs(price / 0.25 - round(price / 0.25)) < 1e-6)
