"""One HJ 212 frame: parse it from bytes, build it from fields, and build replies.

Layout (HJ 212-2017 §6.2)::

    ##  LLLL  <data segment>  CCCC  CR LF

``LLLL`` is the byte length of the data segment, ``CCCC`` its Annex A checksum. The data
segment is ``QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;[PNUM=…;PNO=…;]CP=&&<data area>&&``; the data
area holds ``key=value`` items separated by ``;`` (between factors) and ``,`` (within one
factor), e.g. ``a21026-Avg=24.8,a21026-Flag=N``.

Parsing follows the receiver rules of the project reference (hj212.md §5, §13): header
fields in any order, unknown ST/CN accepted, whitespace around keys and values stripped, the
data area taken up to the *last* ``&&``, values kept as received strings. Every tolerated
deviation is recorded in ``Frame.warnings``; everything else raises a typed
:class:`~parksteward.hj212.errors.Hj212Error` that names what was found and expected.

A well-formed frame that needs none of these tolerances is parsed in C where the extension
is built (:mod:`parksteward.hj212.accel`); anything else, and every error, goes through
:func:`parse_frame_python`, the reference, which gives the same Frame for the frames the C
code takes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from math import isfinite
from typing import NamedTuple

from parksteward.hj212 import accel
from parksteward.hj212 import checksum as crc
from parksteward.hj212.codes import ATTRIBUTE_FIELDS, code_system, to_2017
from parksteward.hj212.errors import (
    BadChecksum,
    BadEncoding,
    BadHeader,
    BadLength,
    BadTail,
    MalformedSegment,
    OverLong,
    Truncated,
)

HEADER = b"##"
TAIL = b"\r\n"
STANDARD_MAX_SEGMENT = 1024  # HJ 212-2017 §6.2: data segment 0-1024 bytes
DEFAULT_LENGTH_GUARD = 8192  # real devices exceed 1024 (1623 seen); 9999 is the 4-digit maximum
POLICIES = ("strict", "lenient")
VERSIONS = {0: "2005", 1: "2017", 2: "2025"}
HEADER_KEYS = {k.lower(): k for k in ("QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO")}
_HEADER_NAMES = frozenset(HEADER_KEYS.values())
_CHECKSUM = re.compile(rb"^[0-9A-Fa-f]{4}$")
_WHITESPACE = re.compile(r"\s")


def ascii_digits(text: str | None) -> bool:
    """True for a non-empty string of 0-9 only (``str.isdigit`` also takes '²' and other digits)."""
    return text is not None and text.isascii() and text.isdigit()


@dataclass(frozen=True)
class Flag:
    """The Flag field: bits ``V5..V0 D A`` (HJ 212-2017 §6.3.2)."""

    raw: int

    @property
    def version_bits(self) -> int:
        return self.raw >> 2

    @property
    def d(self) -> bool:
        """The frame is one part of a split packet (carries PNUM/PNO)."""
        return bool(self.raw & 0b10)

    @property
    def a(self) -> bool:
        """The sender asks for a reply."""
        return bool(self.raw & 0b01)


# Every Flag value 0-255, made once: the fast path shares them (a Flag is immutable).
_FLAGS = tuple(Flag(raw) for raw in range(256))


class FactorValue(NamedTuple):
    """One value of one factor in a frame's data area.

    ``value`` is the string as received; ``number`` its parsed float (None when it is not a
    number, e.g. a log text); ``flag`` the factor's data flag (``-Flag``) when the frame has one.
    (A named tuple: a gateway makes ten of these per frame, thousands of frames a second.)
    """

    code: str
    code_2017: str | None
    field: str
    value: str
    number: float | None
    flag: str | None
    sample_time: str | None = None


@dataclass(frozen=True)
class Frame:
    """A parsed frame. ``header`` and ``cp`` keep the received order (for byte-identical re-encoding)."""

    header: tuple[tuple[str, str], ...]
    cp: tuple[tuple[str, str], ...]
    checksum_variant: crc.Variant = crc.Variant.ANNEX_A
    warnings: tuple[str, ...] = ()
    declared_length: int | None = None
    _fields: dict = field(init=False, repr=False, compare=False)
    _flag: Flag | None = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        fields: dict[str, str] = {}
        for key, value in self.header:
            fields.setdefault(key, value)
        object.__setattr__(self, "_fields", fields)
        raw = fields.get("Flag")
        object.__setattr__(self, "_flag", Flag(int(raw)) if ascii_digits(raw) else None)

    @classmethod
    def _checked(cls, header: tuple, cp: tuple, fields: dict, flag: int | None, length: int) -> Frame:
        """The Frame of a frame the compiled parser took (``_speedups.parse_strict``'s parts).

        Such a frame has no warnings, the Annex A checksum and each header field once, so
        ``fields`` is the header as a dict; ``__init__`` and ``__post_init__`` are skipped, as
        they cost as much as the parse itself.
        """
        frame = object.__new__(cls)
        frame.__dict__.update(header=header, cp=cp, checksum_variant=crc.Variant.ANNEX_A, warnings=(),
                              declared_length=length, _fields=fields, _flag=None if flag is None else _FLAGS[flag])
        return frame

    def _get(self, key: str) -> str | None:
        return self._fields.get(key)

    qn = property(lambda self: self._fields.get("QN"))
    st = property(lambda self: self._fields.get("ST"))
    cn = property(lambda self: self._fields.get("CN"))
    pw = property(lambda self: self._fields.get("PW"))
    mn = property(lambda self: self._fields.get("MN"))

    @property
    def flag(self) -> Flag | None:
        return self._flag

    @property
    def pnum(self) -> int | None:
        raw = self._get("PNUM")
        return int(raw) if ascii_digits(raw) else None

    @property
    def pno(self) -> int | None:
        raw = self._get("PNO")
        return int(raw) if ascii_digits(raw) else None

    @property
    def declared_version(self) -> str | None:
        """The version the Flag bits declare (None without Flag): '2005', '2017', '2025' or 'unknown:<n>'."""
        flag = self.flag
        if flag is None:
            return None
        return VERSIONS.get(flag.version_bits, f"unknown:{flag.version_bits}")

    @property
    def code_system(self) -> str | None:
        """'2017' or '2005' by the factor codes the data area uses; None when it has none known."""
        systems = {code_system(code) for code, _ in self.factor_fields()} - {None}
        if "2017" in systems:
            return "2017"
        return "2005" if systems else None

    @property
    def version(self) -> str:
        """The protocol version: the Flag bits where present, else 2005 (reference hj212.md §1)."""
        return self.declared_version or "2005"

    @property
    def segment(self) -> bytes:
        return encode_segment(self.header, self.cp)

    def item(self, key: str) -> str | None:
        """The first data-area item named ``key`` (e.g. ``DataTime``, ``QnRtn``)."""
        for k, v in self.cp:
            if k == key:
                return v
        return None

    @property
    def data_time(self) -> datetime | None:
        """``DataTime`` as a naive local datetime (14 digits, or 17 with milliseconds); None if absent/bad."""
        return parse_time(self.item("DataTime"))

    def factor_fields(self) -> list[tuple[str, str]]:
        """(code, field) of every ``code-field`` item, in order."""
        out = []
        for key, _ in self.cp:
            code, sep, fld = key.partition("-")
            if sep and code:
                out.append((code, fld))
        return out

    def values(self) -> list[FactorValue]:
        """The factor values of the data area: every ``code-field`` item except flags and sample times."""
        attributes: dict[tuple[str, str], str] = {}
        items: list[tuple[FactorKey, str]] = []
        for key, value in self.cp:
            parts = factor_key(key)
            if parts is None:
                continue
            if parts.attribute:
                attributes.setdefault((parts.code, parts.field), value)
            else:
                items.append((parts, value))
        get = attributes.get
        return [FactorValue(parts.code, parts.code_2017, parts.field, value, parse_number(value),
                            get((parts.code, "Flag")), get((parts.code, "SampleTime")))
                for parts, value in items]


class FactorKey(NamedTuple):
    """A data-area key split into factor code and field, e.g. ``a21026-Rtd``."""

    code: str
    field: str
    code_2017: str | None
    attribute: bool  # a flag or sample time that qualifies the factor's values


@lru_cache(maxsize=4096)
def factor_key(key: str) -> FactorKey | None:
    """``key`` as a :class:`FactorKey`; None for frame-level items (no ``-``, e.g. ``DataTime``).

    Remembered: a park's devices send the same few hundred keys in every frame.
    """
    code, sep, fld = key.partition("-")
    if not sep or not code:
        return None
    return FactorKey(code, fld, to_2017(code), fld in ATTRIBUTE_FIELDS)


def parse_number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if isfinite(number) else None  # no NaN/inf


def parse_time(text: str | None) -> datetime | None:
    """``YYYYMMDDhhmmss`` (or with ``zzz`` milliseconds) as a naive datetime; None if malformed."""
    if not ascii_digits(text) or len(text) not in (14, 17):
        return None
    try:
        return datetime(int(text[0:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]), int(text[10:12]),
                        int(text[12:14]), int(text[14:17]) * 1000 if len(text) == 17 else 0)
    except ValueError:
        return None


def format_time(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


# ---------------------------------------------------------------- parsing
def parse_frame(raw: bytes, policy: str = "strict", length_guard: int = DEFAULT_LENGTH_GUARD) -> Frame:
    """Parse one complete frame.

    Parameters
    ----------
    raw : bytes
        The frame from ``##`` through the tail. In lenient mode the tail may be LF only or absent.
    policy : {'strict', 'lenient'}
        Checksum and tail policy: strict accepts only the Annex A checksum and a CR LF tail;
        lenient also accepts CRC-16/MODBUS (either byte order) and a missing/LF-only tail,
        recording a warning.
    length_guard : int
        Longest data segment accepted [bytes]; longer than 1024 (the standard's limit) is
        accepted with a warning.

    Raises
    ------
    Hj212Error
        A subclass naming what was wrong: BadHeader, OverLong, Truncated, BadLength,
        BadChecksum, BadTail, BadEncoding, MalformedSegment.
    """
    fast = accel.speedups
    # The compiled parser takes only frames that both policies accept alike (Annex A, CR LF,
    # no tolerance used) and declines (None) everything else.
    if fast is not None and policy in POLICIES:
        parts = fast.parse_strict(raw, length_guard)
        if parts is not None:
            return Frame._checked(*parts)
    return parse_frame_python(raw, policy, length_guard)


def parse_frame_python(raw: bytes, policy: str = "strict", length_guard: int = DEFAULT_LENGTH_GUARD) -> Frame:
    """:func:`parse_frame` in pure Python: the reference, and the path of every frame the
    compiled parser declines."""
    if policy not in POLICIES:
        raise ValueError(f"unknown checksum policy {policy!r}, expected one of {list(POLICIES)}")
    warnings: list[str] = []
    if not raw.startswith(HEADER):
        raise BadHeader(f"frame starts with {raw[:2]!r}, expected b'##'", found=raw[:2])
    digits = raw[2:6]
    if len(digits) < 4 or not digits.isdigit():
        raise BadHeader(f"length field is {digits!r}, expected 4 decimal digits", found=digits)
    length = int(digits)
    if length > length_guard:
        raise OverLong(f"declared data segment of {length} bytes exceeds the guard of {length_guard}",
                       declared=length, guard=length_guard)
    end = 6 + length
    if len(raw) < end + 4:
        actual = _actual_length(raw)
        if actual is not None and actual != length:
            raise BadLength(f"declared data-segment length {length}, actual {actual}", declared=length, actual=actual)
        raise Truncated(f"frame has {len(raw)} bytes, needs {end + 6} for a {length}-byte data segment",
                        size=len(raw), needed=end + 6)
    segment, printed = raw[6:end], raw[end:end + 4]
    if not _CHECKSUM.match(printed) or not segment.endswith(b"&&"):
        actual = _actual_length(raw)
        if actual is not None and actual != length:
            raise BadLength(f"declared data-segment length {length}, actual {actual}", declared=length, actual=actual)
        if not _CHECKSUM.match(printed):
            raise BadLength(f"no 4-hex-digit checksum after the declared {length}-byte data segment "
                            f"(found {printed!r})", declared=length, actual=actual)
    tail = raw[end + 4:]
    if tail != TAIL:
        if policy == "lenient" and tail in (b"", b"\n"):
            warnings.append(f"tail is {tail!r}, expected b'\\r\\n'")
        else:
            raise BadTail(f"tail is {tail[:8]!r}, expected b'\\r\\n'", found=tail[:8])
    if length > STANDARD_MAX_SEGMENT:
        warnings.append(f"data segment of {length} bytes exceeds the standard's {STANDARD_MAX_SEGMENT}")
    printed_value = int(printed, 16)
    annex_a = crc.annex_a(segment)
    variant = crc.match_variant(segment, printed_value, annex_a)
    expected = crc.format_checksum(annex_a)
    if variant is None or (variant is not crc.Variant.ANNEX_A and policy == "strict"):
        how = "" if variant is None else f" (it is the {variant.value} variant, accepted only by the lenient policy)"
        raise BadChecksum(f"checksum is {printed.decode()}, expected {expected}{how}",
                          found=printed.decode(), expected=expected)
    if variant is not crc.Variant.ANNEX_A:
        warnings.append(f"checksum {printed.decode()} is {variant.value}, not Annex A ({expected})")
    header, cp = parse_segment(segment, warnings)
    return Frame(header=header, cp=cp, checksum_variant=variant, warnings=tuple(warnings), declared_length=length)


def _actual_length(raw: bytes) -> int | None:
    """Measure the real data segment: up to the last ``&&`` followed by 4 hex digits."""
    match = None
    for match in re.finditer(rb"&&[0-9A-Fa-f]{4}(\r\n|\n|$)", raw):
        pass
    if match is None:
        return None
    return match.start() + 2 - 6


def parse_segment(segment: bytes, warnings: list[str] | None = None) -> tuple[tuple, tuple]:
    """Split a data segment into header fields and data-area items (both in order)."""
    warnings = [] if warnings is None else warnings
    try:
        text = segment.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadEncoding(f"data segment is not UTF-8: byte {segment[exc.start:exc.start + 1]!r} at "
                          f"offset {exc.start}", offset=exc.start) from None
    cp_at = text.find("CP=&&")
    if cp_at < 0:
        raise MalformedSegment(f"no 'CP=&&' in the data segment {text[:60]!r}", text=text[:60])
    area_end = text.rfind("&&")
    if area_end < cp_at + 5:
        raise MalformedSegment(f"data area is not closed by '&&': {text[cp_at:cp_at + 60]!r}", text=text[cp_at:])
    if text[area_end + 2:].strip():
        raise MalformedSegment(f"text after the data area: {text[area_end + 2:][:40]!r}", text=text[area_end + 2:])
    # Whitespace around keys and values is tolerated (and stripped); most devices send none,
    # and then the per-item strips are skipped.
    strip = _WHITESPACE.search(text) is not None
    header = _header_items(text[:cp_at], strip, warnings)
    cp = _area_items(text[cp_at + 5:area_end], strip)
    flag = next((v for k, v in header if k == "Flag"), None)
    if flag is not None and not (ascii_digits(flag) and int(flag) <= 255):
        raise MalformedSegment(f"Flag is {flag!r}, expected an integer 0-255", text=flag)
    return tuple(header), tuple(cp)


def _header_items(text: str, strip: bool, warnings: list[str]) -> list[tuple[str, str]]:
    """Header fields in any form the receiver rules tolerate, with a warning for each fix."""
    header: list[tuple[str, str]] = []
    seen: set[str] = set()
    for part in text.split(";"):
        if not part or (strip and not part.strip()):
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise MalformedSegment(f"header field {part!r} is not key=value", text=part)
        if strip:
            key, value = key.strip(), value.strip()
        canonical = key if key in _HEADER_NAMES else HEADER_KEYS.get(key.lower(), key)
        if canonical != key:
            warnings.append(f"header field {key!r} read as {canonical!r}")
        if canonical in _HEADER_NAMES:
            if canonical in seen:
                raise MalformedSegment(f"header field {canonical!r} appears twice", text=part)
            seen.add(canonical)
        header.append((canonical, value))
    return header


def _area_items(text: str, strip: bool) -> list[tuple[str, str]]:
    """Data-area items, empty ones skipped; an item that is not ``key=value`` raises."""
    cp: list[tuple[str, str]] = []
    for part in text.replace(",", ";").split(";"):
        if not part or (strip and not part.strip()):
            continue
        key, sep, value = part.partition("=")
        if strip:
            key, value = key.strip(), value.strip()
        if not sep or not key:
            raise MalformedSegment(f"data-area item {part!r} is not key=value", text=part)
        cp.append((key, value))
    return cp


# ---------------------------------------------------------------- building
def encode_segment(header, cp) -> bytes:
    """The data segment for header fields and data-area items.

    Items of the same factor (the part before ``-``) are joined by ``,``, different
    factors and frame-level items by ``;`` (HJ 212-2017 §6.3.3).
    """
    parts = [f"{k}={v};" for k, v in header]
    area = []
    previous = None
    for key, value in cp:
        code, sep, _ = key.partition("-")
        group = code if sep else None
        if area:
            area.append("," if group is not None and group == previous else ";")
        area.append(f"{key}={value}")
        previous = group
    return ("".join(parts) + "CP=&&" + "".join(area) + "&&").encode("utf-8")


def wrap_segment(segment: bytes, checksum: int | None = None) -> bytes:
    """``##LLLL<segment>CCCC\\r\\n``; the Annex A checksum unless another is given (for tests)."""
    fast = accel.speedups
    if fast is not None and checksum is None:
        framed = fast.wrap_segment(segment)  # None unless bytes of at most 9999
        if framed is not None:
            return framed
    if len(segment) > 9999:
        raise OverLong(f"data segment of {len(segment)} bytes cannot be framed (at most 9999)",
                       declared=len(segment), guard=9999)
    value = crc.annex_a(segment) if checksum is None else checksum
    return b"##%04d" % len(segment) + segment + crc.format_checksum(value).encode("ascii") + TAIL


def build_frame(
    *,
    st: str,
    cn: str,
    mn: str,
    pw: str,
    cp: list[tuple[str, str]] | tuple = (),
    qn: str | None = None,
    flag: int | None = 5,
    pnum: int | None = None,
    pno: int | None = None,
) -> bytes:
    """A complete frame with the header in the standard's order (QN ST CN PW MN Flag PNUM PNO)."""
    header = [("QN", qn), ("ST", st), ("CN", cn), ("PW", pw), ("MN", mn),
              ("Flag", None if flag is None else str(flag)),
              ("PNUM", None if pnum is None else str(pnum)), ("PNO", None if pno is None else str(pno))]
    return wrap_segment(encode_segment([(k, v) for k, v in header if v is not None], cp))


def build_reply(frame: Frame, cn: str = "9014", result: str | None = None) -> bytes:
    """The centre's reply to ``frame``: 9014 data answer, 9013 notify answer, 9011/9012 with a code.

    ``ST=91``, the frame's QN, PW and MN, ``Flag=4`` (2017) or ``Flag=0`` (2005), and ``CP=&&&&``
    or ``CP=&&QnRtn=n&&`` / ``CP=&&ExeRtn=n&&`` (HJ 212-2017 §6.5 and Annex C; reference §10).
    A 2005 frame without a header QN gets the QN inside the data area (2005 practice).
    """
    cp = ""
    if cn == "9011":
        cp = f"QnRtn={result or '1'}"
    elif cn == "9012":
        cp = f"ExeRtn={result or '1'}"
    # The frame's own version bits, no reply asked, not split: 0 (2005), 4 (2017), 8 (2025).
    version = frame.version
    flag = {"2005": 0, "2017": 1, "2025": 2}.get(version, 1) << 2
    qn = frame.qn
    if qn is None and version == "2005" and frame.item("QN") is not None:
        cp = f"QN={frame.item('QN')}" + (";" + cp if cp else "")
    # build_frame's layout, written out: a gateway answers thousands of frames a second.
    head = "" if qn is None else f"QN={qn};"
    return wrap_segment(f"{head}ST=91;CN={cn};PW={frame.pw or ''};MN={frame.mn or ''};Flag={flag};CP=&&{cp}&&"
                        .encode("utf-8"))
