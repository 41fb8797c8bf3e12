"""Test-side helpers for the HJ 212 tests, written without the code under test.

The checksums here are straightforward bit-by-bit loops transcribed from the pseudo-code of
the project reference (hj212.md §4.1 for Annex A, §4.4 for CRC-16/MODBUS), deliberately not
the table-driven implementation in ``parksteward.hj212.checksum``, so that every frame the
tests construct is checked against an independent implementation.

The example frames are copied verbatim from hj212.md §11 (the standard's Annex A example and
the reference's two constructed frames).
"""

from __future__ import annotations

# ---------------------------------------------------------------- published frames (hj212.md §11)
# 1. HJ 212-2017 Annex A example: data segment 101 bytes, checksum 1C80.
STANDARD_EXAMPLE = (
    b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    b"CP=&&RtdInterval=30&&1C80\r\n"
)

# 2. Constructed 2017 hourly upload (CN 2061), data segment 535 bytes, checksum D201.
HOURLY_UPLOAD = (
    b"##0535QN=20250315100000123;ST=31;CN=2061;PW=123456;MN=AB12CD34EF5600000000F001;Flag=5;"
    b"CP=&&DataTime=20250315090000;"
    b"a00000-Cou=61200.0,a00000-Min=16.2,a00000-Avg=17.0,a00000-Max=17.9,a00000-Flag=N;"
    b"a19001-Min=8.9,a19001-Avg=9.4,a19001-Max=10.1,a19001-Flag=N;"
    b"a21026-Cou=1.52,a21026-Min=21.0,a21026-Avg=24.8,a21026-Max=29.3,a21026-ZsAvg=25.7,a21026-Flag=N;"
    b"a21002-Cou=2.87,a21002-Min=40.5,a21002-Avg=46.9,a21002-Max=55.0,a21002-ZsAvg=48.5,a21002-Flag=N;"
    b"a34013-Cou=0.20,a34013-Min=2.8,a34013-Avg=3.3,a34013-Max=4.1,a34013-ZsAvg=3.4,a34013-Flag=N"
    b"&&D201\r\n"
)

# 3. Constructed centre answer (9014) to frame 2: data segment 87 bytes, checksum 30C0.
HOURLY_REPLY = (
    b"##0087QN=20250315100000123;ST=91;CN=9014;PW=123456;MN=AB12CD34EF5600000000F001;Flag=4;"
    b"CP=&&&&30C0\r\n"
)


def segment_of(frame: bytes) -> bytes:
    """The data segment of a well-formed frame: after ``##LLLL``, before ``CCCC\\r\\n``."""
    return frame[6:-6]


# ---------------------------------------------------------------- independent checksums
def annex_a_bitwise(data: bytes) -> int:
    """HJ 212-2017 Annex A checksum, transcribed line by line from hj212.md §4.1."""
    reg = 0xFFFF
    for b in data:
        reg = (reg >> 8) ^ b
        for _ in range(8):
            carry = reg & 1
            reg = reg >> 1
            if carry == 1:
                reg = reg ^ 0xA001
    return reg


def modbus_bitwise(data: bytes) -> int:
    """CRC-16/MODBUS (init FFFF, XOR the byte into the register, 8 shifts with A001), hj212.md §4.4."""
    reg = 0xFFFF
    for b in data:
        reg = reg ^ b
        for _ in range(8):
            carry = reg & 1
            reg = reg >> 1
            if carry == 1:
                reg = reg ^ 0xA001
    return reg


def make_frame(segment: str | bytes, *, checksum: int | None = None, tail: bytes = b"\r\n",
               declared: int | None = None) -> bytes:
    """``##LLLL<segment>CCCC<tail>`` with the independent Annex A checksum (hj212.md §3).

    ``checksum`` and ``declared`` override the printed checksum and length, to build bad frames.
    """
    seg = segment.encode("utf-8") if isinstance(segment, str) else segment
    value = annex_a_bitwise(seg) if checksum is None else checksum
    length = len(seg) if declared is None else declared
    return b"##" + f"{length:04d}".encode() + seg + f"{value:04X}".encode() + tail
