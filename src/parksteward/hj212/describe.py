"""A frame, or why it is not one, as a plain JSON-ready dict (what ``hj212 decode`` prints)."""

from __future__ import annotations

from parksteward.hj212.errors import Hj212Error
from parksteward.hj212.frame import Frame, parse_frame, parse_segment

FIELDS = ("ok", "error", "version", "qn", "st", "cn", "pw", "mn", "flag", "pnum", "pno", "cp", "data_time",
          "values", "warnings")


def describe(raw: bytes, policy: str = "strict") -> dict:
    """Parse ``raw`` and describe it; a bad frame gives ``ok: false`` with the error's kind and
    message, and whatever of its segment could still be read."""
    try:
        frame = parse_frame(raw, policy=policy)
    except Hj212Error as exc:
        result = _frame_fields(_best_effort(raw))
        result.update(ok=False, error={"kind": exc.kind, "message": exc.message})
        return result
    result = _frame_fields(frame)
    result.update(ok=True, error=None)
    return result


def _best_effort(raw: bytes) -> Frame | None:
    """The header and data area of a frame that failed a framing check, when they parse."""
    end = raw.rfind(b"&&")
    if not raw.startswith(b"##") or end < 6:
        return None
    try:
        header, cp = parse_segment(raw[6:end + 2])
    except Hj212Error:
        return None
    return Frame(header=header, cp=cp)


def _frame_fields(frame: Frame | None) -> dict:
    result = dict.fromkeys(FIELDS)
    result.update(cp=[], values=[], warnings=[])
    if frame is None:
        return result
    flag = frame.flag
    data_time = frame.data_time
    result.update(
        version=frame.version,
        qn=frame.qn, st=frame.st, cn=frame.cn, pw=frame.pw, mn=frame.mn,
        flag=None if flag is None else {"raw": flag.raw, "version_bits": flag.version_bits, "d": flag.d, "a": flag.a},
        pnum=frame.pnum, pno=frame.pno,
        cp=[[key, value] for key, value in frame.cp],
        data_time=None if data_time is None else data_time.isoformat(),
        values=[{"code": v.code, "code_2017": v.code_2017, "field": v.field, "value": v.value, "flag": v.flag}
                for v in frame.values()],
        warnings=list(frame.warnings),
    )
    return result


def line_to_frame(line: bytes) -> bytes:
    """A frame written on one line: strip the line end (a real CR LF / LF, or the four literal
    characters ``\\r\\n``) and put back the real CR LF tail."""
    line = line.rstrip(b"\r\n").rstrip(b" \t")
    line = line.removesuffix(b"\\r\\n").rstrip(b" \t")
    return line + b"\r\n"
