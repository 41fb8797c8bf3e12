"""Split packets: parts of one set with their own QNs, completion, and timeouts."""

from parksteward.hj212 import build_frame, parse_frame
from parksteward.hj212.reassembly import SplitTracker


def part(pno: int, pnum: int = 3, qn: str | None = None, data_time: str = "20160801080000"):
    # Annex C of HJ 212-2017: each part is a complete frame, Flag 7 (2017, split, reply), own QN.
    return parse_frame(build_frame(st="32", cn="2061", mn="010000A8900016F000169DC0", pw="100000",
                                   qn=qn or f"2016080108585722{pno}", flag=7, pnum=pnum, pno=pno,
                                   cp=[("DataTime", data_time), (f"w0101{pno}-Avg", "1.0")]))


def test_a_set_completes_when_its_last_part_arrives_in_any_order():
    tracker = SplitTracker()
    assert tracker.add(part(3), now=0) is None
    assert tracker.add(part(1), now=1) is None
    done = tracker.add(part(2), now=2)
    assert done is not None and done.complete and done.received == {1, 2, 3}
    assert len(tracker) == 0


def test_parts_with_one_qn_or_many_qns_group_the_same_way():
    tracker = SplitTracker()
    tracker.add(part(1, 2, qn="20160801085857223"), now=0)
    assert tracker.add(part(2, 2, qn="20160801085857223"), now=0) is not None


def test_different_data_times_are_different_sets():
    tracker = SplitTracker()
    tracker.add(part(1, 2), now=0)
    assert tracker.add(part(2, 2, data_time="20160801090000"), now=0) is None
    assert len(tracker) == 2


def test_an_incomplete_set_is_reported_after_the_timeout():
    tracker = SplitTracker(timeout_s=60)
    tracker.add(part(1), now=0)
    tracker.add(part(3), now=10)
    assert tracker.expire(now=59) == []
    [stale] = tracker.expire(now=60)
    assert stale.missing == [2] and stale.mn == "010000A8900016F000169DC0"
    assert len(tracker) == 0


def test_frames_without_a_valid_part_number_are_ignored():
    tracker = SplitTracker()
    assert tracker.add(part(4, pnum=3), now=0) is None and len(tracker) == 0
