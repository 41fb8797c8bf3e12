"""Monitoring data in the log: every archived frame, one leaf per committed batch (kind ``frames``).

What a device sent is the raw HJ 212 frame, archived before it is parsed; readings are derived
from it. So the log commits to the frames, in batches as the writer commits them (ledger.md §9,
"one leaf per batch with the batch's own Merkle root"):

- each frame i gets a salt s_i = HMAC-SHA256(batch secret, frame id) and a commitment
  c_i = SHA-256(s_i || raw frame); its leaf in the batch's own RFC 9162 tree is
  ``frame id (8 bytes, big-endian) || c_i``;
- the batch's record is ``{"frames": n, "ids": [[first, last], ...], "root": "<hex>"}`` (the
  archive ids as ranges, the root of that tree), notarized as one leaf of the log.

The batch secret stays in the store (``ledger_leaf.secret``); a frame's receipt carries its own
s_i only, so holding one receipt reveals nothing about the other frames. Per frame the cost is an
HMAC, a hash and a share of the batch tree (a few microseconds), done by a background thread:
ingestion never waits for the log.

The audit (:func:`derive`) checks both layers: the archived bytes against the batch root (a
frame changed or removed from the archive), and the ``reading`` table against what each
accepted frame decodes to (a reading altered, deleted or inserted behind the platform's back),
naming the frame, its device and DataTime, and the value the device sent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
import time
from collections import defaultdict
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from parksteward.config import Settings
from parksteward.hj212 import Hj212Error, parse_frame
from parksteward.ingest.batcher import WriterStopped
from parksteward.ingest.pipeline import NUMERIC_FIELDS, CommittedBatch
from parksteward.ingest.tables import INTERVAL_OF_CN
from parksteward.ledger import merkle
from parksteward.ledger.canonical import dumps_floatless
from parksteward.ledger.derivers import Derived, Deriver, register
from parksteward.ledger.records import Record, new_salt
from parksteward.ledger.store import LogStore
from parksteward.registry.tables import Device, MonitoringPoint, Park

log = logging.getLogger(__name__)
KIND = "frames"


# ------------------------------------------------------------------ the batch tree
def frame_salt(secret: bytes, frame_id: int) -> bytes:
    return hmac.digest(secret, frame_id.to_bytes(8, "big"), "sha256")


def frame_leaf(frame_id: int, salt: bytes, raw: bytes) -> bytes:
    """The leaf data of a frame in its batch tree: id || SHA-256(salt || raw)."""
    return frame_id.to_bytes(8, "big") + hashlib.sha256(salt + raw).digest()


def id_ranges(ids: list[int]) -> list[list[int]]:
    """Sorted ids as [first, last] runs."""
    runs: list[list[int]] = []
    for i in ids:
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return runs


def ids_of(ranges) -> list[int]:
    return [i for first, last in ranges for i in range(first, last + 1)]


def _batch_tree(secret: bytes, frames: list[tuple[int, bytes]]) -> tuple[list[tuple[int, bytes]], merkle.MemoryTree]:
    """The frames in id order and their batch tree."""
    frames = sorted(frames)
    return frames, merkle.MemoryTree.from_leaves([frame_leaf(i, frame_salt(secret, i), raw) for i, raw in frames])


def _content(frames: list[tuple[int, bytes]], tree: merkle.MemoryTree) -> dict:
    return {"frames": len(frames), "ids": id_ranges([i for i, _ in frames]),
            "root": merkle.root_from(len(frames), tree).hex()}


def batch_content(secret: bytes, frames: list[tuple[int, bytes]]) -> dict:
    """The record of a batch of archived frames (id, raw bytes): count, id ranges and root."""
    return _content(*_batch_tree(secret, frames))


def batch_record(secret: bytes, frames: list[tuple[int, bytes]], submitted_ms: int) -> Record:
    """The log record of archived frames (id, raw bytes)."""
    content = batch_content(secret, frames)
    ids = [i for i, _ in frames]
    return Record(KIND, batch_ref(min(ids), max(ids)), content, "gateway", submitted_ms,
                  encoded=dumps_floatless(content), keep_content=True)


def batch_ref(first: int, last: int) -> str:
    """``frames:<first id>-<last id>``, zero-padded so that the references sort as the ids do."""
    return f"{KIND}:{first:015d}-{last:015d}"


def frame_proof(secret: bytes, frames: list[tuple[int, bytes]], frame_id: int) -> dict:
    """What a frame's receipt carries about its batch (the frame, its salt, its inclusion proof), and the
    batch's record as the archive gives it now (``content``), from one build of the batch tree."""
    frames, tree = _batch_tree(secret, frames)
    index = [i for i, _ in frames].index(frame_id)
    return {"frame_id": frame_id, "frame": frames[index][1], "salt": frame_salt(secret, frame_id), "index": index,
            "size": len(frames), "proof": merkle.inclusion_proof_from(index, len(frames), tree),
            "content": _content(frames, tree)}


# ------------------------------------------------------------------ notarizing committed batches
class FrameNotary:
    """Turns committed batches into ``frames`` leaves on a background thread.

    :meth:`submit` (the pipeline's ``on_commit``) only queues the batch; the thread appends
    everything queued within ``max_delay_s``, one leaf per committed batch, in one transaction.
    """

    def __init__(self, log_store: LogStore, *, max_delay_s: float = 0.5, write=None):
        self.log = log_store
        self.max_delay_s = max_delay_s
        # The ingest writer's Batcher.write: on SQLite the leaves then go in by the one writer
        # instead of a second one that would stall it and reset its page cache; once the
        # writer has stopped (shutting down), the log's own engine writes them.
        self.write = write
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.appended = 0  # leaves
        self.frames = 0

    def submit(self, batch: CommittedBatch) -> None:
        """Queue a committed batch; the thread starts on first use."""
        if not batch.frames:
            return
        if self._thread is None:
            self.start()
        self._queue.put(batch)

    def start(self) -> None:
        with self._start_lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="frame-notary", daemon=True)
            self._thread.start()

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until everything queued so far is in the log."""
        if self._thread is None:
            return
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Notarize what is queued, then stop."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        stopping = False
        while not stopping:
            items = [self._queue.get()]
            deadline = time.monotonic() + self.max_delay_s
            while (remaining := deadline - time.monotonic()) > 0:
                try:
                    items.append(self._queue.get(timeout=remaining))
                except queue.Empty:
                    break
            stopping = None in items
            try:
                self.notarize([b for b in items if isinstance(b, CommittedBatch)])
            except Exception:  # the log failing must not stop the thread; the audit will see the gap
                log.exception("could not notarize %d committed batches", len(items))
            for marker in items:
                if isinstance(marker, threading.Event):
                    marker.set()

    def notarize(self, batches: list[CommittedBatch]) -> int:
        """Append one leaf per batch; returns the number of leaves."""
        records, secrets = [], []
        for batch in batches:
            if not batch.frames:
                continue
            secret = new_salt()
            records.append(batch_record(secret, [(i, raw) for i, raw in batch.frames], batch.committed_ms))
            secrets.append(secret)
        if records:
            try:
                self.log.append(records, secrets=secrets, transact=self.write)
            except WriterStopped:
                self.log.append(records, secrets=secrets)
            self.appended += len(records)
            self.frames += sum(r.content["frames"] for r in records)
        return len(records)


# ------------------------------------------------------------------ the audit
def derive(session: Session, leaves: list, settings: Settings) -> dict[str, Derived | None]:
    """Each batch rebuilt from the archive, with the frames whose readings differ from what they sent."""
    out: dict[str, Derived | None] = {}
    for leaf in leaves:
        if leaf.content is None or leaf.secret is None:
            out[leaf.ref] = Derived({}, "the store lacks this batch's summary or key")
            continue
        notarized = json.loads(leaf.content)
        ids = ids_of(notarized["ids"])
        raw: dict[int, bytes] = {}
        for chunk in _chunks(ids, 900):
            raw.update((i, bytes(r)) for i, r in session.execute(
                text(f"SELECT id, raw FROM raw_frame WHERE id IN ({', '.join(map(str, chunk))})")))
        present = [(i, raw[i]) for i in ids if i in raw]
        if not present:
            out[leaf.ref] = None
            continue
        content = batch_content(leaf.secret, present)
        missing = [i for i in ids if i not in raw]
        details, covers = _readings_check(session, present)
        problem = f"frame(s) {', '.join(map(str, missing[:10]))} gone from the archive" if missing else None
        out[leaf.ref] = Derived(content, problem, tuple(details), frozenset(covers))
    return out


def _readings_check(session: Session, frames: list[tuple[int, bytes]]) -> tuple[list[dict], set]:
    """The accepted frames' readings against the ``reading`` table: differences, and the keys covered."""
    verdicts = dict(session.execute(text(
        f"SELECT frame_id, device_id FROM frame_verdict WHERE ok AND readings > 0 AND device_id IS NOT NULL "
        f"AND frame_id IN ({', '.join(str(i) for i, _ in frames)})")).all())
    devices = _devices(session, set(verdicts.values()))
    sent: dict[tuple[int, str, int], tuple[int, dict]] = {}
    for frame_id, raw in frames:
        device_id = verdicts.get(frame_id)
        if device_id is None or device_id not in devices:
            continue
        decoded = decode_readings(raw, devices[device_id][1])
        if decoded is not None:
            interval, t, values = decoded
            sent.setdefault((device_id, interval, t), (frame_id, values))  # a resent frame: the first counts
    stored: dict[tuple[int, str, int], dict] = defaultdict(dict)
    by_series: dict[tuple[int, str], list[int]] = defaultdict(list)
    for device_id, interval, t in sent:
        by_series[(device_id, interval)].append(t)
    for (device_id, interval), times in by_series.items():
        for chunk in _chunks(sorted(times), 900):
            for t, factor, field, value, flag in session.execute(text(
                    "SELECT t, factor, field, value, flag FROM reading WHERE device_id = :d AND interval = :i AND "
                    f"t IN ({', '.join(map(str, chunk))})"), {"d": device_id, "i": interval}):
                stored[(device_id, interval, t)][(factor, field)] = (value, flag)
    details = []
    for key, (frame_id, values) in sent.items():
        now = stored.get(key, {})
        changed = {k for k in values.keys() | now.keys() if values.get(k) != now.get(k)}
        if not changed:
            continue
        device_id, interval, t = key
        mn = devices[device_id][0]
        what = "; ".join(f"{f}-{fi} sent {_v(values.get((f, fi)))}, stored {_v(now.get((f, fi)))}"
                         for f, fi in sorted(changed))
        details.append({"change": "deleted" if not now else "altered", "ref": readings_ref(device_id, interval, t),
                        "submitter": f"mn:{mn}", "detail": f"readings of frame {frame_id} (MN {mn}, {interval} "
                        f"data of {_iso(t)}) differ from what the device sent: {what}",
                        "original": _as_dict(values), "current": _as_dict(now)})
    return details, set(sent)


def readings_ref(device_id: int, interval: str, t: int) -> str:
    return f"readings:{device_id}:{interval}:{t}"


def decode_readings(raw: bytes, zone: str) -> tuple[str, int, dict] | None:
    """(interval, t, {(factor, field): (value, flag)}) as the pipeline stores a data frame; None if it is not one."""
    try:
        frame = parse_frame(raw, policy="lenient")
    except Hj212Error:
        return None
    interval = INTERVAL_OF_CN.get(frame.cn)
    local = frame.data_time
    if interval is None or local is None:
        return None
    t = int(local.replace(tzinfo=ZoneInfo(zone)).timestamp())
    values: dict = {}
    for v in frame.values():
        if v.field not in NUMERIC_FIELDS or v.number is None:
            continue
        key = ((v.code_2017 or v.code)[:16], v.field[:16])
        values.setdefault(key, (v.number, v.flag[:4] if v.flag else None))  # the first value of a repeat is kept
    return interval, t, values


def unnotarized(session: Session, covered: set, settings: Settings):
    """Readings no notarized frame accounts for (rows inserted behind the platform's back)."""
    groups = session.execute(text("SELECT DISTINCT device_id, interval, t FROM reading ORDER BY device_id, interval, t"))
    for device_id, interval, t in groups:
        if (device_id, interval, t) in covered:
            continue
        rows = session.execute(text("SELECT factor, field, value, flag FROM reading WHERE device_id = :d AND "
                                    "interval = :i AND t = :t"), {"d": device_id, "i": interval, "t": t})
        yield readings_ref(device_id, interval, t), _as_dict({(f, fi): (v, fl) for f, fi, v, fl in rows})


def _devices(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = session.execute(select(Device.id, Device.mn, Park.timezone)
                           .join(MonitoringPoint, MonitoringPoint.id == Device.point_id)
                           .join(Park, Park.id == MonitoringPoint.park_id).where(Device.id.in_(ids)))
    return {device_id: (mn, zone) for device_id, mn, zone in rows}


def _as_dict(values: dict) -> dict:
    return {f"{f}-{fi}": {"value": v, "flag": fl} for (f, fi), (v, fl) in sorted(values.items())}


def _v(value) -> str:
    return "nothing" if value is None else f"{value[0]!r}" + (f" ({value[1]})" if value[1] else "")


def _iso(t: int) -> str:
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds")


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


register(Deriver(KIND, derive, unnotarized))
