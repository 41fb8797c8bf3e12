"""HJ 212 (2005 / 2017 / 2025) codec: frames, checksum, codes, stream framing. Pure, no I/O."""

from parksteward.hj212.errors import (
    BadChecksum,
    BadEncoding,
    BadHeader,
    BadLength,
    BadTail,
    Hj212Error,
    MalformedSegment,
    OverLong,
    Truncated,
)
from parksteward.hj212.frame import FactorValue, Flag, Frame, build_frame, build_reply, parse_frame, wrap_segment

__all__ = [
    "BadChecksum", "BadEncoding", "BadHeader", "BadLength", "BadTail", "FactorValue", "Flag", "Frame",
    "Hj212Error", "MalformedSegment", "OverLong", "Truncated", "build_frame", "build_reply", "parse_frame",
    "wrap_segment",
]
