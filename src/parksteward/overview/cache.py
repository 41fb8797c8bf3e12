"""Overviews kept for a few seconds, shared by the consoles that ask for the same one.

An overview reads the whole day's hourly roll-ups (some 80 ms for a park of 640 devices in the
morning, 200 ms at night, on SQLite), and every open console asks again each minute: the wall
of a control room, the director's laptop, the steward's. Its figures move with the roll-ups,
which are computed minute by minute, so one computed a few seconds ago is as good an answer;
``generated_at`` says when it was computed, and the console shows it. A client that needs a
fresh one sends ``Cache-Control: no-cache`` (RFC 9111 §5.2.1.4).

Concurrent requests for an overview that is being computed wait for it rather than computing it
again.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date

from parksteward.access import Actor

FRESH_FOR_S = 10.0  # an overview is served this long after it was computed
KEPT = 64  # overviews kept: parks x days x scopes (an enterprise user sees its own)


class OverviewCache:
    """Overviews by park, day and actor scope, each served for :data:`FRESH_FOR_S` seconds."""

    def __init__(self, fresh_for_s: float = FRESH_FOR_S, kept: int = KEPT,
                 clock: Callable[[], float] = time.monotonic):
        self.fresh_for_s = fresh_for_s
        self._kept = kept
        self._clock = clock
        self._entries: OrderedDict[tuple, tuple[float, dict]] = OrderedDict()
        self._computing: dict[tuple, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, actor: Actor, park_id: int, day: date | None, compute: Callable[[], dict],
            fresh: bool = False) -> dict:
        """The overview ``compute()`` gives, or the one it gave less than ``fresh_for_s`` ago for
        the same park, day (None: today) and scope; ``fresh``: compute it now whatever is kept.

        The caller checks that ``actor`` may read the park before asking: a kept overview is
        handed to anyone of the same scope (role and enterprise).
        """
        key = (park_id, day, actor.role, actor.enterprise_id)
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:  # one computation per key at a time; the others wait and take its result
            with self._lock:
                kept = self._entries.get(key)
                if kept is not None and not fresh and self._clock() - kept[0] < self.fresh_for_s:
                    self._entries.move_to_end(key)
                    return kept[1]
            started = self._clock()
            try:
                answer = compute()
            except BaseException:
                # Nothing to keep (a day after today, say): nor its lock, or every bad request
                # would leave one behind.
                with self._lock:
                    if key not in self._entries:
                        self._computing.pop(key, None)
                raise
            with self._lock:
                self._entries[key] = (started, answer)
                self._entries.move_to_end(key)
                while len(self._entries) > self._kept:
                    old, _ = self._entries.popitem(last=False)
                    self._computing.pop(old, None)
            return answer
