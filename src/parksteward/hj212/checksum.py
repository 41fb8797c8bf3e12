"""The HJ 212 frame checksum (Annex A "ANSI CRC16") and the variants seen in the field.

The standard's algorithm is *not* CRC-16/MODBUS: the register is shifted right by 8 before
each byte is XORed in, so after every byte the register holds at most 0xFF and the result
depends on the last byte and the register before it only. It therefore takes just 256
values, and its low byte is always one of 00 01 40 41 80 81 C0 C1 (reference hj212.md §4.3).
It is an 8-bit error check, not integrity protection.

:func:`annex_a` runs in C (:mod:`parksteward.hj212.accel`) for bytes and bytearray, where a
gateway checksums every frame it receives and every reply it sends; :func:`annex_a_python`
is the reference it must equal.

Some data loggers reuse their Modbus CRC routine instead; a lenient per-device policy
accepts those (printed high byte first, or byte-swapped) with a warning.

References
----------
HJ 212-2017, Annex A (checksum algorithm and worked example ``1C80``).
"""

from __future__ import annotations

import enum

from parksteward.hj212 import accel

ANNEX_A_LOW_BYTES = frozenset({0x00, 0x01, 0x40, 0x41, 0x80, 0x81, 0xC0, 0xC1})


def _reflected_table(poly: int) -> tuple[int, ...]:
    table = []
    for byte in range(256):
        reg = byte
        for _ in range(8):
            reg = (reg >> 1) ^ poly if reg & 1 else reg >> 1
        table.append(reg)
    return tuple(table)


_TABLE_A001 = _reflected_table(0xA001)  # CRC-16/ARC (= MODBUS) byte table
_HIGH_A001 = tuple(value >> 8 for value in _TABLE_A001)
_BYTE_STRINGS = (bytes, bytearray)  # what the compiled annex_a is given


def annex_a(data: bytes) -> int:
    """HJ 212 Annex A checksum of a data segment (the compiled one where available).

    Parameters
    ----------
    data : bytes
        The data segment as transmitted, from ``QN=`` (or the first header field) up to and
        including the closing ``&&``.

    Returns
    -------
    int
        The 16-bit checksum, printed as 4 upper-case hex digits high byte first.

    Notes
    -----
    ``reg = 0xFFFF``; per byte: ``reg = (reg >> 8) ^ b``, then 8 times
    ``carry = reg & 1; reg >>= 1; if carry: reg ^= 0xA001``. Because ``reg >> 8`` leaves at
    most 8 bits, the 8 shifts equal one lookup in the CRC-16/ARC table.
    """
    fast = accel.speedups
    # Only plain byte strings: the C code reads a buffer's raw bytes, which for e.g. an
    # array of 16-bit items is not what iterating it gives.
    if fast is not None and type(data) in _BYTE_STRINGS:
        return fast.annex_a(data)
    return annex_a_python(data)


def annex_a_python(data: bytes) -> int:
    """:func:`annex_a` in pure Python: the reference the compiled fast path must equal."""
    if not data:
        return 0xFFFF
    # Only the register's high byte carries over to the next byte, so the loop keeps just it.
    high, table_high = 0xFF, _HIGH_A001
    for byte in data[:-1]:
        high = table_high[high ^ byte]
    return _TABLE_A001[high ^ data[-1]]


def modbus(data: bytes) -> int:
    """CRC-16/MODBUS (init 0xFFFF, reflected polynomial 0xA001), as some loggers send instead."""
    reg = 0xFFFF
    for byte in data:
        reg = (reg >> 8) ^ _TABLE_A001[(reg ^ byte) & 0xFF]
    return reg


def swap_bytes(value: int) -> int:
    return ((value & 0xFF) << 8) | (value >> 8)


def format_checksum(value: int) -> str:
    return f"{value:04X}"


class Variant(enum.Enum):
    """Which algorithm a printed checksum matches."""

    ANNEX_A = "annex_a"
    MODBUS = "modbus"
    MODBUS_SWAPPED = "modbus_swapped"


LENIENT_VARIANTS = (Variant.MODBUS, Variant.MODBUS_SWAPPED)


def match_variant(data: bytes, printed: int, annex_a_value: int | None = None) -> Variant | None:
    """The variant whose checksum of ``data`` equals ``printed``, Annex A first; None if none does.

    ``annex_a_value`` is the Annex A checksum of ``data`` when the caller has it already.
    """
    if (annex_a(data) if annex_a_value is None else annex_a_value) == printed:
        return Variant.ANNEX_A
    crc = modbus(data)
    if crc == printed:
        return Variant.MODBUS
    if swap_bytes(crc) == printed:
        return Variant.MODBUS_SWAPPED
    return None
