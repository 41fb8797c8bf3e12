"""Cutting a TCP byte stream into HJ 212 frames.

A data logger's stream may hold several frames in one read, one frame over several reads,
garbage between frames, frames whose declared length is wrong, and frames without the CR LF
tail. :class:`FrameSplitter` frames by the declared length (never by searching for CR LF),
resynchronises on the next ``##`` after anything it cannot frame, and never holds more than
one frame's worth of bytes (the length guard) plus one read.

Every byte that arrives leaves the splitter exactly once, either inside a :class:`Chunk`
that is a frame candidate or inside one that carries a framing error, so the gateway can
archive all of it (reference hj212.md §13, steps 1-2).

Where the C extension is built (:mod:`parksteward.hj212.accel`), runs of complete,
well-formed frames are cut in C (``_speedups.split_frames``); the first thing it does not
recognise as one, and everything after it until the next such run, is cut by the Python
code below, which is the reference for the chunks both produce.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parksteward.hj212 import accel
from parksteward.hj212.errors import BadHeader, BadLength, Hj212Error, OverLong, Truncated
from parksteward.hj212.frame import DEFAULT_LENGTH_GUARD, HEADER

# A frame's end: the data area's closing "&&", the 4-hex checksum, then CR LF. It cannot occur
# inside a valid data segment (the only other "&&" is the opening "CP=&&").
_FRAME_END = re.compile(rb"&&[0-9A-Fa-f]{4}\r?\n")
# A frame start: '##', four digits, then a header field name (QN=, ST=, CN=, ...).
_FRAME_START = re.compile(rb"##\d{4}[A-Za-z]{2,4}=")
_CHECKSUM_AT = re.compile(rb"[0-9A-Fa-f]{4}")


@dataclass(frozen=True)
class Chunk:
    """Bytes cut from the stream: a frame candidate (``error`` None) or discarded bytes and why."""

    raw: bytes
    error: Hj212Error | None = None


class Garbage(Hj212Error):
    """Bytes between frames that do not start a frame."""

    kind = "garbage"


class FrameSplitter:
    """Feed bytes in, get :class:`Chunk` objects out, in stream order."""

    def __init__(self, length_guard: int = DEFAULT_LENGTH_GUARD):
        self.length_guard = length_guard
        self._buf = bytearray()

    @property
    def buffered(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes) -> list[Chunk]:
        self._buf += data
        out: list[Chunk] = []
        fast = accel.speedups
        while self._buf:
            if fast is not None:
                frames, used = fast.split_frames(self._buf, self.length_guard)
                if used:
                    out += [Chunk(raw) for raw in frames]
                    del self._buf[:used]
                    continue
            chunk = self._next()
            if chunk is None:
                break
            out.append(chunk)
        return out

    def flush(self) -> list[Chunk]:
        """At connection close or idle timeout: what is left becomes a frame (if complete but
        for its tail) or a truncated piece."""
        out = self.feed(b"")
        if not self._buf:
            return out
        rest = bytes(self._buf)
        self._buf.clear()
        if rest.startswith(HEADER) and rest[2:6].isdigit() and len(rest) == int(rest[2:6]) + 10:
            out.append(Chunk(rest))  # complete but for the tail: the parser's tail policy decides
        else:
            out.append(Chunk(rest, Truncated(f"connection ended inside a frame ({len(rest)} bytes buffered)",
                                             size=len(rest))))
        return out

    def _cut(self, n: int, error: Hj212Error | None = None) -> Chunk:
        raw = bytes(self._buf[:n])
        del self._buf[:n]
        return Chunk(raw, error)

    def _next(self) -> Chunk | None:
        buf = self._buf
        start = buf.find(HEADER)
        if start < 0:
            # Keep a trailing '#', it may be the first half of the next header.
            keep = 1 if buf.endswith(b"#") else 0
            if len(buf) - keep == 0:
                return None
            return self._cut(len(buf) - keep, Garbage(f"{len(buf) - keep} bytes before any '##'"))
        if start > 0:
            return self._cut(start, Garbage(f"{start} bytes before '##'"))
        if len(buf) < 6:
            return None
        digits = bytes(buf[2:6])
        if not digits.isdigit():
            # Drop one byte only: in '###0101...' the real header starts at the second '#'.
            return self._cut(1, BadHeader(f"length field is {digits!r}, expected 4 decimal digits", found=digits))
        length = int(digits)
        if length > self.length_guard:
            return self._cut(2, OverLong(f"declared data segment of {length} bytes exceeds the guard of "
                                         f"{self.length_guard}", declared=length, guard=self.length_guard))
        body_end = 6 + length + 4  # through the checksum
        # A frame end ("&&" + checksum + LF) other than the declared one, before any new frame
        # start, means the declared length is wrong: a valid data segment holds no such bytes.
        next_start = _FRAME_START.search(buf, 2)
        limit = next_start.start() if next_start else len(buf)
        real = _FRAME_END.search(buf, 6, limit)
        if real is not None and real.start() + 2 - 6 != length:
            actual = real.start() + 2 - 6
            return self._cut(real.end(), BadLength(f"declared data-segment length {length}, actual {actual}",
                                                   declared=length, actual=actual))
        if len(buf) >= body_end + 1:
            tail = bytes(buf[body_end:body_end + 2])
            if _CHECKSUM_AT.match(buf, body_end - 4) and buf[body_end - 6:body_end - 4] == b"&&":
                if tail == b"\r\n":
                    return self._cut(body_end + 2)
                if tail[:1] == b"\n":
                    return self._cut(body_end + 1)  # LF-only tail: the parser's policy decides
                if tail == HEADER:
                    return self._cut(body_end)  # no tail, the next frame follows at once
                if tail in (b"#", b"\r") and len(buf) < body_end + 2:
                    return None
        # A new frame that starts before this one's declared end: this one was cut short (a
        # logger reset mid-frame); cut there so the frames that follow are not swallowed.
        if next_start is not None and next_start.start() < body_end + 2:
            cut = next_start.start()
            return self._cut(cut, Truncated(f"a new frame starts after {cut} bytes, before the end of this one's "
                                            f"declared {length}-byte data segment, checksum and tail",
                                            size=cut, needed=body_end + 2))
        if len(buf) < body_end + 2:
            return None  # the rest may still come
        if real is None and next_start is None and len(buf) < self.length_guard + 12:
            return None  # the declared extent is wrong; wait for the real end or the next frame
        # Hand the declared extent to the parser, which names the problem (bad tail or checksum).
        return self._cut(body_end + 2)
