"""Monitoring data in the log: one leaf per stored frame's readings (kind ``readings``).

A data frame's readings share a device, an interval (from its CN) and a DataTime, which is the
readings' idempotency key: ``readings:<device id>:<interval>:<t>`` names them. The record is::

    {"device": "<MN>", "interval": "raw", "t": 1767225600,
     "values": [["a21026", "Rtd", "12.3", "N"], ...]}    # sorted by factor and field

Values are written as RFC 8785 numbers in strings (ECMAScript's shortest form of the stored
double), so that the record has no float and the fast canonical encoder applies.

:class:`ReadingsNotary` builds these from each committed batch on its own thread and appends
them to the log in batches, so the writer never waits for the log. The deriver rebuilds the same
record from the ``reading`` table; the raw-frame archive still holds what the device sent, which
the audit shows beside an altered record.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from parksteward.config import Settings
from parksteward.hj212 import Hj212Error, parse_frame
from parksteward.ingest.pipeline import CommittedBatch
from parksteward.ingest.tables import INTERVAL_OF_CN
from parksteward.ledger.canonical import dumps_floatless, number
from parksteward.ledger.derivers import Derived, Deriver, register
from parksteward.ledger.records import Record
from parksteward.ledger.store import LogStore
from parksteward.registry.tables import Device, MonitoringPoint, Park

log = logging.getLogger(__name__)
KIND = "readings"


def ref_of(device_id: int, interval: str, t: int) -> str:
    return f"{KIND}:{device_id}:{interval}:{t}"


def parse_ref(ref: str) -> tuple[int, str, int] | None:
    try:
        kind, device, interval, t = ref.split(":")
        return (int(device), interval, int(t)) if kind == KIND else None
    except ValueError:
        return None


def content_of(mn: str, interval: str, t: int, values) -> dict:
    """The record of one frame's readings; ``values`` are (factor, field, value, flag) in any order."""
    return {"device": mn, "interval": interval, "t": t,
            "values": sorted([factor, field, number(value), flag] for factor, field, value, flag in values)}


# ------------------------------------------------------------------ notarizing committed batches
class ReadingsNotary:
    """Turns committed batches into ``readings`` leaves on a background thread.

    :meth:`submit` (the pipeline's ``on_commit``) only queues the batch. The thread groups its
    rows by frame, builds each record and appends everything queued within ``max_delay_s`` in
    one transaction. Devices are looked up once (MN, enterprise).
    """

    def __init__(self, engine: Engine, log_store: LogStore, *, max_delay_s: float = 0.5, max_leaves: int = 20_000):
        self.engine = engine
        self.log = log_store
        self.max_delay_s = max_delay_s
        self.max_leaves = max_leaves
        self._queue: queue.Queue[CommittedBatch | threading.Event | None] = queue.Queue()
        self._devices: dict[int, tuple[str, int | None]] = {}
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.appended = 0

    def submit(self, batch: CommittedBatch) -> None:
        """Queue a committed batch (the pipeline's ``on_commit``); the thread starts on first use."""
        if self._thread is None:
            self.start()
        self._queue.put(batch)

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until everything queued so far is in the log (tests, shutdown)."""
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout)

    def start(self) -> None:
        with self._start_lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="readings-notary", daemon=True)
            self._thread.start()

    def close(self, timeout: float = 30.0) -> None:
        """Notarize what is queued, then stop."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batches = [self._queue.get()]
            deadline = time.monotonic() + self.max_delay_s
            rows = 0
            while rows < self.max_leaves * 4:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    batches.append(self._queue.get(timeout=remaining))
                except queue.Empty:
                    break
                rows += len(batches[-1].readings) if isinstance(batches[-1], CommittedBatch) else 0
            if None in batches:
                stopping = True
            try:
                self.notarize([b for b in batches if isinstance(b, CommittedBatch)])
            except Exception:  # the log failing must not stop the thread; the audit will see the gap
                log.exception("could not notarize %d committed batches", len(batches))
            for marker in batches:
                if isinstance(marker, threading.Event):
                    marker.set()

    def notarize(self, batches: list[CommittedBatch]) -> int:
        """Append one leaf per frame of ``batches``; returns the number of leaves."""
        frames: dict[tuple[int, str, int], list] = defaultdict(list)
        received: dict[tuple[int, str, int], int] = {}
        for batch in batches:
            for device_id, interval, t, factor, field, value, flag, _code, received_ms in batch.readings:
                key = (device_id, interval, t)
                frames[key].append((factor, field, value, flag))
                received.setdefault(key, received_ms)
        if not frames:
            return 0
        self._learn({key[0] for key in frames})
        records = []
        for (device_id, interval, t), values in frames.items():
            mn, enterprise_id = self._devices.get(device_id, (None, None))
            if mn is None:
                continue  # deleted meanwhile: its readings went with it
            content = content_of(mn, interval, t, values)
            records.append(Record(KIND, ref_of(device_id, interval, t), content, f"mn:{mn}",
                                  received[(device_id, interval, t)], enterprise_id,
                                  encoded=dumps_floatless(content)))
        for start in range(0, len(records), self.max_leaves):
            self.log.append(records[start:start + self.max_leaves])
        self.appended += len(records)
        return len(records)

    def _learn(self, device_ids: set[int]) -> None:
        unknown = device_ids - self._devices.keys()
        if not unknown:
            return
        with Session(self.engine) as session:
            rows = session.execute(select(Device.id, Device.mn, MonitoringPoint.enterprise_id)
                                   .join(MonitoringPoint, MonitoringPoint.id == Device.point_id)
                                   .where(Device.id.in_(unknown))).all()
        for device_id, mn, enterprise_id in rows:
            self._devices[device_id] = (mn, enterprise_id)


# ------------------------------------------------------------------ the deriver
def derive(session: Session, refs: list[str], settings: Settings) -> dict[str, Derived | None]:
    """Each frame's record rebuilt from the ``reading`` table (None where no reading is left)."""
    wanted: dict[tuple[int, str], dict[int, str]] = defaultdict(dict)
    for ref in refs:
        parsed = parse_ref(ref)
        if parsed is not None:
            wanted[parsed[:2]][parsed[2]] = ref
    found: dict[str, Derived | None] = {ref: None for ref in refs}
    mns = dict(session.execute(select(Device.id, Device.mn).where(Device.id.in_({d for d, _ in wanted}))).all())
    values: dict[str, list] = defaultdict(list)
    for (device_id, interval), times in wanted.items():
        for chunk in _chunks(sorted(times), 500):
            rows = session.execute(text("SELECT t, factor, field, value, flag FROM reading WHERE device_id = :d AND "
                                        f"interval = :i AND t IN ({', '.join(str(t) for t in chunk)})"),
                                   {"d": device_id, "i": interval})
            for t, factor, field, value, flag in rows:
                values[times[t]].append((factor, field, value, flag))
    for ref, frame_values in values.items():
        device_id, interval, t = parse_ref(ref)
        found[ref] = Derived(content_of(mns.get(device_id, "?"), interval, t, frame_values))
    return found


def unnotarized(session: Session, notarized: set[str], settings: Settings):
    """Frames in the ``reading`` table that no leaf covers (rows inserted behind the platform's back)."""
    groups = session.execute(text("SELECT DISTINCT device_id, interval, t FROM reading ORDER BY device_id, interval, t"))
    missing = [ref_of(d, i, t) for d, i, t in groups if ref_of(d, i, t) not in notarized]
    if missing:
        for ref, derived in derive(session, missing, settings).items():
            if derived is not None:
                yield ref, derived.content


def original(session: Session, ref: str, submitted_ms: int, settings: Settings) -> dict | None:
    """What the device sent, from the raw-frame archive: its frame with this DataTime received then."""
    parsed = parse_ref(ref)
    if parsed is None:
        return None
    device_id, interval, t = parsed
    found = session.execute(select(Device.mn, Park.timezone).join(MonitoringPoint, MonitoringPoint.id == Device.point_id)
                            .join(Park, Park.id == MonitoringPoint.park_id).where(Device.id == device_id)).first()
    if found is None:
        return None
    mn, zone = found
    data_time = datetime.fromtimestamp(t, ZoneInfo(zone)).strftime("%Y%m%d%H%M%S")
    rows = session.execute(text("SELECT raw FROM raw_frame WHERE received_ms BETWEEN :a AND :b ORDER BY id"),
                           {"a": submitted_ms - 2000, "b": submitted_ms + 2000})
    for (raw,) in rows:
        try:
            frame = parse_frame(bytes(raw), policy="lenient")
        except Hj212Error:
            continue
        if (frame.mn != mn or INTERVAL_OF_CN.get(frame.cn) != interval
                or (frame.item("DataTime") or "")[:14] != data_time):
            continue
        values = [(v.code_2017 or v.code, v.field, v.number, v.flag) for v in frame.values() if v.number is not None]
        return {**content_of(mn, interval, t, values), "frame": bytes(raw).decode("utf-8", "replace")}
    return None


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


register(Deriver(KIND, derive, unnotarized, original))
