"""The HJ 212 Annex A checksum and the CRC-16/MODBUS variants (parksteward.hj212.checksum).

Expected values are published numbers (the standard's Annex A example, the CRC catalogue's
check value) or the reference's recomputed example checksums (hj212.md §11); properties are
checked against the bit-by-bit implementation in ``tests/hj212/independent.py``.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parksteward.hj212 import checksum as crc
from tests.hj212.independent import (
    HOURLY_REPLY,
    HOURLY_UPLOAD,
    STANDARD_EXAMPLE,
    annex_a_bitwise,
    modbus_bitwise,
    segment_of,
)

PROPERTY = settings(max_examples=200, deadline=None)

ANNEX_A_SEGMENT = segment_of(STANDARD_EXAMPLE)


def test_annex_a_example_segment_is_101_bytes():
    # HJ 212-2017 Annex A example: "##0101" declares a 101-byte data segment (hj212.md §4.2)
    assert len(ANNEX_A_SEGMENT) == 101
    assert ANNEX_A_SEGMENT.startswith(b"QN=") and ANNEX_A_SEGMENT.endswith(b"&&")


def test_annex_a_standard_example():
    # HJ 212-2017 Annex A example frame prints 1C80 (the "1C08" in the sentence is a misprint, hj212.md §4.2)
    assert crc.annex_a(ANNEX_A_SEGMENT) == 0x1C80
    assert crc.format_checksum(crc.annex_a(ANNEX_A_SEGMENT)) == "1C80"


def test_annex_a_is_not_modbus_on_the_standard_example():
    # hj212.md §4.2: CRC-16/MODBUS over the same 101 bytes is 0759
    assert crc.modbus(ANNEX_A_SEGMENT) == 0x0759
    assert crc.annex_a(ANNEX_A_SEGMENT) != crc.modbus(ANNEX_A_SEGMENT)


@pytest.mark.parametrize(
    ("frame", "length", "expected"),
    [
        (HOURLY_UPLOAD, 535, 0xD201),  # hj212.md §11 frame 2: 535-byte hourly upload, checksum D201
        (HOURLY_REPLY, 87, 0x30C0),  # hj212.md §11 frame 3: 87-byte 9014 reply, checksum 30C0
    ],
)
def test_annex_a_reference_constructed_frames(frame, length, expected):
    segment = segment_of(frame)
    assert len(segment) == length
    assert crc.annex_a(segment) == expected


def test_independent_implementation_agrees_with_published_values():
    # guards the test-side oracle itself: hj212.md §4.2 (1C80, Modbus 0759) and §11 (D201, 30C0)
    assert annex_a_bitwise(ANNEX_A_SEGMENT) == 0x1C80
    assert modbus_bitwise(ANNEX_A_SEGMENT) == 0x0759
    assert annex_a_bitwise(segment_of(HOURLY_UPLOAD)) == 0xD201
    assert annex_a_bitwise(segment_of(HOURLY_REPLY)) == 0x30C0
    assert modbus_bitwise(b"123456789") == 0x4B37  # CRC catalogue check value of CRC-16/MODBUS


def test_modbus_check_value():
    # Catalogue of parametrised CRC algorithms (Greg Cook), CRC-16/MODBUS: check = 0x4B37 for "123456789"
    assert crc.modbus(b"123456789") == 0x4B37


def test_empty_input_leaves_the_initial_register():
    # hand calculation: no byte, no step; both algorithms start at FFFF (hj212.md §4.1, §4.4)
    assert crc.annex_a(b"") == 0xFFFF
    assert crc.modbus(b"") == 0xFFFF


def test_format_checksum_is_four_upper_case_hex_digits_high_byte_first():
    # hj212.md §4.1: "written as 4 hex digits, high byte first (e.g. "1C80")"
    assert crc.format_checksum(0x1C80) == "1C80"
    assert crc.format_checksum(0x0759) == "0759"
    assert crc.format_checksum(0x00C1) == "00C1"


def test_swap_bytes():
    # hand calculation: 0759 with its two bytes exchanged is 5907
    assert crc.swap_bytes(0x0759) == 0x5907
    assert crc.swap_bytes(0x5907) == 0x0759


# ---------------------------------------------------------------- match_variant
def test_match_variant_annex_a():
    assert crc.match_variant(ANNEX_A_SEGMENT, 0x1C80) is crc.Variant.ANNEX_A  # Annex A example


def test_match_variant_modbus():
    assert crc.match_variant(ANNEX_A_SEGMENT, 0x0759) is crc.Variant.MODBUS  # hj212.md §4.2 Modbus value


def test_match_variant_modbus_byte_swapped():
    # hj212.md §4.4: Modbus CRC in wire order, 0759 swapped = 5907
    assert crc.match_variant(ANNEX_A_SEGMENT, 0x5907) is crc.Variant.MODBUS_SWAPPED


def test_match_variant_none_for_the_misprint():
    # hj212.md §4.2: "1C08" (the misprint in the standard's sentence) is wrong
    assert crc.match_variant(ANNEX_A_SEGMENT, 0x1C08) is None


def test_match_variant_modbus_check_value():
    # CRC catalogue check value 4B37 for "123456789"; swapped 374B
    assert crc.match_variant(b"123456789", 0x4B37) is crc.Variant.MODBUS
    assert crc.match_variant(b"123456789", 0x374B) is crc.Variant.MODBUS_SWAPPED


# ---------------------------------------------------------------- properties
ANNEX_A_LOW_BYTES = {0x00, 0x01, 0x40, 0x41, 0x80, 0x81, 0xC0, 0xC1}  # hj212.md §4.3


@PROPERTY
@given(st.binary(min_size=1, max_size=300))
def test_annex_a_low_byte_is_one_of_eight(data):
    # hj212.md §4.3: the low byte of a valid checksum is always one of 00 01 40 41 80 81 C0 C1
    assert crc.annex_a(data) & 0xFF in ANNEX_A_LOW_BYTES


@PROPERTY
@given(st.binary(max_size=300))
def test_annex_a_matches_the_bitwise_pseudo_code(data):
    assert crc.annex_a(data) == annex_a_bitwise(data)


@PROPERTY
@given(st.binary(max_size=300))
def test_modbus_matches_the_bitwise_definition(data):
    assert crc.modbus(data) == modbus_bitwise(data)


@PROPERTY
@given(st.binary(min_size=1, max_size=300), st.binary(min_size=1, max_size=1))
def test_annex_a_depends_only_on_the_last_byte_and_the_register_before_it(prefix, last):
    # hj212.md §4.3: the result is T[(previous_reg >> 8) XOR last_byte] with T the CRC-16/ARC table,
    # i.e. the bitwise loop run on one byte starting from a register whose low byte is zero
    previous = annex_a_bitwise(prefix)
    reg = (previous >> 8) ^ last[0]
    for _ in range(8):
        reg = (reg >> 1) ^ 0xA001 if reg & 1 else reg >> 1
    assert crc.annex_a(prefix + last) == reg


@PROPERTY
@given(st.binary(min_size=1, max_size=300))
def test_match_variant_recognises_each_variant(data):
    annex, mod = annex_a_bitwise(data), modbus_bitwise(data)
    assert crc.match_variant(data, annex) is crc.Variant.ANNEX_A
    if mod != annex:
        assert crc.match_variant(data, mod) is crc.Variant.MODBUS
    swapped = ((mod & 0xFF) << 8) | (mod >> 8)
    if swapped not in (annex, mod):
        assert crc.match_variant(data, swapped) is crc.Variant.MODBUS_SWAPPED
    others = {annex, mod, swapped}
    wrong = next(v for v in range(0x10000) if v not in others)
    assert crc.match_variant(data, wrong) is None
