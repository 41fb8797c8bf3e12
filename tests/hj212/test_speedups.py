"""The compiled fast path (parksteward.hj212._speedups) against the pure-Python reference.

Each C function either gives exactly what the Python code gives or declines (None), and
then the Python code runs. Hypothesis generates well-formed frames (which the C code must
take), frames with every tolerated deviation and error the parser knows, and frames mutated
byte by byte (insert, delete, replace, truncate, extend); none may crash the C code, and the
dispatching functions must give the reference's result, Frame or typed error, for all.
"""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from parksteward.hj212 import Hj212Error, accel, build_frame, build_reply, parse_frame
from parksteward.hj212 import checksum as crc
from parksteward.hj212.frame import DEFAULT_LENGTH_GUARD, Frame, encode_segment, parse_frame_python, wrap_segment
from parksteward.hj212.stream import FrameSplitter
from tests.hj212.independent import HOURLY_REPLY, HOURLY_UPLOAD, STANDARD_EXAMPLE, annex_a_bitwise, make_frame

speedups = pytest.importorskip("parksteward.hj212._speedups", reason="the C extension is not built")

# The autouse ``implementation`` fixture runs each test twice; these tests call both paths
# themselves, so the repeat only checks that they do not depend on the switch.
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextlib.contextmanager
def pure_python():
    """The pure-Python path, whatever the switch says (and back afterwards)."""
    saved = accel.speedups
    accel.speedups = None
    try:
        yield
    finally:
        accel.speedups = saved


@contextlib.contextmanager
def compiled():
    saved = accel.speedups
    accel.speedups = speedups
    try:
        yield
    finally:
        accel.speedups = saved


def result_of(parse, raw: bytes, policy: str = "strict", guard: int = DEFAULT_LENGTH_GUARD):
    """A parse's result as comparable data: every Frame attribute, or the error and its details."""
    try:
        f = parse(raw, policy, guard)
    except Hj212Error as exc:
        return ("error", type(exc), exc.message, exc.details)
    return ("frame", f.header, f.cp, f.checksum_variant, f.warnings, f.declared_length, f._fields, f.flag,
            f.qn, f.st, f.cn, f.pw, f.mn, f.pnum, f.pno, f.version, f.values())


def assert_agrees(raw: bytes, guard: int = DEFAULT_LENGTH_GUARD) -> tuple | None:
    """C and Python agree on ``raw``; returns parse_strict's parts (None when it declined)."""
    parts = speedups.parse_strict(raw, guard)
    expected = result_of(parse_frame_python, raw, "strict", guard)
    if parts is not None:
        # Taken: only frames the reference accepts with no warning, with the same parts.
        header, cp, fields, flag, length = parts
        assert expected[0] == "frame", expected
        f = parse_frame_python(raw, "strict", guard)
        assert (header, cp, fields, length) == (f.header, f.cp, f._fields, f.declared_length)
        assert flag == (f.flag.raw if f.flag else None)
        assert f.warnings == () and f.checksum_variant is crc.Variant.ANNEX_A
        assert all(type(s) is str for pair in header + cp for s in pair)
        assert Frame._checked(*parts) == f
    for policy in ("strict", "lenient"):
        with compiled():
            fast = result_of(parse_frame, raw, policy, guard)
        assert fast == result_of(parse_frame_python, raw, policy, guard)
    return parts


# ---------------------------------------------------------------- generated frames
CANONICAL = ["QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO"]
PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/+"
plain_text = st.text(alphabet=PLAIN, max_size=20)
plain_key = st.text(alphabet=PLAIN, min_size=1, max_size=12)
# Values a well-formed frame carries, and bits that test the splitting rules.
TRICKY = ["=", "&", "&&", "#", "##", "CP=", "CP=&&", ",", ";", " ", "\t", "\r", "\n", "日", "²", "\x7f",
          "\x00", "qn", "Flag", "a21026-Rtd", "-", "1e5", "nan", "inf"]
tricky_text = st.lists(st.one_of(plain_text, st.sampled_from(TRICKY)), max_size=5).map("".join)


@st.composite
def common_frames(draw):
    """Frames in the common form: canonical header fields once each, printable ASCII, no spaces."""
    names = draw(st.lists(st.sampled_from(["QN", "ST", "CN", "PW", "MN"]), unique=True, max_size=5))
    header = [(name, draw(plain_text)) for name in names]
    flag = draw(st.one_of(st.none(), st.integers(0, 255)))
    if flag is not None:
        header.append(("Flag", draw(st.sampled_from(["", "0", "00"])) + str(flag)))
    if draw(st.booleans()):
        header += [("PNUM", str(draw(st.integers(0, 99)))), ("PNO", str(draw(st.integers(0, 99))))]
    header = draw(st.permutations(header))
    cp = draw(st.lists(st.tuples(plain_key, st.text(alphabet=PLAIN + "=&#", max_size=12)), max_size=25))
    segment = encode_segment(header, cp)
    assume(len(segment) <= 1024)
    return wrap_segment(segment)


@st.composite
def tricky_segments(draw):
    """Data segments built from parts that hit every branch of the segment rules."""
    parts = []
    for _ in range(draw(st.integers(0, 8))):
        name = draw(st.one_of(st.sampled_from(CANONICAL + ["qn", "Mn", "FLAG", "", "XX", " QN"]), plain_key))
        sep = draw(st.sampled_from(["=", "=", "=", "", "=="]))
        parts.append(name + sep + draw(st.one_of(plain_text, tricky_text)))
    head = ";".join(parts) + draw(st.sampled_from([";", "", ";;", " ;"]))
    items = []
    for _ in range(draw(st.integers(0, 12))):
        key = draw(st.one_of(plain_key, st.sampled_from(["", "a21026-Rtd", "a21026-Flag", "DataTime", " k "])))
        items.append(key + draw(st.sampled_from(["=", "=", "", "=="])) + draw(st.one_of(plain_text, tricky_text)))
    seps = st.sampled_from([";", ",", ";;", ",;", " ; "])
    area = "".join(item + draw(seps) for item in items)
    cp = draw(st.sampled_from(["CP=&&", "CP=&&", "cp=&&", "CP=&", "CP=&&&", ""]))
    close = draw(st.sampled_from(["&&", "&&", "&", "", "&& ", "&&&", "&&x"]))
    text = head + cp + area + close
    return text.encode("utf-8") if draw(st.booleans()) else text.encode("utf-8", "replace") + draw(
        st.sampled_from([b"", b"\xff", b"\xc3"]))


def mostly(right, *wrong):
    """``right`` nine times in ten, else one of ``wrong``: most examples must get past the
    framing checks so that the segment rules behind them are exercised."""
    return st.integers(0, 9).flatmap(lambda n: st.just(right) if n else st.one_of(*wrong))


@st.composite
def framed(draw, segments):
    """A segment framed as received: mostly right, sometimes with a wrong length, checksum or tail."""
    segment = draw(segments)
    declared = draw(mostly(len(segment), st.integers(0, 9999)))
    value = annex_a_bitwise(segment)
    checksum = draw(mostly(value, st.just(crc.modbus(segment)), st.just(crc.swap_bytes(crc.modbus(segment))),
                           st.integers(0, 0xFFFF)))
    printed = draw(st.sampled_from([f"{checksum:04X}", f"{checksum:04X}", f"{checksum:04x}"])).encode()
    tail = draw(mostly(b"\r\n", st.sampled_from([b"\n", b"", b"\r", b"\r\n\r\n", b"x"])))
    return b"##" + f"{declared:04d}".encode()[:4] + segment + printed + tail


@st.composite
def mutated_segments(draw):
    """The data segment of a common frame with bytes replaced, inserted or deleted (to be re-framed)."""
    raw = draw(st.one_of(common_frames(), st.sampled_from(KNOWN)))
    segment = bytearray(raw[6:-6])
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, max(0, len(segment) - 1)))
        byte = draw(st.one_of(st.sampled_from(b"#&=;,\r\n \tCPcp0-"), st.integers(0, 255)))
        kind = draw(st.sampled_from(["replace", "insert", "delete"]))
        if kind == "insert" or not segment:
            segment.insert(at, byte)
        elif kind == "replace":
            segment[at] = byte
        else:
            del segment[at]
    return bytes(segment)


@st.composite
def mutated(draw, frames):
    """A frame with a few bytes replaced, inserted or deleted, or cut or extended."""
    raw = bytearray(draw(frames))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["replace", "insert", "delete", "cut", "extend"]))
        at = draw(st.integers(0, max(0, len(raw) - 1)))
        byte = draw(st.one_of(st.integers(0, 255), st.sampled_from(b"#&=;,\r\n 0AF")))
        if kind == "replace" and raw:
            raw[at] = byte
        elif kind == "insert":
            raw.insert(at, byte)
        elif kind == "delete" and raw:
            del raw[at]
        elif kind == "cut":
            del raw[at:]
        else:
            raw += draw(st.binary(max_size=8))
    return bytes(raw)


KNOWN = [STANDARD_EXAMPLE, HOURLY_UPLOAD, HOURLY_REPLY]


# ---------------------------------------------------------------- parse_strict
@pytest.mark.parametrize("raw", KNOWN)
def test_the_published_frames_are_taken(raw):
    assert assert_agrees(raw) is not None


@PROPERTY
@given(common_frames())
def test_common_frames_are_taken_and_agree(raw):
    assert assert_agrees(raw) is not None  # the fast path must not silently decline the common case


@PROPERTY
@given(framed(tricky_segments()))
def test_tricky_frames_agree(raw):
    assert_agrees(raw)


@PROPERTY
@given(mutated(st.one_of(common_frames(), st.sampled_from(KNOWN))))
def test_mutated_frames_agree(raw):
    assert_agrees(raw)


@PROPERTY
@given(framed(mutated_segments()))
def test_mutated_segments_agree(raw):
    assert_agrees(raw)


@PROPERTY
@given(st.binary(max_size=200))
def test_arbitrary_bytes_agree(raw):
    assert_agrees(raw)


@PROPERTY
@given(common_frames(), st.integers(-5, 2000))
def test_the_length_guard_agrees(raw, guard):
    assert_agrees(raw, guard)


@pytest.mark.parametrize("guard", [2 ** 70, -(2 ** 70), 500.5, "x", None])
def test_an_odd_length_guard_is_declined_not_raised(guard):
    assert speedups.parse_strict(STANDARD_EXAMPLE, guard) is None
    assert speedups.split_frames(STANDARD_EXAMPLE, guard) == ([], 0)


@pytest.mark.parametrize("raw", [bytearray(STANDARD_EXAMPLE), memoryview(STANDARD_EXAMPLE), "text", None, 5])
def test_anything_but_bytes_is_declined(raw):
    assert speedups.parse_strict(raw, DEFAULT_LENGTH_GUARD) is None


@pytest.mark.parametrize(("segment", "why"), [
    ("QN=1;ST=31;CN=2011;PW=1;MN=1;Flag=5;XX=1;CP=&&a=1&&", "an unknown header field"),
    ("qn=1;ST=31;CN=2011;PW=1;MN=1;Flag=5;CP=&&a=1&&", "a header name in another case (a warning)"),
    ("QN=1;QN=2;CN=2011;CP=&&a=1&&", "a repeated header field"),
    ("QN=1; ST=31;CN=2011;CP=&&a=1&&", "whitespace to strip"),
    ("QN=1;ST=31;CN=2011;Flag=256;CP=&&a=1&&", "a Flag above 255"),
    ("QN=1;ST=31;CN=2011;CP=&&a=日&&", "non-ASCII text"),
    ("QN=1;ST=31;CN=2011;CP=&&a&&", "an item without '='"),
    ("QN=1;ST=31;CN=2011;CP=&&=1&&", "an item without a key"),
])
def test_what_the_fast_path_declines(segment, why):
    raw = make_frame(segment)
    assert speedups.parse_strict(raw, DEFAULT_LENGTH_GUARD) is None, why
    assert_agrees(raw)


def test_many_short_items_are_taken():
    # more items than the C code keeps on its stack (64): the list grows on the heap
    raw = make_frame("QN=1;ST=31;CN=2011;CP=&&" + ",".join(f"k{i % 10}=" for i in range(240)) + "&&")
    parts = assert_agrees(raw)
    assert parts is not None and len(parts[1]) == 240


def test_segments_over_1024_bytes_are_declined_for_their_warning():
    items = ";".join(f"a21026-Rtd={i:04d}.5" for i in range(60))
    raw = make_frame(f"QN=1;ST=31;CN=2011;PW=1;MN=1;Flag=4;CP=&&{items}&&")
    assert speedups.parse_strict(raw, DEFAULT_LENGTH_GUARD) is None
    assert len(parse_frame(raw).warnings) == 1


# ---------------------------------------------------------------- checksum and framing
@PROPERTY
@given(st.binary(max_size=1200))
def test_annex_a_agrees(data):
    expected = crc.annex_a_python(data)
    assert speedups.annex_a(data) == expected == annex_a_bitwise(data)
    assert speedups.annex_a(bytearray(data)) == expected


@PROPERTY
@given(st.binary(max_size=1200))
def test_wrap_segment_agrees(segment):
    with pure_python():
        expected = wrap_segment(segment)
    assert speedups.wrap_segment(segment) == expected == make_frame(segment)


def test_wrap_segment_declines_what_python_refuses():
    assert speedups.wrap_segment(b"x" * 10_000) is None  # OverLong, raised by the Python path
    assert speedups.wrap_segment(bytearray(b"QN=1")) is None


@PROPERTY
@given(st.lists(st.one_of(common_frames(), framed(tricky_segments()), mutated(st.sampled_from(KNOWN)),
                          st.binary(max_size=30), st.sampled_from([b"#", b"##", b"\r\n", b"&&1C80\r\n"])),
                max_size=8),
       st.lists(st.integers(1, 700), min_size=1, max_size=10), st.sampled_from([600, DEFAULT_LENGTH_GUARD]))
def test_stream_splitting_agrees(pieces, sizes, guard):
    data = b"".join(pieces)

    def chunks():
        splitter, out, at, i = FrameSplitter(guard), [], 0, 0
        while at < len(data):
            out += splitter.feed(data[at:at + sizes[i % len(sizes)]])
            at += sizes[i % len(sizes)]
            i += 1
        out += splitter.flush()
        return [(c.raw, type(c.error), c.error and c.error.message, c.error and c.error.details) for c in out]

    with compiled():
        fast = chunks()
    with pure_python():
        assert fast == chunks()


def test_split_frames_takes_runs_of_complete_frames_only():
    data = STANDARD_EXAMPLE + HOURLY_REPLY + b"junk" + STANDARD_EXAMPLE
    frames, used = speedups.split_frames(data, DEFAULT_LENGTH_GUARD)
    assert frames == [STANDARD_EXAMPLE, HOURLY_REPLY] and used == len(STANDARD_EXAMPLE + HOURLY_REPLY)
    assert speedups.split_frames(STANDARD_EXAMPLE[:-1], DEFAULT_LENGTH_GUARD) == ([], 0)  # incomplete
    assert speedups.split_frames(bytearray(STANDARD_EXAMPLE), DEFAULT_LENGTH_GUARD) == ([STANDARD_EXAMPLE],
                                                                                          len(STANDARD_EXAMPLE))


def test_the_switch_forces_pure_python(monkeypatch):
    monkeypatch.setattr(accel, "speedups", None)
    assert accel.active() == "python"
    assert parse_frame(STANDARD_EXAMPLE) == parse_frame_python(STANDARD_EXAMPLE)


def test_the_environment_variable_forces_pure_python(monkeypatch):
    import subprocess
    import sys

    code = "from parksteward.hj212 import accel; print(accel.active())"
    for value, expected in (("1", "python"), ("0", "c"), ("", "c")):
        env = {"PARKSTEWARD_PURE_PYTHON": value, "PATH": ""}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == expected


def test_build_frame_and_reply_agree():
    def both():
        raw = build_frame(st="31", cn="2011", mn="M", pw="1", qn="20250315100000123", cp=[("a21026-Rtd", "1.5")])
        return raw, build_reply(parse_frame(raw)), build_reply(parse_frame(HOURLY_UPLOAD))

    with compiled():
        fast = both()
    with pure_python():
        assert fast == both()
