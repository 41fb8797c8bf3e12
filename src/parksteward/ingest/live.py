"""Live readings for the console: the newest values of each point, pushed as they are committed.

The ingest writer hands every committed batch to :meth:`LiveReadings.submit`, which only queues
it (and does nothing at all while no console is connected), so a commit never waits for a
browser. A thread of its own unfolds the sets, finds each device's point and enterprise, keeps
the newest set per point, and publishes at most one ``reading`` event per point every
``min_interval_s`` seconds, with the newest values: a point sending ten frames a second does not
send a console ten events a second. Enterprise users receive their own points' events only.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time

from sqlalchemy import select

from parksteward.alarms.stream import Broadcaster
from parksteward.registry.tables import Device, MonitoringPoint

log = logging.getLogger(__name__)
MAX_QUEUED_BATCHES = 1000


class LiveReadings:
    def __init__(self, sessionmaker, broadcaster: Broadcaster | None = None, min_interval_s: float = 1.0):
        self.sessionmaker = sessionmaker
        self.broadcaster = broadcaster or Broadcaster()
        self.min_interval_s = min_interval_s
        self._queue: queue.Queue = queue.Queue(MAX_QUEUED_BATCHES)
        self._points: dict[int, tuple[int, str, int | None] | None] = {}  # device -> (point id, point code, enterprise)
        self._pending: dict[int, dict] = {}  # point -> newest event not yet sent
        self._sent_at: dict[int, float] = {}  # point -> monotonic time of its last event
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------ the writer's side
    def submit(self, batch) -> None:
        """Called by the ingest writer after each commit: queue the batch, if anyone is watching."""
        if not self.broadcaster.count or not batch.reading_sets:
            return
        try:
            self._queue.put_nowait(batch.reading_sets)
        except queue.Full:  # the consoles get the next batch's values instead
            pass

    # ------------------------------------------------------------ the subscribers' side
    def subscribe(self, enterprise_id: int | None):
        """A subscriber (see :class:`~parksteward.alarms.stream.Broadcaster`); starts the thread."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="live-readings", daemon=True)
                self._thread.start()
        return self.broadcaster.subscribe(enterprise_id)

    def _run(self) -> None:
        while True:
            try:
                sets = self._queue.get(timeout=self.min_interval_s)
            except queue.Empty:
                sets = None
            try:
                if sets is not None:
                    self.take(sets)
                self.flush()
            except Exception:
                log.exception("live readings: a batch could not be published")

    def take(self, sets: list[tuple]) -> None:
        """Keep the newest raw set per point from ``sets`` (reading-set rows) as its pending event."""
        for device_id, interval, t, _received_ms, data in sets:
            if interval != "raw":
                continue
            point = self._point_of(device_id)
            if point is None:
                continue
            point_id, code, enterprise_id = point
            pending = self._pending.get(point_id)
            if pending is not None and pending["t"] > t:
                continue
            values = {name.partition(",")[0]: entry[:2] for name, entry in json.loads(data).items()
                      if name.endswith(",Rtd")}
            self._pending[point_id] = {"point_id": point_id, "code": code, "t": t, "values": values,
                                       "enterprise": {"id": enterprise_id}}

    def flush(self, now: float | None = None) -> int:
        """Publish the pending events whose point has not had one for ``min_interval_s``."""
        now = time.monotonic() if now is None else now
        due = [p for p in self._pending if now - self._sent_at.get(p, -1e9) >= self.min_interval_s]
        for point_id in due:
            self.broadcaster.publish(self._pending.pop(point_id))
            self._sent_at[point_id] = now
        return len(due)

    def _point_of(self, device_id: int):
        if device_id not in self._points:  # a device new since the last look: read the map again
            with self.sessionmaker() as session:
                rows = session.execute(select(Device.id, MonitoringPoint.id, MonitoringPoint.code,
                                              MonitoringPoint.enterprise_id).join(MonitoringPoint,
                                                                                  Device.point_id == MonitoringPoint.id))
                self._points = {device: (point, code, enterprise) for device, point, code, enterprise in rows}
            # A device gone meanwhile: remembered as such, not read again with each of its sets
            # (ids are not reused, so a device added later still finds the map read afresh).
            self._points.setdefault(device_id, None)
        return self._points[device_id]
