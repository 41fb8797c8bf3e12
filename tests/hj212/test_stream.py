"""Cutting a byte stream into HJ 212 frames (parksteward.hj212.stream.FrameSplitter).

Frames are the published ones of hj212.md §11 plus frames built with the test-side Annex A
checksum (tests/hj212/independent.py). The receiver rules tested are those of hj212.md §3,
§4.4 and §13: frame by the declared length, resync on ``##``, report a wrong length with
both numbers, tolerate LF-only and missing tails, cap the buffer, lose no byte.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parksteward.hj212 import parse_frame
from parksteward.hj212.stream import Chunk, FrameSplitter
from tests.hj212.independent import HOURLY_REPLY, HOURLY_UPLOAD, STANDARD_EXAMPLE, make_frame

PROPERTY = settings(max_examples=200, deadline=None)

F1, F2, F3 = STANDARD_EXAMPLE, HOURLY_UPLOAD, HOURLY_REPLY  # 101-, 535- and 87-byte data segments
F2005 = make_frame("ST=32;CN=2011;PW=123456;MN=88888880000001;CP=&&DataTime=20040516020111;"
                   "011-Rtd=50.6,011-Flag=N;060-Rtd=3.20,060-Flag=N&&")
FLOG = make_frame("QN=20250315100000123;ST=32;CN=3020;PW=123456;MN=AB12CD34EF5600000000F001;Flag=5;"
                  "CP=&&DataTime=20250315093000;PolId=w01018;i11001-Info=//仪器校准完成//&&")
VALID_FRAMES = [F1, F2, F3, F2005, FLOG]


def with_length(frame: bytes, declared: str) -> bytes:
    return frame[:2] + declared.encode() + frame[6:]


def run(data: bytes, sizes: list[int] | None = None, **kwargs) -> list[Chunk]:
    """Feed ``data`` in reads of ``sizes`` (the rest at once), then flush."""
    splitter = FrameSplitter(**kwargs)
    out: list[Chunk] = []
    at = 0
    for size in sizes or []:
        out += splitter.feed(data[at:at + size])
        at += size
    out += splitter.feed(data[at:])
    out += splitter.flush()
    assert splitter.buffered == 0
    return out


def kinds(chunks: list[Chunk]) -> list[str | None]:
    return [c.error.kind if c.error else None for c in chunks]


def test_valid_frames_are_accepted_by_the_parser():
    # guards the fixtures: each test-built frame is a valid frame
    for frame in VALID_FRAMES:
        parse_frame(frame)


def test_several_frames_in_one_feed():
    chunks = FrameSplitter().feed(F1 + F2 + F3)
    assert [c.raw for c in chunks] == [F1, F2, F3]
    assert kinds(chunks) == [None, None, None]


def test_one_frame_fed_byte_by_byte():
    splitter = FrameSplitter()
    for i, byte in enumerate(F2[:-1]):
        assert splitter.feed(bytes([byte])) == []
        assert splitter.buffered == i + 1
    [chunk] = splitter.feed(F2[-1:])
    assert chunk.raw == F2 and chunk.error is None
    assert splitter.buffered == 0
    assert splitter.flush() == []


def test_all_frames_byte_by_byte():
    data = F1 + F2005 + F3 + FLOG
    chunks = run(data, sizes=[1] * len(data))
    assert [c.raw for c in chunks] == [F1, F2005, F3, FLOG]
    assert kinds(chunks) == [None] * 4


def test_garbage_between_frames():
    junk1, junk2, junk3 = b"AT+CSQ\r\nOK\r\n", b"\x00\xff&&1C80\r\n", b"bye"
    chunks = run(junk1 + F1 + junk2 + F3 + junk3)
    assert [c.raw for c in chunks] == [junk1, F1, junk2, F3, junk3]
    assert kinds(chunks) == ["garbage", None, "garbage", None, "garbage"]


@pytest.mark.parametrize("sizes", [None, [1] * 400, [7] * 60, [110, 3, 200]])
@pytest.mark.parametrize("declared", ["0105", "0200", "0099", "0090"])
def test_wrong_declared_length_then_a_valid_frame(declared, sizes):
    # hj212.md §4.4: declared length != actual -> typed "bad length" error with both numbers, then resync;
    # F1's data segment is 101 bytes (the standard's example)
    bad = with_length(F1, declared)
    chunks = run(bad + F3 + F2005, sizes=sizes)
    assert [c.raw for c in chunks] == [bad, F3, F2005]
    assert kinds(chunks) == ["bad_length", None, None]
    error = chunks[0].error
    assert str(int(declared)) in error.message and "101" in error.message
    assert (error.details["declared"], error.details["actual"]) == (int(declared), 101)


@pytest.mark.parametrize("sizes", [None, [1] * 700])
def test_over_long_declared_length_then_a_valid_frame(sizes):
    # hj212.md §13: reject lengths above the guard, then resync on the next '##'
    bad = b"##9999" + F1[6:]
    chunks = run(bad + F3, sizes=sizes)
    assert b"".join(c.raw for c in chunks) == bad + F3
    assert kinds(chunks)[0] == "over_long"
    assert "9999" in chunks[0].error.message and "8192" in chunks[0].error.message
    assert chunks[-1].raw == F3 and chunks[-1].error is None
    assert all(c.error is not None for c in chunks[:-1])


def test_length_guard_is_configurable():
    # F2's data segment is 535 bytes (hj212.md §11)
    chunks = run(F2 + F1, length_guard=500)
    assert kinds(chunks)[0] == "over_long"
    assert "535" in chunks[0].error.message and "500" in chunks[0].error.message
    assert chunks[-1].raw == F1 and chunks[-1].error is None
    assert [c.raw for c in run(F2, length_guard=535)] == [F2]


def test_non_digit_length_field():
    bad = b"##01a1" + F1[6:]
    chunks = run(bad + F3)
    assert kinds(chunks)[0] == "bad_header"
    assert chunks[-1].raw == F3 and chunks[-1].error is None
    assert b"".join(c.raw for c in chunks) == bad + F3


@pytest.mark.parametrize("sizes", [None, [1] * 300])
def test_lf_only_tail(sizes):
    # hj212.md §4.4: LF only -> the frame is length-framed; the parser's tail policy decides
    lf = F1[:-2] + b"\n"
    chunks = run(lf + F3, sizes=sizes)
    assert [c.raw for c in chunks] == [lf, F3]
    assert kinds(chunks) == [None, None]
    assert parse_frame(chunks[0].raw, policy="lenient").qn == "20160801085857223"


@pytest.mark.parametrize("sizes", [None, [1] * 300])
def test_missing_tail_before_the_next_frame(sizes):
    bare = F1[:-2]
    chunks = run(bare + F3, sizes=sizes)
    assert [c.raw for c in chunks] == [bare, F3]
    assert kinds(chunks) == [None, None]
    assert len(parse_frame(chunks[0].raw, policy="lenient").warnings) == 1


def test_missing_tail_at_the_end_comes_out_at_flush():
    # hj212.md §13: a missing tail is only knowable at the next '##' or at close / idle timeout
    splitter = FrameSplitter()
    assert splitter.feed(F1[:-2]) == []
    [chunk] = splitter.flush()
    assert chunk.raw == F1[:-2] and chunk.error is None


def test_flush_of_a_partial_frame_is_truncated():
    splitter = FrameSplitter()
    assert splitter.feed(F3 + F1[:50]) == [Chunk(F3)]
    [chunk] = splitter.flush()
    assert chunk.raw == F1[:50]
    assert chunk.error.kind == "truncated"
    assert "50" in chunk.error.message
    assert splitter.buffered == 0


def test_flush_of_nothing_and_of_a_lone_hash():
    assert FrameSplitter().flush() == []
    splitter = FrameSplitter()
    [garbage] = splitter.feed(b"xx#")
    assert garbage.raw == b"xx"
    assert splitter.buffered == 1  # a trailing '#' may start the next header
    [rest] = splitter.flush()
    assert rest.raw == b"#" and rest.error is not None


# ---------------------------------------------------------------- resynchronisation bugs
@pytest.mark.parametrize("sizes", [None, [1] * 120])
def test_stray_hash_before_a_frame(sizes):
    # hj212.md §13: resync on '##'; a lone '#' before a frame is garbage, the frame must survive
    chunks = run(b"#" + F1, sizes=sizes)
    assert chunks[-1].raw == F1 and chunks[-1].error is None
    assert b"".join(c.raw for c in chunks) == b"#" + F1


def test_frame_cut_short_then_a_valid_frame():
    # hj212.md §13: resync on '##'; the complete frame after the broken one must come out intact
    chunks = run(F1[:40] + F3)
    assert chunks[-1].raw == F3 and chunks[-1].error is None


@pytest.mark.parametrize("tail", [b"\r", b"XY", b"\r\r"])
def test_damaged_tail_then_a_valid_frame(tail):
    chunks = run(F1[:-2] + tail + F3)
    assert chunks[-1].raw == F3 and chunks[-1].error is None


# ---------------------------------------------------------------- properties
GUARD = 600  # longer than every valid frame's segment (535 at most)
no_hash_garbage = st.binary(max_size=40).map(lambda b: b.replace(b"#", b""))
# '#' allowed, '##' not (pieces next to each other or next to a frame can still form one)
def _without_double_hash(data: bytes) -> bytes:
    while b"##" in data:
        data = data.replace(b"##", b"#")
    return data


no_double_hash_garbage = st.lists(st.one_of(st.binary(max_size=6), st.just(b"#")), max_size=8).map(
    lambda parts: _without_double_hash(b"".join(parts)))
hash_garbage = st.lists(
    st.one_of(st.binary(max_size=12),
              st.sampled_from([b"#", b"##", b"##0", b"##0101", b"##0087", b"##0599", b"##9999", b"##01a1",
                               b"&&", b"&&1C80\r\n", b"&&30C0\n", b"\r", b"\n", b"\r\n", b"CP=&&", b"0"])),
    max_size=8,
).map(b"".join)


def stream_of(garbage):
    return st.lists(st.one_of(st.sampled_from(VALID_FRAMES).map(lambda f: ("frame", f)),
                              garbage.map(lambda g: ("garbage", g))), max_size=10)


def feed_in_reads(data: bytes, sizes: list[int], guard: int = GUARD) -> list[Chunk]:
    splitter = FrameSplitter(length_guard=guard)
    out: list[Chunk] = []
    at, i = 0, 0
    while at < len(data):
        size = sizes[i % len(sizes)]
        i += 1
        read = data[at:at + size]
        at += size
        out += splitter.feed(read)
        # (c) never more than one frame's worth (guard + 12) plus the last read is buffered
        assert splitter.buffered <= guard + 12 + len(read)
    out += splitter.flush()
    assert splitter.buffered == 0
    return out


read_sizes = st.lists(st.integers(1, 300), min_size=1, max_size=20)


@PROPERTY
@given(stream_of(no_hash_garbage), read_sizes)
def test_frames_survive_garbage_without_hash(items, sizes):
    data = b"".join(part for _, part in items)
    chunks = feed_in_reads(data, sizes)
    # (a) every byte comes out exactly once, in order
    assert b"".join(c.raw for c in chunks) == data
    # (b) every valid frame is an error-free chunk equal to it, in order; nothing else is error-free
    assert [c.raw for c in chunks if c.error is None] == [part for kind, part in items if kind == "frame"]


@PROPERTY
@given(stream_of(no_double_hash_garbage), read_sizes)
def test_no_byte_lost_or_duplicated_with_garbage_without_double_hash(items, sizes):
    data = b"".join(part for _, part in items)
    chunks = feed_in_reads(data, sizes)
    assert b"".join(c.raw for c in chunks) == data  # (a)
    assert all(c.raw for c in chunks)  # no empty chunk


@PROPERTY
@given(stream_of(hash_garbage), read_sizes)
def test_no_byte_lost_or_duplicated_with_any_garbage(items, sizes):
    data = b"".join(part for _, part in items)
    chunks = feed_in_reads(data, sizes)
    assert b"".join(c.raw for c in chunks) == data  # (a)
    assert all(c.raw for c in chunks)  # no empty chunk


@PROPERTY
@given(st.binary(max_size=2000), read_sizes, st.integers(0, 200))
def test_arbitrary_bytes_with_a_small_guard(data, sizes, guard):
    chunks = feed_in_reads(data, sizes, guard=guard)
    assert b"".join(c.raw for c in chunks) == data
