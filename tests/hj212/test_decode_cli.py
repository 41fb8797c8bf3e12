"""``parksteward hj212 decode [FILE] [--lenient]``: one JSON object per frame line.

Frames are the published ones of hj212.md §11 and frames built with the test-side Annex A
checksum (tests/hj212/independent.py); expected fields are read off the frame text by hand.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from parksteward.cli import app
from tests.hj212.independent import HOURLY_REPLY, HOURLY_UPLOAD, STANDARD_EXAMPLE, make_frame

runner = CliRunner()

KEYS = {"ok", "error", "version", "qn", "st", "cn", "pw", "mn", "flag", "pnum", "pno", "cp", "data_time", "values",
        "warnings"}
VALUE_KEYS = {"code", "code_2017", "field", "value", "flag"}
FLAG_KEYS = {"raw", "version_bits", "d", "a"}

F2005 = make_frame("ST=32;CN=2011;PW=123456;MN=88888880000001;CP=&&DataTime=20040516020111;"
                   "011-Rtd=50.6,011-Flag=N&&")


def body(frame: bytes) -> bytes:
    """The frame without its CR LF tail, as written on one line."""
    assert frame.endswith(b"\r\n")
    return frame[:-2]


def decode(*args: str, input: bytes | None = None):
    result = runner.invoke(app, ["hj212", "decode", *args], input=input)
    return result


def objects(result) -> list[dict]:
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


def check_shape(obj: dict) -> None:
    assert set(obj) == KEYS
    assert isinstance(obj["ok"], bool)
    if obj["ok"]:
        assert obj["error"] is None
    else:
        assert set(obj["error"]) == {"kind", "message"}
        assert isinstance(obj["error"]["kind"], str) and isinstance(obj["error"]["message"], str)
    assert obj["flag"] is None or set(obj["flag"]) == FLAG_KEYS
    for value in obj["values"]:
        assert set(value) == VALUE_KEYS
    assert isinstance(obj["cp"], list) and isinstance(obj["warnings"], list)


@pytest.fixture()
def frames_file(tmp_path):
    path = tmp_path / "frames.txt"
    path.write_bytes(
        body(STANDARD_EXAMPLE) + b"\r\n"  # a real CR LF
        + b"\n"  # blank line
        + body(HOURLY_UPLOAD) + b"\n"  # LF only
        + b"   \t\r\n"  # whitespace-only line
        + body(HOURLY_REPLY) + b"\\r\\n\n"  # the four literal characters \r\n, then the line end
        + body(STANDARD_EXAMPLE)[:-4] + b"1C08\n"  # bad checksum (the standard's misprint, hj212.md §4.2)
        + b"hello\n"  # not a frame at all
        + body(F2005) + b"\\r\\n"  # literal \r\n on the last line, no line end
    )
    return path


def test_one_object_per_frame_in_order(frames_file):
    result = decode(str(frames_file))
    assert result.exit_code == 0, result.output  # exit status 0 even though two lines are bad
    objs = objects(result)
    assert len(result.stdout.splitlines()) == 6  # nothing but the six objects
    assert [o["ok"] for o in objs] == [True, True, True, False, False, True]
    assert [o["cn"] for o in objs] == ["1062", "2061", "9014", "1062", None, "2011"]
    for obj in objs:
        check_shape(obj)


def test_standard_example_fields(frames_file):
    # HJ 212-2017 Annex A example (hj212.md §4.2)
    obj = objects(decode(str(frames_file)))[0]
    assert obj == {
        "ok": True, "error": None, "version": "2017", "qn": "20160801085857223", "st": "32", "cn": "1062",
        "pw": "100000", "mn": "010000A8900016F000169DC0",
        "flag": {"raw": 5, "version_bits": 1, "d": False, "a": True},  # Flag=5: 2017, reply required
        "pnum": None, "pno": None, "cp": [["RtdInterval", "30"]], "data_time": None, "values": [], "warnings": [],
    }


def test_hourly_upload_fields(frames_file):
    # hj212.md §11 frame 2
    obj = objects(decode(str(frames_file)))[1]
    assert obj["data_time"] == "2025-03-15T09:00:00"  # the start of the hour 09:00-10:00
    assert obj["flag"] == {"raw": 5, "version_bits": 1, "d": False, "a": True}
    assert len(obj["cp"]) == 28 and obj["cp"][0] == ["DataTime", "20250315090000"]
    assert len(obj["values"]) == 22  # 28 items minus DataTime and five -Flag items
    assert obj["values"][0] == {"code": "a00000", "code_2017": "a00000", "field": "Cou", "value": "61200.0",
                                "flag": "N"}
    assert obj["values"][-1] == {"code": "a34013", "code_2017": "a34013", "field": "ZsAvg", "value": "3.4",
                                 "flag": "N"}


def test_reply_and_2005_fields(frames_file):
    objs = objects(decode(str(frames_file)))
    reply, legacy = objs[2], objs[5]
    # hj212.md §11 frame 3
    assert (reply["st"], reply["cn"], reply["cp"], reply["values"]) == ("91", "9014", [], [])
    assert reply["flag"] == {"raw": 4, "version_bits": 1, "d": False, "a": False}
    # a 2005 frame: no Flag -> version 2005, flag null; 011 -> w01018 (hj212.md §9.2)
    assert legacy["flag"] is None and legacy["version"] == "2005" and legacy["qn"] is None
    assert legacy["values"] == [{"code": "011", "code_2017": "w01018", "field": "Rtd", "value": "50.6", "flag": "N"}]
    assert legacy["data_time"] == "2004-05-16T02:01:11"


def test_bad_lines_report_kind_and_message(frames_file):
    objs = objects(decode(str(frames_file)))
    bad_checksum, not_a_frame = objs[3], objs[4]
    assert bad_checksum["error"]["kind"] == "bad_checksum"
    assert "1C08" in bad_checksum["error"]["message"] and "1C80" in bad_checksum["error"]["message"]
    assert bad_checksum["qn"] == "20160801085857223"  # what could still be read
    assert not_a_frame["error"]["kind"] == "bad_header"
    assert not_a_frame["values"] == [] and not_a_frame["flag"] is None


def test_stdin_input():
    data = body(HOURLY_REPLY) + b"\r\n" + body(STANDARD_EXAMPLE) + b"\n"
    result = decode(input=data)
    assert result.exit_code == 0, result.output
    objs = objects(result)
    assert [(o["ok"], o["cn"]) for o in objs] == [(True, "9014"), (True, "1062")]
    for obj in objs:
        check_shape(obj)


@pytest.mark.parametrize(("printed", "variant"), [("0759", "modbus"), ("5907", "modbus_swapped")])
def test_lenient_accepts_a_modbus_checksum_with_a_warning(tmp_path, printed, variant):
    # hj212.md §4.2: CRC-16/MODBUS over the Annex A example is 0759 (5907 with its bytes swapped)
    path = tmp_path / "modbus.txt"
    path.write_bytes(body(STANDARD_EXAMPLE)[:-4] + printed.encode() + b"\n")

    [strict] = objects(decode(str(path)))
    assert strict["ok"] is False and strict["error"]["kind"] == "bad_checksum"
    assert printed in strict["error"]["message"] and "1C80" in strict["error"]["message"]

    result = decode(str(path), "--lenient")
    assert result.exit_code == 0
    [lenient] = objects(result)
    check_shape(lenient)
    assert lenient["ok"] is True and lenient["error"] is None
    assert lenient["qn"] == "20160801085857223"
    assert len(lenient["warnings"]) == 1
    assert printed in lenient["warnings"][0] and variant in lenient["warnings"][0]


def test_empty_input_prints_nothing():
    result = decode(input=b"\n\r\n  \n")
    assert result.exit_code == 0
    assert result.stdout == ""


def test_unicode_digit_flag_does_not_crash_the_command():
    line = body(make_frame("QN=20250315100000123;ST=31;CN=2011;PW=1;MN=1;Flag=\u00b2;CP=&&&&"))
    result = decode(input=line + b"\n" + body(HOURLY_REPLY) + b"\n")
    assert result.exit_code == 0
    objs = objects(result)
    assert [o["ok"] for o in objs] == [False, True]
