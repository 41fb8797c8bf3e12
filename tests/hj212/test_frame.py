"""Parsing, building and replying to single HJ 212 frames (parksteward.hj212.frame).

Golden frames are the ones published in the project reference (hj212.md §11, including the
standard's Annex A example). Every other frame is built here with the test-side, bit-by-bit
Annex A checksum of ``tests/hj212/independent.py``; expected field values are read off the
frame text by hand, never produced by the code under test.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parksteward.hj212 import (
    BadChecksum,
    BadEncoding,
    BadHeader,
    BadLength,
    BadTail,
    Hj212Error,
    MalformedSegment,
    OverLong,
    Truncated,
    build_frame,
    build_reply,
    parse_frame,
    wrap_segment,
)
from parksteward.hj212.checksum import Variant
from parksteward.hj212.frame import encode_segment
from tests.hj212.independent import (
    HOURLY_REPLY,
    HOURLY_UPLOAD,
    STANDARD_EXAMPLE,
    annex_a_bitwise,
    make_frame,
    segment_of,
)

PROPERTY = settings(max_examples=200, deadline=None)

MN_2017 = "AB12CD34EF5600000000F001"  # hj212.md §11 frames 2 and 3
MN_2005 = "88888880000001"  # a 14-character 2005-style MN (hj212.md §1)


def with_length(frame: bytes, declared: str) -> bytes:
    """The same frame with another four-digit length field."""
    return frame[:2] + declared.encode() + frame[6:]


def with_checksum(frame: bytes, printed: str) -> bytes:
    return frame[:-6] + printed.encode() + frame[-2:]


# ---------------------------------------------------------------- the standard's example
class TestStandardExample:
    """HJ 212-2017 Annex A example (hj212.md §4.2 / §11 frame 1)."""

    @property
    def frame(self):
        return parse_frame(STANDARD_EXAMPLE)

    def test_header_fields(self):
        f = self.frame
        assert f.header == (
            ("QN", "20160801085857223"), ("ST", "32"), ("CN", "1062"), ("PW", "100000"),
            ("MN", "010000A8900016F000169DC0"), ("Flag", "5"),
        )
        assert (f.qn, f.st, f.cn, f.pw, f.mn) == (
            "20160801085857223", "32", "1062", "100000", "010000A8900016F000169DC0")
        assert f.pnum is None and f.pno is None

    def test_flag_bits(self):
        # Flag=5 = 0b000001_0_1: version bits 1 (2017), D=0, A=1 (hj212.md §5 Flag table)
        flag = self.frame.flag
        assert flag.raw == 5
        assert flag.version_bits == 1
        assert flag.d is False
        assert flag.a is True
        assert self.frame.version == "2017"
        assert self.frame.declared_version == "2017"

    def test_data_area(self):
        assert self.frame.cp == (("RtdInterval", "30"),)
        assert self.frame.item("RtdInterval") == "30"
        assert self.frame.values() == []
        assert self.frame.data_time is None
        assert self.frame.code_system is None  # no factor code in a 1062 request

    def test_checksum_length_and_no_warnings(self):
        assert self.frame.checksum_variant is Variant.ANNEX_A
        assert self.frame.declared_length == 101
        assert self.frame.warnings == ()

    def test_segment_re_encodes_byte_identically(self):
        assert self.frame.segment == segment_of(STANDARD_EXAMPLE)
        assert wrap_segment(self.frame.segment) == STANDARD_EXAMPLE

    def test_build_frame_reproduces_it(self):
        raw = build_frame(st="32", cn="1062", pw="100000", mn="010000A8900016F000169DC0",
                          qn="20160801085857223", flag=5, cp=[("RtdInterval", "30")])
        assert raw == STANDARD_EXAMPLE


# ---------------------------------------------------------------- the hourly upload (§11 frame 2)
# (code, code_2017, field, value, flag), read off hj212.md §11 frame 2 in order; flags excluded.
HOURLY_VALUES = [
    ("a00000", "a00000", "Cou", "61200.0", "N"), ("a00000", "a00000", "Min", "16.2", "N"),
    ("a00000", "a00000", "Avg", "17.0", "N"), ("a00000", "a00000", "Max", "17.9", "N"),
    ("a19001", "a19001", "Min", "8.9", "N"), ("a19001", "a19001", "Avg", "9.4", "N"),
    ("a19001", "a19001", "Max", "10.1", "N"),
    ("a21026", "a21026", "Cou", "1.52", "N"), ("a21026", "a21026", "Min", "21.0", "N"),
    ("a21026", "a21026", "Avg", "24.8", "N"), ("a21026", "a21026", "Max", "29.3", "N"),
    ("a21026", "a21026", "ZsAvg", "25.7", "N"),
    ("a21002", "a21002", "Cou", "2.87", "N"), ("a21002", "a21002", "Min", "40.5", "N"),
    ("a21002", "a21002", "Avg", "46.9", "N"), ("a21002", "a21002", "Max", "55.0", "N"),
    ("a21002", "a21002", "ZsAvg", "48.5", "N"),
    ("a34013", "a34013", "Cou", "0.20", "N"), ("a34013", "a34013", "Min", "2.8", "N"),
    ("a34013", "a34013", "Avg", "3.3", "N"), ("a34013", "a34013", "Max", "4.1", "N"),
    ("a34013", "a34013", "ZsAvg", "3.4", "N"),
]


class TestHourlyUpload:
    """hj212.md §11 frame 2: 2017 hourly upload (CN 2061) from a stack CEMS."""

    @property
    def frame(self):
        return parse_frame(HOURLY_UPLOAD)

    def number(self, code: str, field: str) -> float:
        [value] = [v for v in self.frame.values() if (v.code, v.field) == (code, field)]
        return value.number

    def test_header_fields(self):
        f = self.frame
        assert f.header == (("QN", "20250315100000123"), ("ST", "31"), ("CN", "2061"), ("PW", "123456"),
                            ("MN", MN_2017), ("Flag", "5"))
        assert f.flag.raw == 5 and f.flag.a is True and f.flag.d is False
        assert f.version == "2017"
        assert f.code_system == "2017"  # 6-character a-codes
        assert f.declared_length == 535
        assert f.warnings == ()

    def test_data_time_is_the_start_of_the_hour(self):
        # hj212.md §5.1: on a 2061 frame DataTime is the start of the period (09:00-10:00)
        assert self.frame.data_time == datetime(2025, 3, 15, 9, 0, 0)

    def test_data_area_items_in_order(self):
        cp = self.frame.cp
        assert len(cp) == 28  # 1 DataTime + 5 + 4 + 6 + 6 + 6 items, counted by hand
        assert cp[0] == ("DataTime", "20250315090000")
        assert cp[1] == ("a00000-Cou", "61200.0")
        assert cp[5] == ("a00000-Flag", "N")
        assert cp[-1] == ("a34013-Flag", "N")

    def test_values_with_flags(self):
        got = [(v.code, v.code_2017, v.field, v.value, v.flag) for v in self.frame.values()]
        assert got == HOURLY_VALUES

    def test_flow_amount_is_mean_flow_times_3600(self):
        # hj212.md §11: a00000-Cou = 17.0 m3/s x 3600 s = 61200 m3
        assert self.number("a00000", "Avg") * 3600 == pytest.approx(61200.0, abs=1e-9)
        assert self.number("a00000", "Cou") == pytest.approx(61200.0, abs=1e-9)

    def test_so2_amount_is_concentration_times_volume(self):
        # hj212.md §11: a21026-Cou ~ 24.8 mg/m3 x 61200 m3 x 1e-6 = 1.51776 kg, printed to 2 decimals
        assert self.number("a21026", "Cou") == pytest.approx(24.8 * 61200 * 1e-6, abs=0.005)

    @pytest.mark.parametrize("code", ["a21026", "a21002", "a34013"])
    def test_corrected_means_use_reference_oxygen_9_percent(self, code):
        # hj212.md §11 / §12.3: ZsAvg = Avg x (21 - 9)/(21 - O2), O2 = a19001-Avg = 9.4 %;
        # the printed values have one decimal, so agree to within half a unit of it
        o2 = self.number("a19001", "Avg")
        assert o2 == 9.4
        expected = self.number(code, "Avg") * (21 - 9) / (21 - o2)
        assert self.number(code, "ZsAvg") == pytest.approx(expected, abs=0.05)

    def test_build_frame_reproduces_it_byte_for_byte(self):
        # ',' within a factor, ';' between factors (hj212.md §5.1) gives exactly the published frame
        raw = build_frame(st="31", cn="2061", pw="123456", mn=MN_2017, qn="20250315100000123", flag=5,
                          cp=list(self.frame.cp))
        assert raw == HOURLY_UPLOAD


class TestReplies:
    def test_9014_reply_reproduces_section_11_frame_3(self):
        # hj212.md §11 frame 3 is the centre's answer to frame 2
        assert build_reply(parse_frame(HOURLY_UPLOAD)) == HOURLY_REPLY

    def test_reply_frame_3_parses(self):
        f = parse_frame(HOURLY_REPLY)
        assert (f.qn, f.st, f.cn, f.pw, f.mn) == ("20250315100000123", "91", "9014", "123456", MN_2017)
        assert f.flag.raw == 4 and f.flag.a is False  # Flag=4: 2017, no reply (hj212.md §5)
        assert f.cp == ()  # CP=&&&&

    @pytest.mark.parametrize(("cn", "result", "area"), [
        ("9011", "1", "QnRtn=1"),  # hj212.md §10: CP=&&QnRtn=n&&
        ("9012", "100", "ExeRtn=100"),  # hj212.md §10: CP=&&ExeRtn=n&&
        ("9013", None, ""),  # hj212.md §10: CP=&&&& for 9013
    ])
    def test_other_replies(self, cn, result, area):
        request = parse_frame(STANDARD_EXAMPLE)
        expected = make_frame(f"QN=20160801085857223;ST=91;CN={cn};PW=100000;MN=010000A8900016F000169DC0;"
                              f"Flag=4;CP=&&{area}&&")
        assert build_reply(request, cn=cn, result=result) == expected


# ---------------------------------------------------------------- 2005 frames
WATER_2005 = (f"ST=32;CN=2011;PW=123456;MN={MN_2005};CP=&&DataTime=20040516020111;"
              "011-Rtd=50.6,011-Flag=N;060-Rtd=3.20,060-Flag=N;B01-Rtd=12.5,B01-Flag=N&&")
AIR_2005 = (f"QN=20040516020111001;ST=31;CN=2011;PW=123456;MN={MN_2005};Flag=1;CP=&&DataTime=20040516020111;"
            "02-Rtd=35.2,02-Flag=N;B02-Rtd=12.5;S01-Rtd=8.9,S01-Flag=N&&")


class Test2005:
    def test_flag_absent_means_2005(self):
        # hj212.md §1 detection order: Flag absent -> 2005
        f = parse_frame(make_frame(WATER_2005))
        assert f.flag is None
        assert f.declared_version is None
        assert f.version == "2005"
        assert f.qn is None
        assert f.mn == MN_2005

    def test_water_codes_map_to_2017(self):
        # hj212.md §9.2: 011 -> w01018 (COD), 060 -> w21003 (NH3-N), B01 -> w00000 (wastewater flow)
        f = parse_frame(make_frame(WATER_2005))
        got = [(v.code, v.code_2017, v.field, v.value, v.flag) for v in f.values()]
        assert got == [("011", "w01018", "Rtd", "50.6", "N"), ("060", "w21003", "Rtd", "3.20", "N"),
                       ("B01", "w00000", "Rtd", "12.5", "N")]
        assert f.code_system == "2005"
        assert f.data_time == datetime(2004, 5, 16, 2, 1, 11)

    def test_air_codes_map_to_2017(self):
        # hj212.md §9.1: 02 -> a21026 (SO2), B02 -> a00000 (flue-gas flow), S01 -> a19001 (O2)
        f = parse_frame(make_frame(AIR_2005))
        got = [(v.code, v.code_2017, v.field, v.value, v.flag) for v in f.values()]
        assert got == [("02", "a21026", "Rtd", "35.2", "N"), ("B02", "a00000", "Rtd", "12.5", None),
                       ("S01", "a19001", "Rtd", "8.9", "N")]
        assert f.code_system == "2005"
        assert f.version == "2005"

    @pytest.mark.parametrize(("raw", "d", "a"), [(0, False, False), (1, False, True), (2, True, False),
                                                 (3, True, True)])
    def test_flag_0_to_3(self, raw, d, a):
        # hj212.md §5: Flag 0/1/2/3 = 2005, no reply / reply / split / split + reply
        f = parse_frame(make_frame(f"ST=32;CN=2011;PW=123456;MN={MN_2005};Flag={raw};CP=&&011-Rtd=50.6&&"))
        assert f.flag.raw == raw
        assert f.flag.version_bits == 0
        assert (f.flag.d, f.flag.a) == (d, a)
        assert f.version == "2005"
        assert f.declared_version == "2005"

    def test_reply_to_2005_frame_uses_flag_0_and_qn_in_cp(self):
        # hj212.md §10: Flag=0 for a 2005 device; the answer's echoed QN sits inside CP when the
        # 2005 frame has no header QN
        request = parse_frame(make_frame(
            f"ST=32;CN=2011;PW=123456;MN={MN_2005};Flag=1;CP=&&QN=20040516020111001;011-Rtd=50.6&&"))
        expected = make_frame(f"ST=91;CN=9014;PW=123456;MN={MN_2005};Flag=0;CP=&&QN=20040516020111001&&")
        assert build_reply(request) == expected

    def test_reply_to_2005_frame_with_header_qn_uses_flag_0_and_echoes_qn(self):
        reply = parse_frame(build_reply(parse_frame(make_frame(AIR_2005))))
        assert reply.flag.raw == 0  # hj212.md §10: version bits 0 for a 2005 device
        assert (reply.st, reply.cn, reply.pw, reply.mn) == ("91", "9014", "123456", MN_2005)
        assert "20040516020111001" in (reply.qn, reply.item("QN"))


class TestVersions:
    @pytest.mark.parametrize(("raw", "d", "a"), [(8, False, False), (9, False, True), (10, True, False),
                                                 (11, True, True)])
    def test_flag_8_to_11_is_2025(self, raw, d, a):
        # hj212.md §1 / §5: version bits 000010 (Flag 8-11) = 2025
        f = parse_frame(make_frame(f"QN=20260101000000000;ST=31;CN=2011;PW=123456;MN={MN_2017};Flag={raw};"
                                   "CP=&&a21026-Rtd=24.8&&"))
        assert f.flag.version_bits == 2
        assert (f.flag.d, f.flag.a) == (d, a)
        assert f.version == "2025"

    def test_declared_version_and_code_system_are_both_recorded(self):
        # hj212.md §1 step 4: a published 2021 example with 2017 content carries Flag=8
        f = parse_frame(make_frame(f"QN=20210101000000000;ST=31;CN=2011;PW=123456;MN={MN_2017};Flag=8;"
                                   "CP=&&DataTime=20210101000000;a21026-Rtd=24.8,a21026-Flag=N&&"))
        assert f.declared_version == "2025"
        assert f.code_system == "2017"

    @pytest.mark.parametrize(("raw", "bits"), [(12, 3), (13, 3), (255, 63)])
    def test_unknown_version_bits_keep_the_number(self, raw, bits):
        # hj212.md §1: other version bits -> unknown, keep the number (12 >> 2 = 3, 255 >> 2 = 63)
        f = parse_frame(make_frame(f"QN=20250101000000000;ST=31;CN=2011;PW=1;MN=1;Flag={raw};CP=&&&&"))
        assert f.flag.version_bits == bits
        assert f.declared_version == f"unknown:{bits}"
        assert f.version == f"unknown:{bits}"


# ---------------------------------------------------------------- typed errors
class TestErrors:
    def test_errors_are_value_errors_with_a_kind(self):
        with pytest.raises(Hj212Error) as info:
            parse_frame(with_checksum(STANDARD_EXAMPLE, "1C08"))
        assert isinstance(info.value, ValueError)
        assert info.value.kind == "bad_checksum"

    def test_bad_checksum_names_both_values(self):
        # hj212.md §4.2: the misprinted 1C08 is wrong, 1C80 is right
        with pytest.raises(BadChecksum) as info:
            parse_frame(with_checksum(STANDARD_EXAMPLE, "1C08"))
        assert "1C08" in info.value.message and "1C80" in info.value.message

    def test_bad_checksum_on_a_constructed_frame(self):
        segment = f"QN=20250315100000123;ST=31;CN=2011;PW=123456;MN={MN_2017};Flag=5;CP=&&a21026-Rtd=24.8&&"
        expected = f"{annex_a_bitwise(segment.encode()):04X}"
        wrong = "0000" if expected != "0000" else "0001"
        with pytest.raises(BadChecksum) as info:
            parse_frame(make_frame(segment, checksum=int(wrong, 16)), policy="lenient")
        assert wrong in info.value.message and expected in info.value.message

    @pytest.mark.parametrize(("printed", "variant"), [("0759", Variant.MODBUS), ("5907", Variant.MODBUS_SWAPPED)])
    def test_modbus_variant_rejected_in_strict(self, printed, variant):
        # hj212.md §4.2/§4.4: Modbus over the example is 0759 (5907 byte-swapped): reject in strict mode
        with pytest.raises(BadChecksum) as info:
            parse_frame(with_checksum(STANDARD_EXAMPLE, printed))
        assert printed in info.value.message and "1C80" in info.value.message

    @pytest.mark.parametrize(("printed", "variant"), [("0759", Variant.MODBUS), ("5907", Variant.MODBUS_SWAPPED)])
    def test_modbus_variant_accepted_with_warning_in_lenient(self, printed, variant):
        f = parse_frame(with_checksum(STANDARD_EXAMPLE, printed), policy="lenient")
        assert f.checksum_variant is variant
        assert len(f.warnings) == 1 and printed in f.warnings[0]
        assert f.qn == "20160801085857223"

    def test_unknown_policy(self):
        with pytest.raises(ValueError, match="strict"):
            parse_frame(STANDARD_EXAMPLE, policy="paranoid")

    @pytest.mark.parametrize("declared", ["0099", "0100", "0097", "0102", "0104", "0105", "0201"])
    def test_bad_length_names_declared_and_actual(self, declared):
        # the standard example's data segment is 101 bytes (hj212.md §4.2)
        with pytest.raises(BadLength) as info:
            parse_frame(with_length(STANDARD_EXAMPLE, declared), policy="lenient")
        assert f"{int(declared)}" in info.value.message and "101" in info.value.message
        assert info.value.details["declared"] == int(declared)
        assert info.value.details["actual"] == 101

    @pytest.mark.parametrize("cut", [6, 50, 107, 110])
    def test_truncated(self, cut):
        with pytest.raises(Truncated) as info:
            parse_frame(STANDARD_EXAMPLE[:cut])
        assert str(cut) in info.value.message and "113" in info.value.message  # 2 + 4 + 101 + 4 + 2 bytes

    @pytest.mark.parametrize("raw", [b"", b"#", b"#0101QN=1", b"@@0101QN=1"])
    def test_bad_start(self, raw):
        with pytest.raises(BadHeader):
            parse_frame(raw)

    @pytest.mark.parametrize("digits", [b"01a1", b" 101", b"010"])
    def test_length_field_not_four_digits(self, digits):
        with pytest.raises(BadHeader) as info:
            parse_frame(b"##" + digits + STANDARD_EXAMPLE[6:] if len(digits) == 4 else b"##" + digits)
        assert "4 decimal digits" in info.value.message

    @pytest.mark.parametrize("tail", [b"\n", b""])
    def test_odd_tail_rejected_in_strict(self, tail):
        with pytest.raises(BadTail) as info:
            parse_frame(STANDARD_EXAMPLE[:-2] + tail)
        assert "\\r\\n" in info.value.message

    @pytest.mark.parametrize("tail", [b"\n", b""])
    def test_lf_only_or_no_tail_accepted_with_warning_in_lenient(self, tail):
        # hj212.md §4.4: LF only, or no tail -> accept with a warning
        f = parse_frame(STANDARD_EXAMPLE[:-2] + tail, policy="lenient")
        assert f.qn == "20160801085857223"
        assert len(f.warnings) == 1 and "tail" in f.warnings[0]

    @pytest.mark.parametrize("tail", [b"\r", b"XY", b"\r\n\r\n", b"\n\r"])
    def test_other_tails_rejected_even_in_lenient(self, tail):
        with pytest.raises(BadTail) as info:
            parse_frame(STANDARD_EXAMPLE[:-2] + tail, policy="lenient")
        assert repr(tail)[2:-1] in info.value.message

    def test_over_long_against_the_guard(self):
        # hj212.md §11 frame 2 has a 535-byte data segment
        with pytest.raises(OverLong) as info:
            parse_frame(HOURLY_UPLOAD, length_guard=500)
        assert "535" in info.value.message and "500" in info.value.message
        assert parse_frame(HOURLY_UPLOAD, length_guard=535).declared_length == 535

    def test_over_long_by_default_guard(self):
        with pytest.raises(OverLong):
            parse_frame(b"##9999" + STANDARD_EXAMPLE[6:])

    def test_segment_over_1024_accepted_with_warning(self):
        # hj212.md §3/§4.4: data segment > 1024 -> accept up to the guard, warn
        items = ";".join(f"a21026-Rtd={i:04d}.5" for i in range(60))
        segment = f"QN=20250315100000123;ST=31;CN=2011;PW=123456;MN={MN_2017};Flag=4;CP=&&{items}&&"
        assert len(segment) > 1024
        f = parse_frame(make_frame(segment))
        assert len(f.values()) == 60
        assert len(f.warnings) == 1
        assert str(len(segment)) in f.warnings[0] and "1024" in f.warnings[0]

    def test_segment_of_exactly_1024_has_no_warning(self):
        # hj212.md §3: the standard allows 0-1024
        head = f"QN=20250315100000123;ST=31;CN=2011;PW=123456;MN={MN_2017};Flag=4;CP=&&i11001-Info=//"
        segment = head + "x" * (1024 - len(head) - 4) + "//&&"
        assert len(segment) == 1024
        assert parse_frame(make_frame(segment)).warnings == ()

    def test_malformed_header_field(self):
        raw = make_frame(f"QN=20250315100000123;ST31;CN=2011;PW=123456;MN={MN_2017};Flag=4;CP=&&&&")
        with pytest.raises(MalformedSegment) as info:
            parse_frame(raw)
        assert "ST31" in info.value.message

    def test_missing_cp(self):
        raw = make_frame(f"QN=20250315100000123;ST=31;CN=2011;PW=123456;MN={MN_2017};Flag=4;&&")
        with pytest.raises(MalformedSegment) as info:
            parse_frame(raw)
        assert "CP=&&" in info.value.message

    def test_data_area_not_closed(self):
        raw = make_frame(f"QN=20250315100000123;ST=31;CN=2011;PW=123456;MN={MN_2017};Flag=4;CP=&&a21026-Rtd=1")
        with pytest.raises(MalformedSegment):
            parse_frame(raw)

    def test_data_area_item_without_equals(self):
        raw = make_frame(f"QN=20250315100000123;ST=31;CN=2011;PW=1;MN={MN_2017};Flag=4;CP=&&a21026-Rtd&&")
        with pytest.raises(MalformedSegment) as info:
            parse_frame(raw)
        assert "a21026-Rtd" in info.value.message

    def test_non_utf8_segment(self):
        segment = f"QN=20250315100000123;ST=31;CN=3020;PW=1;MN={MN_2017};Flag=4;CP=&&i11001-Info=//".encode()
        offset = len(segment)
        raw = make_frame(segment + b"\xff\xfe//&&")
        with pytest.raises(BadEncoding) as info:
            parse_frame(raw)
        assert str(offset) in info.value.message and "xff" in info.value.message

    @pytest.mark.parametrize("flag", ["X", "5a", "-1", "256", "", "4.0"])
    def test_flag_not_an_integer_0_to_255(self, flag):
        # hj212.md §5: Flag is an integer 0-255
        raw = make_frame(f"QN=20250315100000123;ST=31;CN=2011;PW=1;MN={MN_2017};Flag={flag};CP=&&&&")
        with pytest.raises(MalformedSegment) as info:
            parse_frame(raw)
        assert repr(flag) in info.value.message

    def test_a_repeated_flag_is_validated_as_read(self):
        raw = make_frame(f"QN=20250315100000123;ST=31;CN=2011;PW=1;MN={MN_2017};Flag=X;Flag=5;CP=&&&&")
        with pytest.raises(MalformedSegment):
            parse_frame(raw)

    # Flag, PNUM/PNO and DataTime accept ASCII digits only: str.isdigit() also takes Unicode digits
    # such as '²' (U+00B2, valid UTF-8) that int() rejects.
    def test_flag_with_a_unicode_digit_is_malformed(self):
        raw = make_frame(f"QN=20250315100000123;ST=31;CN=2011;PW=1;MN={MN_2017};Flag=\u00b2;CP=&&&&")
        with pytest.raises(MalformedSegment):
            parse_frame(raw)

    def test_pnum_with_a_unicode_digit_is_none(self):
        f = parse_frame(make_frame(f"QN=20250315100000123;ST=31;CN=2011;PW=1;MN={MN_2017};Flag=7;"
                                   "PNUM=\u00b2;PNO=1;CP=&&&&"))
        assert f.pnum is None  # like any other non-numeric PNUM

    def test_data_time_with_unicode_digits_is_none(self):
        f = parse_frame(make_frame(f"QN=20250315100000123;ST=31;CN=2061;PW=1;MN={MN_2017};Flag=5;"
                                   "CP=&&DataTime=20250315090000\u00b2\u00b2\u00b2&&"))
        assert f.data_time is None  # like any other malformed DataTime


# ---------------------------------------------------------------- tolerated deviations (hj212.md §5)
class TestTolerances:
    def test_header_fields_in_another_order(self):
        raw = make_frame("ST=32;MN=010000A8900016F000169DC0;Flag=5;QN=20160801085857223;PW=100000;CN=1062;"
                         "CP=&&RtdInterval=30&&")
        f = parse_frame(raw)
        assert (f.qn, f.st, f.cn, f.pw, f.mn, f.flag.raw) == (
            "20160801085857223", "32", "1062", "100000", "010000A8900016F000169DC0", 5)
        assert [k for k, _ in f.header] == ["ST", "MN", "Flag", "QN", "PW", "CN"]  # received order kept
        assert f.segment == segment_of(raw)

    def test_stray_spaces_around_keys_and_values(self):
        # hj212.md §5.1: the standard's own examples have "CP=&& PolId=..." and "i12003-Info =0"
        raw = make_frame(f"QN= 20250315100000123 ; ST=32;CN=3020;PW=123456;MN={MN_2017};Flag=5;"
                         "CP=&& PolId=w01018;i12003-Info =0 , i13007-Info= 1.25 &&")
        f = parse_frame(raw)
        assert f.qn == "20250315100000123" and f.st == "32"
        assert f.cp == (("PolId", "w01018"), ("i12003-Info", "0"), ("i13007-Info", "1.25"))

    def test_lowercase_hex_checksum_accepted_in_strict(self):
        # hj212.md §4.4: lowercase hex (1c80) -> accept always
        f = parse_frame(with_checksum(STANDARD_EXAMPLE, "1c80"))
        assert f.checksum_variant is Variant.ANNEX_A
        assert f.warnings == ()

    def test_empty_data_area(self):
        # hj212.md §5: CP=&&&& (empty); §11 frame 3
        f = parse_frame(HOURLY_REPLY)
        assert f.cp == () and f.values() == [] and f.data_time is None

    def test_unknown_st_and_cn(self):
        # hj212.md §6/§7: unknown ST (80 power metering) and CN (9021 with an empty CP) occur
        f = parse_frame(make_frame(f"QN=20250315100000123;ST=80;CN=9021;PW=123456;MN={MN_2017};Flag=4;CP=&&&&"))
        assert (f.st, f.cn) == ("80", "9021")

    def test_split_packet_pnum_pno(self):
        # hj212.md §5/§10.1: Flag=7 = 2017, split (D=1), reply (A=1); PNUM total, PNO 1-based
        f = parse_frame(make_frame(f"QN=20250315100000123;ST=31;CN=2061;PW=123456;MN={MN_2017};Flag=7;"
                                   "PNUM=2;PNO=1;CP=&&DataTime=20250315090000;a21026-Avg=24.8&&"))
        assert (f.pnum, f.pno) == (2, 1)
        assert f.flag.d is True and f.flag.a is True and f.version == "2017"

    def test_pnum_pno_without_flag(self):
        f = parse_frame(make_frame(f"QN=20250315100000123;ST=31;CN=2061;PW=123456;MN={MN_2017};"
                                   "PNUM=3;PNO=3;CP=&&a21026-Avg=24.8&&"))
        assert (f.pnum, f.pno) == (3, 3)
        assert f.flag is None

    def test_flag_7_without_pnum_pno(self):
        f = parse_frame(make_frame(f"QN=20250315100000123;ST=31;CN=2061;PW=1;MN={MN_2017};Flag=7;CP=&&&&"))
        assert f.flag.d is True and (f.pnum, f.pno) == (None, None)

    def test_mn_of_any_length_and_alphabet(self):
        f = parse_frame(make_frame("QN=20250315100000123;ST=31;CN=2011;PW=1;MN=dev_07-Zhang;Flag=4;CP=&&&&"))
        assert f.mn == "dev_07-Zhang"

    def test_data_time_with_milliseconds(self):
        # hj212.md §5.2: some devices append milliseconds (17 digits): accept
        f = parse_frame(make_frame(f"QN=20250315100000123;ST=31;CN=2011;PW=1;MN={MN_2017};Flag=4;"
                                   "CP=&&DataTime=20250315093015123;a21026-Rtd=24.8&&"))
        assert f.data_time == datetime(2025, 3, 15, 9, 30, 15, 123000)

    @pytest.mark.parametrize("text", ["2025031509", "20251315090000", "2025031509000x", "202503150900001"])
    def test_malformed_data_time_is_none(self, text):
        f = parse_frame(make_frame(f"QN=1;ST=31;CN=2011;PW=1;MN=1;Flag=4;CP=&&DataTime={text}&&"))
        assert f.item("DataTime") == text
        assert f.data_time is None

    def test_negative_values(self):
        # hj212.md §5.1: values can be negative, e.g. flue-gas static pressure
        f = parse_frame(make_frame(f"QN=20250315100000123;ST=31;CN=2011;PW=1;MN={MN_2017};Flag=4;"
                                   "CP=&&DataTime=20250315093000;a01013-Rtd=-0.35,a01013-Flag=N&&"))
        [value] = f.values()
        assert (value.code, value.code_2017, value.field, value.value, value.flag) == (
            "a01013", "a01013", "Rtd", "-0.35", "N")
        assert value.number == -0.35

    def test_non_numeric_values_keep_the_text(self):
        f = parse_frame(make_frame(f"QN=1;ST=31;CN=3020;PW=1;MN={MN_2017};Flag=4;"
                                   "CP=&&i11001-Info=//校准完成//;a21026-Rtd=nan&&"))
        info, rtd = f.values()
        assert info.value == "//校准完成//" and info.number is None
        assert rtd.value == "nan" and rtd.number is None

    def test_utf8_length_counts_bytes(self):
        # hj212.md §3: the length counts bytes of the UTF-8 encoding; 日志 is 6 bytes in UTF-8
        segment = "QN=1;ST=32;CN=3020;PW=1;MN=1;Flag=4;CP=&&i11001-Info=日志&&"
        assert len(segment) == 57 and len(segment.encode()) == 61  # counted by hand
        f = parse_frame(make_frame(segment))
        assert f.declared_length == 61
        assert f.item("i11001-Info") == "日志"

    @pytest.mark.parametrize("key", ["a99948-Rtd", "ua19003-Rtd", "l01001-Rtd", "O3-Rtd", "100000-Ia",
                                     "ele01-Rtd", "LAMPBLACK-Rtd", "PM-Rtd", "NMHC-Rtd", "a2101-Rtd"])
    def test_codes_seen_in_the_wild_do_not_crash(self, key):
        # hj212.md §9.3: codes seen in the wild; unknown code -> code_2017 null
        f = parse_frame(make_frame(f"QN=1;ST=31;CN=2011;PW=1;MN={MN_2017};Flag=4;"
                                   f"CP=&&DataTime=20250315093000;{key}=12.5&&"))
        [value] = f.values()
        code, field = key.split("-", 1)
        assert (value.code, value.field, value.value, value.number) == (code, field, "12.5", 12.5)
        assert value.code_2017 is None

    def test_la_td_does_not_crash(self):
        # hj212.md §9.3 lists "LA-td" among the codes seen in the wild; the key is split at its first
        # '-' (§5.1), so what the code maps to is ambiguous (see the report); it must parse and keep its text
        f = parse_frame(make_frame(f"QN=1;ST=23;CN=2011;PW=1;MN={MN_2017};Flag=4;CP=&&LA-td=55.2;LA-td-Rtd=54.1&&"))
        assert [(v.code, v.field, v.value) for v in f.values()] == [("LA", "td", "55.2"), ("LA", "td-Rtd", "54.1")]
        assert f.cp == (("LA-td", "55.2"), ("LA-td-Rtd", "54.1"))

    def test_frame_level_items_are_not_values(self):
        f = parse_frame(make_frame("QN=1;ST=91;CN=9011;PW=1;MN=1;Flag=4;CP=&&QN=20250315100000123;QnRtn=1&&"))
        assert f.values() == []
        assert f.item("QnRtn") == "1" and f.item("QN") == "20250315100000123"


# ---------------------------------------------------------------- round trips (Hypothesis)
SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/+ 中文日志°³"
HEADER_NAMES = {"qn", "st", "cn", "pw", "mn", "flag", "pnum", "pno"}


def safe_text(min_size: int = 0, max_size: int = 12):
    """Text without ; , = & and without surrounding whitespace (what the syntax can carry)."""
    return st.text(alphabet=SAFE, min_size=min_size, max_size=max_size).filter(lambda s: s == s.strip())


standard_header = st.lists(
    st.tuples(st.sampled_from(["QN", "ST", "CN", "PW", "MN"]), safe_text()), max_size=5,
    unique_by=lambda item: item[0])  # a repeated standard header field is refused (tested above)
extra_header = st.lists(
    st.tuples(safe_text(min_size=1).filter(lambda k: k.lower() not in HEADER_NAMES), safe_text()), max_size=3)
flag_header = st.lists(st.tuples(st.just("Flag"), st.integers(0, 255).map(str)), max_size=1)
headers = st.tuples(standard_header, extra_header, flag_header).flatmap(
    lambda parts: st.permutations(parts[0] + parts[1] + parts[2]))
cp_items = st.lists(st.tuples(safe_text(min_size=1), safe_text()), max_size=20)


@PROPERTY
@given(headers, cp_items)
def test_round_trip_header_and_cp(header, cp):
    raw = wrap_segment(encode_segment(header, cp))
    assert raw == make_frame(segment_of(raw))  # length in bytes and checksum agree with the independent oracle
    f = parse_frame(raw)
    assert f.header == tuple(header)
    assert f.cp == tuple(cp)
    assert f.warnings == ()


@PROPERTY
@given(
    system=safe_text(), cn=safe_text(), mn=safe_text(), pw=safe_text(),
    qn=st.one_of(st.none(), st.text(alphabet="0123456789", min_size=17, max_size=17)),
    flag=st.one_of(st.none(), st.integers(0, 255)),
    pnum=st.one_of(st.none(), st.integers(1, 9999)), pno=st.one_of(st.none(), st.integers(1, 9999)),
    cp=cp_items,
)
def test_build_parse_re_encode_is_byte_identical(system, cn, mn, pw, qn, flag, pnum, pno, cp):
    raw = build_frame(st=system, cn=cn, mn=mn, pw=pw, qn=qn, flag=flag, pnum=pnum, pno=pno, cp=cp)
    f = parse_frame(raw)
    assert wrap_segment(f.segment) == raw
    assert (f.qn, f.st, f.cn, f.pw, f.mn) == (qn, system, cn, pw, mn)
    assert (f.pnum, f.pno) == (pnum, pno)
    assert (f.flag.raw if f.flag else None) == flag
    assert f.cp == tuple(cp)


def test_a_2025_frame_is_answered_with_2025_version_bits():
    # Flag 9 = version bits 000010 (2025) + A; the answer carries 000010 with D = A = 0, i.e. Flag 8.
    frame = parse_frame(make_frame(f"QN=20260315100000123;ST=31;CN=2011;PW=123456;MN={MN_2017};Flag=9;"
                                   "CP=&&DataTime=20260315100000;a21026-Rtd=1.0&&"))
    assert frame.version == "2025"
    assert parse_frame(build_reply(frame)).flag.raw == 8
