"""Typed HJ 212 errors; each says what was found and what was expected.

``kind`` is a short stable name used in logs, archives and the ``hj212 decode`` output.
"""

from __future__ import annotations


class Hj212Error(ValueError):
    kind = "error"

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class BadHeader(Hj212Error):
    """The frame does not start with ``##`` followed by four decimal digits."""

    kind = "bad_header"


class BadLength(Hj212Error):
    """The declared data-segment length disagrees with the frame."""

    kind = "bad_length"


class OverLong(Hj212Error):
    """The declared data segment is longer than the configured guard."""

    kind = "over_long"


class Truncated(Hj212Error):
    """The frame ends before its declared length, checksum and tail."""

    kind = "truncated"


class BadChecksum(Hj212Error):
    """The printed checksum is not the one the policy accepts."""

    kind = "bad_checksum"


class BadTail(Hj212Error):
    """The frame does not end with CR LF."""

    kind = "bad_tail"


class MalformedSegment(Hj212Error):
    """The data segment is not ``key=value;...;CP=&&...&&``."""

    kind = "malformed_segment"


class BadEncoding(Hj212Error):
    """The data segment is not valid UTF-8."""

    kind = "bad_encoding"
