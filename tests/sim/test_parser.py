"""The request parser: tolerant of other clients' encodings, and never anything but ProtocolError on junk."""

from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from ibkit import encoded, future, order, stock
from tui.sim.protocol.codec import FrameBuffer, ProtocolError, split_fields
from tui.sim.protocol.parsers import parse_request
from tui.sim.protocol.requests import PlaceOrder, ReqMktData


def payload_of(frame: bytes) -> bytes:
    buf = FrameBuffer()
    buf.feed(frame)
    (payload,) = list(buf.frames())
    return payload


def rebuild(fields: list[str]) -> bytes:
    return ("\0".join(fields) + "\0").encode()


def test_ibapi_place_order_is_read_field_for_field() -> None:
    o = order("SELL", 3, "STP LMT", lmt=6001.25, aux=6002.5, tif="GTC", ocaGroup="x",
              orderRef="ref-1", parentId=17, transmit=False, outsideRth=True)
    payload = payload_of(encoded("placeOrder", 42, future("ES"), o))
    assert len(split_fields(payload)) == 110
    r = parse_request(payload)
    assert isinstance(r, PlaceOrder)
    assert (r.order_id, r.action, r.quantity, r.order_type) == (42, "SELL", 3.0, "STP LMT")
    assert (r.lmt_price, r.aux_price, r.tif, r.oca_group, r.order_ref) == (6001.25, 6002.5, "GTC", "x", "ref-1")
    assert (r.parent_id, r.transmit, r.outside_rth) == (17, False, True)
    assert r.contract.symbol == "ES" and r.contract.exchange == "CME"


def test_other_clients_encodings_of_unset_and_numbers() -> None:
    fields = split_fields(payload_of(encoded("placeOrder", 7, stock(), order("BUY", 100, "LMT", 10.5))))
    # what other clients write: "" for the max double, 100.0 quantities, Infinite, unset ints
    variants = []
    swapped = [("" if f == "1.7976931348623157e+308" else f) for f in fields]
    variants.append(swapped)
    doubles = {20, 52, 55, 57, 58, 59, 60, 61, 63, 66, 69, 70, 73}  # unset doubles sent as ""
    variants.append([("1.7976931348623157E308" if i in doubles else f.replace("e+308", "E308"))
                     for i, f in enumerate(fields)])
    qty = list(fields)
    qty[17] = "100.0"
    variants.append(qty)
    inf = list(fields)
    inf[61] = "Infinite"  # stockRangeUpper
    inf[46] = "2147483647"  # exemptCode as unset int
    variants.append(inf)
    opens = list(fields)
    opens[24] = "O"  # openClose
    opens[53] = opens[54] = "0"  # eTradeOnly / firmQuoteOnly
    variants.append(opens)
    for variant in variants:
        r = parse_request(rebuild(variant))
        assert isinstance(r, PlaceOrder)
        assert (r.order_id, r.quantity, r.lmt_price, r.order_type) == (7, 100.0, 10.5, "LMT")


def test_req_mkt_data_with_and_without_optional_tail() -> None:
    fields = split_fields(payload_of(encoded("reqMktData", 5, future("NQ"), "233,236", False, False, [])))
    assert len(fields) == 20
    full = parse_request(rebuild(fields))
    short = parse_request(rebuild(fields[:-2]))  # an older client without regulatory/options
    for r in (full, short):
        assert isinstance(r, ReqMktData) and r.req_id == 5 and r.contract.symbol == "NQ"
    assert full.generic_ticks == "233,236"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12),
                min_size=1, max_size=140),
       st.sampled_from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 20, 49, 61, 62, 76, 81, 92, 94, 97, 99]))
def test_fuzzed_requests_raise_only_protocol_errors(fields: list[str], msg_id: int) -> None:
    try:
        parse_request(rebuild([str(msg_id), *fields]))
    except ProtocolError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_fuzzed_bytes_raise_only_protocol_errors(data: bytes) -> None:
    buf = FrameBuffer(max_frame=256)
    buf.feed(struct.pack(">I", len(data)) + data)
    try:
        for payload in buf.frames():
            parse_request(payload)
    except ProtocolError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 110), st.sampled_from(["", "x", "1e400", "-5", "nan", "9" * 30, "1.5"]))
def test_every_place_order_field_survives_odd_values(position: int, value: str) -> None:
    fields = split_fields(payload_of(encoded("placeOrder", 9, stock(), order("BUY", 1, "LMT", 1.0))))
    if position < len(fields):
        fields[position] = value
    try:
        parse_request(rebuild(fields))
    except ProtocolError:
        pass
