"""Split packets (Flag D = 1, ``PNUM``/``PNO``): track which parts of a set arrived.

Each part of a split upload is a complete frame with its own checksum, whose data area
holds whole ``key=value`` items (HJ 212-2017 Annex C example; reference hj212.md §10.1), so
the receiver stores every part as it comes. What remains is to know whether a set is
complete: parts are grouped by (MN, CN, DataTime, PNUM) — not by QN, since devices give each
part its own QN — and a set still missing parts after a timeout is reported as incomplete
instead of silently forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parksteward.hj212.frame import Frame


@dataclass
class PartSet:
    mn: str
    cn: str
    data_time: str | None
    pnum: int
    first_seen: float
    received: set[int] = field(default_factory=set)

    @property
    def missing(self) -> list[int]:
        return [n for n in range(1, self.pnum + 1) if n not in self.received]

    @property
    def complete(self) -> bool:
        return not self.missing


class SplitTracker:
    def __init__(self, timeout_s: float = 600.0, max_sets: int = 100_000):
        self.timeout_s = timeout_s
        self.max_sets = max_sets
        self._sets: dict[tuple, PartSet] = {}

    def add(self, frame: Frame, now: float) -> PartSet | None:
        """Record a part; returns its set when this part completed it (the set is then forgotten)."""
        pnum, pno = frame.pnum, frame.pno
        if pnum is None or pno is None or not 1 <= pno <= pnum:
            return None
        key = (frame.mn, frame.cn, frame.item("DataTime"), pnum)
        part_set = self._sets.get(key)
        if part_set is None:
            if len(self._sets) >= self.max_sets:  # bounded memory: the oldest set goes first
                self._sets.pop(next(iter(self._sets)))
            part_set = self._sets[key] = PartSet(frame.mn or "", frame.cn or "", key[2], pnum, now)
        part_set.received.add(pno)
        if part_set.complete:
            del self._sets[key]
            return part_set
        return None

    def expire(self, now: float) -> list[PartSet]:
        """Sets older than the timeout that are still incomplete (and forgets them)."""
        stale = [key for key, s in self._sets.items() if now - s.first_seen >= self.timeout_s]
        return [self._sets.pop(key) for key in stale]

    def __len__(self) -> int:
        return len(self._sets)
