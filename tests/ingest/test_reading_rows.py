"""Reading rows built by the compiled fast path (``_speedups.reading_rows``) against the
pure-Python ``Decoder._readings``: the same rows, counts and notes for any data area.

The C code declines (None) whenever the Python code would add a note (a value that is not
a finite number, an unknown factor code, a field repeated in the frame); then the Python
code runs, so the outcome is the same either way. No store is needed: the decoder gets a
stand-in directory.
"""

from __future__ import annotations

import calendar
import contextlib
import time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parksteward.hj212 import Frame, accel
from parksteward.ingest.devices import KnownDevice
from parksteward.ingest.pipeline import Arrival, Decoder, Outcome, stored_key_of
from parksteward.ingest.tables import INTERVAL_OF_CN

speedups = pytest.importorskip("parksteward.hj212._speedups", reason="the C extension is not built")

PROPERTY = settings(max_examples=400, deadline=None)
DEVICE = KnownDevice(7, "MN7", "", "strict", "2017", 3, ZoneInfo("Asia/Shanghai"))
DATA_TIME = ("DataTime", "20250315090000")
RECEIVED_MS = int(time.time() * 1000)  # one arrival time for both paths


class Directory:
    def get(self, mn):
        return DEVICE

    def authenticate(self, mn, pw):
        return DEVICE


@contextlib.contextmanager
def switched(module):
    saved = accel.speedups
    accel.speedups = module
    try:
        yield
    finally:
        accel.speedups = saved


def readings(cp: tuple, cn: str = "2011") -> tuple:
    """Decoder._readings of a frame with data area ``cp``: rows, count, ok, kind and notes."""
    frame = Frame(header=(("CN", cn), ("MN", DEVICE.mn)), cp=cp)
    outcome, rows = Outcome(True, frame, DEVICE), []
    Decoder(Directory())._readings(outcome, Arrival(b"", received_ms=RECEIVED_MS), rows)
    return rows, outcome.readings, outcome.ok, outcome.kind, outcome.notes


def both(cp: tuple, cn: str = "2011") -> tuple:
    with switched(speedups):
        fast = readings(cp, cn)
    with switched(None):
        assert fast == readings(cp, cn)
    return fast


CODES = ["a21026", "a21002", "a34013", "w01018", "011", "02", "B01", "zz999", "LA", "a2101"]
FIELDS = ["Rtd", "Avg", "Min", "Max", "Cou", "ZsRtd", "Data", "Flag", "EFlag", "SampleTime", "Info", "td-Rtd", ""]
VALUES = ["24.8", "-0.35", "0", "1e3", "1E-2", "N", "D", "", "nan", "NaN", "inf", "-inf", "1e400", "abc", "1_000",
          "+5", ".5", "5.", "١٢", "NNNNN", "Normal", "0x10"]
keys = st.one_of(st.tuples(st.sampled_from(CODES), st.sampled_from(FIELDS)).map("-".join),
                 st.sampled_from(["DataTime", "QN", "-Rtd", "a21026-"]))
values = st.one_of(st.sampled_from(VALUES), st.floats(allow_nan=False, allow_infinity=False).map(repr),
                   st.text(max_size=6))


@PROPERTY
@given(st.lists(st.tuples(keys, values), max_size=30), st.sampled_from(["2011", "2051", "2061", "2031"]))
def test_any_data_area_gives_the_same_rows_and_notes(cp, cn):
    both((DATA_TIME, *cp), cn)


plain_numbers = st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: f"{x:.3f}")


@PROPERTY
@given(st.lists(st.sampled_from(CODES[:4]), unique=True, max_size=10), st.data())
def test_well_formed_data_areas_are_built_in_c(codes, data):
    cp = [DATA_TIME]
    for code in codes:
        cp.append((f"{code}-Rtd", data.draw(plain_numbers)))
        cp += data.draw(st.sampled_from([[], [(f"{code}-Flag", data.draw(st.sampled_from(["N", "D", "Normal"])))]]))
    cp = tuple(cp)
    rows, count, ok, _, notes = both(cp)
    assert ok and count == len(codes) and notes == []
    assert speedups.reading_rows(cp, stored_key_of, DEVICE.id, "realtime", 1, 2) is not None  # not declined


def test_a_known_frame():
    rows, count, ok, _, notes = both((DATA_TIME, ("a21026-Rtd", "24.8"), ("a21026-Flag", "Normal"),
                                      ("a21026-Flag", "D"), ("011-Avg", "3"), ("a19001-Info", "x")))
    # DataTime 2025-03-15 09:00 in Asia/Shanghai is 01:00 UTC; 011 (2005) is stored as w01018
    raw, t = INTERVAL_OF_CN["2011"], calendar.timegm((2025, 3, 15, 1, 0, 0))
    assert rows == [(7, raw, t, "a21026", "Rtd", 24.8, "Norm", "a21026", RECEIVED_MS),
                    (7, raw, t, "w01018", "Avg", 3.0, None, "011", RECEIVED_MS)]
    assert (count, ok, notes) == (2, True, [])


@pytest.mark.parametrize(("cp", "note"), [
    ((("a21026-Rtd", "nan"),), "not a finite number"),
    ((("zz999-Rtd", "1"),), "unknown factor code"),
    ((("a21026-Rtd", "1"), ("a21026-Rtd", "2")), "repeated"),
])
def test_what_needs_a_note_is_declined(cp, note):
    assert speedups.reading_rows(cp, stored_key_of, 1, "realtime", 1, 2) is None
    _, _, _, _, notes = both((DATA_TIME, *cp))
    assert note in notes[0]


@pytest.mark.parametrize("cp", [[("a21026-Rtd", "1")], (("a21026-Rtd",),), (("a21026-Rtd", 1.5),), ((1, "1"),)])
def test_odd_data_areas_are_declined_not_raised(cp):
    assert speedups.reading_rows(cp, stored_key_of, 1, "realtime", 1, 2) is None


def test_a_failing_key_lookup_is_declined():
    def broken(key):
        raise RuntimeError("lookup failed")

    assert speedups.reading_rows((("a21026-Rtd", "1"),), broken, 1, "realtime", 1, 2) is None


def test_a_key_lookup_that_returns_odd_keys_is_declined():
    def odd(key):  # a StoredKey-shaped tuple with an unhashable code and a flag
        return (["a21026"], "Flag", ("a21026", "Flag"), "a21026", True, False, True)

    assert speedups.reading_rows((("a21026-Flag", "N"),), odd, 1, "realtime", 1, 2) is None
