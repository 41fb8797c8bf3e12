"""RFC 8785 canonical JSON: the fast encoder against the rfc8785 package and the RFC's examples."""

from __future__ import annotations

import math
import struct

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from parksteward.ledger import canonical

# RFC 8785 Appendix B: IEEE 754 doubles (hex) and their canonical text
RFC8785_NUMBERS = [
    ("0000000000000000", "0"), ("8000000000000000", "0"), ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"), ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"), ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"), ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"), ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"), ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"), ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"), ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"), ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"), ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"), ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "expected"), RFC8785_NUMBERS)
def test_rfc8785_appendix_b_numbers(bits, expected):
    value = struct.unpack(">d", bytes.fromhex(bits))[0]
    assert canonical.number(value) == expected


def test_rfc8785_section_3_2_4_example():
    # RFC 8785 §3.2.4 input (as Python values) and its canonical output
    value = {"numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001],
             "string": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
             "literals": [None, True, False]}
    expected = ('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
                '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')
    assert canonical.dumps(value).decode("utf-8") == expected


def test_member_order_is_by_utf16_code_units():
    # RFC 8785 §3.2.3: U+FF41 sorts after U+1F600 (the surrogate pair D83D DE00) in UTF-16,
    # though before it by code point
    value = {"\uff41": 1, "\U0001f600": 2, "a": 3, "\r": 4, "1": 5, "\u00f6": 6}
    text = canonical.dumps(value).decode("utf-8")
    assert text == '{"\\r":4,"1":5,"a":3,"\u00f6":6,"\U0001f600":2,"\uff41":1}'
    assert canonical.dumps(value) == rfc8785.dumps(value)


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(min_value=-(2**53 - 1), max_value=2**53 - 1) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_same_bytes_as_the_rfc8785_package(value):
    assert canonical.dumps(value) == rfc8785.dumps(value)


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_round_trip(x):
    text = canonical.number(x)
    assert float(text) == x or (x == 0.0 and text == "0")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 2**53, {1: "a"}, {"a": object()}, "\ud800"])
def test_values_without_a_canonical_form_are_refused(bad):
    with pytest.raises(canonical.CanonicalizationError):
        canonical.dumps(bad)


floatless_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**53 - 1), max_value=2**53 - 1)
    | st.text(alphabet=st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"])),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(
        st.text(alphabet=st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"]), max_size=8), children,
        max_size=5),
    max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(floatless_values)
def test_the_floatless_fast_path_gives_the_same_bytes(value):
    assert canonical.dumps_floatless(value) == canonical.dumps(value) == rfc8785.dumps(value)
