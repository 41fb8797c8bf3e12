"""The ingestion pipeline: archive -> decode -> authenticate -> validate -> store -> hand on.

Transports (TCP, MQTT, HTTP) collect :class:`Arrival` objects and call
:meth:`Pipeline.process` with a batch (through the :class:`~parksteward.ingest.batcher.Batcher`,
which keeps one writer per store). The pipeline

1. archives every arrival's bytes in ``raw_frame`` and commits, before anything is parsed;
2. parses each frame (the device's checksum policy decides on Modbus variants), checks the
   MN and password against the registered devices (:class:`Decoder`);
3. turns data uploads (2011 real-time, 2051 minute, 2061 hourly, 2031 daily) into readings,
   refusing values that are not finite numbers and naming every refusal;
4. stores readings in one batched statement that ignores rows already stored, so a resent
   frame is idempotent (key: device, factor, interval, field, DataTime);
5. commits, and only then returns the replies (9014 data answers) the transports send, and
   hands the committed batch to the alarm stage and the roll-up queue.

Gateway worker processes (:mod:`parksteward.ingest.workers`) run step 2-3 themselves and send
the writer a :class:`Decoded` batch: its raw bytes are archived and committed first, then its
data, by the same :meth:`Pipeline.run` that serves in-process arrivals.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from typing import NamedTuple, Protocol, Sequence

from sqlalchemy import Connection, Engine

from parksteward.db.engine import use_writer_page_cache
from parksteward.hj212 import Frame, Hj212Error, accel, build_reply, parse_frame
from parksteward.hj212.codes import DATA_COMMANDS
from parksteward.hj212.errors import BadChecksum, BadTail
from parksteward.hj212.frame import factor_key, parse_number, parse_time
from parksteward.hj212.reassembly import SplitTracker
from parksteward.ingest.devices import DeviceDirectory, KnownDevice
from parksteward.ingest.json_readings import JsonReadings, to_frame
from parksteward.ingest.store import (
    READING_COLUMNS,
    pack_readings,
    unpack_reading_sets,
    write_archive,
    write_reading_sets,
    write_verdicts,
)
from parksteward.ingest.tables import INTERVAL_OF_CN

log = logging.getLogger(__name__)

# A DataTime further in the future than this is refused: the logger's clock is wrong.
CLOCK_SKEW = timedelta(minutes=10)
NUMERIC_FIELDS = frozenset({"Rtd", "Min", "Avg", "Max", "Cou", "ZsRtd", "ZsMin", "ZsAvg", "ZsMax",
                            "Data", "DayData", "NightData"})


@dataclass
class Arrival:
    """Bytes a transport received: one frame candidate, or bytes its framer discarded."""

    raw: bytes
    transport: str = "tcp"
    peer: str | None = None
    received_ms: int = field(default_factory=lambda: int(time.time() * 1000))
    framing_error: Hj212Error | None = None
    message: JsonReadings | None = None  # a JSON readings message (raw holds its JSON)


@dataclass
class Outcome:
    """What became of one arrival."""

    ok: bool
    frame: Frame | None = None
    device: KnownDevice | None = None
    kind: str | None = None
    message: str | None = None
    readings: int = 0
    reply: bytes | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CommittedBatch:
    """What the alarm stage, the roll-up queue and the notary receive after a commit: the
    reading sets written (:data:`~parksteward.ingest.store.READING_SET_COLUMNS` rows) and every
    archived frame of the batch as (archive id, raw bytes). :attr:`readings` unfolds the sets
    into :data:`~parksteward.ingest.store.READING_COLUMNS` tuples, once, when first asked (in
    the consumer's thread, not the writer's)."""

    reading_sets: list[tuple]
    frames: list[tuple[int, bytes]] = field(default_factory=list)
    committed_ms: int = field(default_factory=lambda: int(time.time() * 1000))

    @cached_property
    def readings(self) -> list[tuple]:
        return unpack_reading_sets(self.reading_sets)

    def as_dicts(self) -> list[dict]:
        return [dict(zip(READING_COLUMNS, row)) for row in self.readings]


class AlarmStage(Protocol):
    def handle(self, batch: CommittedBatch) -> None: ...


class NoAlarms:
    """The default alarm stage: does nothing (graded warnings plug in here)."""

    def handle(self, batch: CommittedBatch) -> None:
        return None


class Pipeline:
    """Decode and commit batches; one instance per store writer (one thread, one process).

    :meth:`process` takes arrivals all the way (the in-process path of HTTP, MQTT and the
    in-process TCP gateway); :meth:`run` also commits batches that a gateway worker process
    decoded (:class:`Decoded`), so that one writer commits everything.
    """

    def __init__(self, engine: Engine, directory: DeviceDirectory | None = None,
                 alarm_stage: AlarmStage | None = None, on_commit=None):
        self.engine = engine
        self.decoder = Decoder(directory or DeviceDirectory(engine))
        self.alarm_stage = alarm_stage or NoAlarms()
        self.on_commit = on_commit  # e.g. the roll-up queue: called with the CommittedBatch

    @property
    def directory(self) -> DeviceDirectory:
        return self.decoder.directory

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction of the writer, on a connection with the writer's page cache."""
        with self.engine.begin() as connection:
            use_writer_page_cache(connection)
            yield connection

    def process(self, arrivals: list[Arrival]) -> list[Outcome]:
        """Archive, decode, store and acknowledge ``arrivals``; returns their outcomes in order."""
        return self.run(arrivals)

    def run(self, arrivals: list[Arrival], decoded: Sequence[Decoded] = ()) -> list[Outcome]:
        """Commit ``arrivals`` (decoded here) and batches decoded elsewhere, in one go.

        1. The raw bytes of everything are archived: the arrivals' are committed before they
           are parsed. A store failure after this point still leaves every frame in the
           archive.
        2. Verdicts and readings are written and committed together.
        3. The arrivals' outcomes get their replies (only now: 9014 means committed), and
           the committed readings go to the alarm stage and the roll-up queue.

        Batches decoded by gateway workers alone (already parsed) go in one transaction,
        archive and data: one commit instead of two, one WAL flush less per batch on
        PostgreSQL (benchmark at 100,000 readings/s: acknowledgement p99 350 -> 258 ms). If
        the data fails, everything is rolled back and the archive is written again alone.
        (Not a savepoint: SQLite copies every page a savepoint changes into a statement
        journal: the writer was busy 74 % of the time instead of 61 %.)

        Raises whatever the store raises; then nothing is acknowledged.
        """
        if not arrivals and not decoded:
            return []
        parts: list[Decoded] = list(decoded)
        if arrivals:
            with self.begin() as connection:
                frame_ids = write_archive(connection, [archive_row(a) for a in arrivals]
                                          + [row for batch in decoded for row in batch.archive])
            outcomes, local = self.decoder.decode(arrivals)
            parts.insert(0, local)
            with self.begin() as connection:
                rows = _write_data(connection, frame_ids, parts)
        else:
            outcomes = []
            frame_ids, rows = self._commit_decoded(parts)
        acknowledge(outcomes)
        raw = [a.raw for a in arrivals] + [row[3] for batch in decoded for row in batch.archive]
        batch = CommittedBatch(rows, list(zip(frame_ids, raw)))
        try:
            if rows:  # reading sets
                self.alarm_stage.handle(batch)
            if self.on_commit is not None:  # the roll-ups and the notary (every archived frame is notarized)
                self.on_commit(batch)
        except Exception:  # a failing consumer must not lose the acknowledgement
            log.exception("alarm stage, roll-up queue or notary failed on a committed batch")
        return outcomes

    def _commit_decoded(self, parts: list[Decoded]) -> tuple[list[int], list[tuple]]:
        """Archive and data of worker-decoded batches in one transaction (see :meth:`run`)."""
        archive = [row for batch in parts for row in batch.archive]
        try:
            with self.begin() as connection:
                frame_ids = write_archive(connection, archive)
                rows = _write_data(connection, frame_ids, parts)
        except Exception:
            try:
                with self.begin() as connection:
                    write_archive(connection, archive)  # the frames stay archived, as step 1 promises
            except Exception:
                log.exception("could not archive %d frames after their data failed", len(archive))
            raise
        return frame_ids, rows


def _write_data(connection, frame_ids: list[int], parts: list[Decoded]) -> list[tuple]:
    """Write the reading sets and verdicts (with their archive ids) of decoded batches inside
    the caller's transaction; returns the reading-set rows, in order."""
    rows = [row for part in parts for row in part.reading_sets]
    write_reading_sets(connection, rows)
    write_verdicts(connection, [(frame_id, *verdict) for frame_id, verdict
                                in zip(frame_ids, (v for part in parts for v in part.verdicts), strict=True)])
    return rows


def fan_out(consumers):
    """One ``on_commit`` callback calling each consumer in turn (roll-up marks, the notary, ...)."""

    def call(batch) -> None:
        for consumer in consumers:
            consumer(batch)

    return call


def archive_row(arrival: Arrival) -> tuple:
    """An arrival as a ``raw_frame`` row (:data:`~parksteward.ingest.store.ARCHIVE_COLUMNS`)."""
    return arrival.received_ms, arrival.transport, (arrival.peer or "")[:64] or None, arrival.raw


def acknowledge(outcomes: list[Outcome]) -> None:
    """Give committed outcomes their replies: a 9014 data answer where the frame's Flag asks."""
    for outcome in outcomes:
        if outcome.ok and outcome.frame.flag is not None and outcome.frame.flag.a:
            outcome.reply = build_reply(outcome.frame, "9014")


@dataclass
class Decoded:
    """A decoded batch as plain tuples, ready for the writer and cheap to send between processes.

    ``archive`` holds one :data:`~parksteward.ingest.store.ARCHIVE_COLUMNS` row per frame,
    ``verdicts`` one :data:`~parksteward.ingest.store.VERDICT_COLUMNS` row per frame (without
    the archive id, which the writer assigns), ``reading_sets`` the readings of all frames as
    :data:`~parksteward.ingest.store.READING_SET_COLUMNS` rows (one per device, interval and
    DataTime: a tenth of the objects to send and store that reading rows were).
    """

    archive: list[tuple] = field(default_factory=list)
    verdicts: list[tuple] = field(default_factory=list)
    reading_sets: list[tuple] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.verdicts)


class Decoder:
    """Parse, authenticate and validate frames: everything before the store, no writes.

    Runs in the writer thread (in-process) or in a gateway worker process; each keeps its own
    device directory and split-packet tracker (a connection, and so a split set, stays in one
    process).
    """

    def __init__(self, directory: DeviceDirectory):
        self.directory = directory
        self.splits = SplitTracker()
        self._epochs: dict[tuple, int] = {}

    def decode(self, arrivals: list[Arrival]) -> tuple[list[Outcome], Decoded]:
        outcomes: list[Outcome] = []
        decoded = Decoded()
        rows: list[tuple] = []
        for arrival in arrivals:
            try:
                outcome = self._decode(arrival)
                if outcome.ok and outcome.frame.cn in DATA_COMMANDS:
                    frame_rows: list[tuple] = []
                    self._readings(outcome, arrival, frame_rows)
                    rows += frame_rows
                if outcome.ok and outcome.frame.flag is not None and outcome.frame.flag.d:
                    self._track_split(outcome, arrival)
            except Exception as exc:  # a codec bug must cost one frame, never the batch
                log.exception("unexpected error decoding a frame from %s", arrival.peer)
                outcome = Outcome(False, kind="internal_error", message=f"{exc.__class__.__name__}: {exc}")
            outcomes.append(outcome)
            frame, device = outcome.frame, outcome.device
            decoded.verdicts.append((
                device.id if device else None,
                (frame.mn or "")[:32] if frame else None, (frame.cn or "")[:8] if frame else None,
                outcome.ok, outcome.kind, _clip(outcome.message or "; ".join(outcome.notes) or None), outcome.readings,
            ))
        decoded.reading_sets = pack_readings(rows)
        return outcomes, decoded

    def _track_split(self, outcome: Outcome, arrival: Arrival) -> None:
        """Every part is stored on its own; here only the completeness of its set is followed."""
        now = arrival.received_ms / 1000
        done = self.splits.add(outcome.frame, now)
        if done is not None:
            outcome.notes.append(f"split packet set complete: {done.pnum} parts")
        for stale in self.splits.expire(now):
            log.warning("split packet set from MN %s (CN %s, DataTime %s) incomplete after %.0f s: parts %s of %d "
                        "never arrived", stale.mn, stale.cn, stale.data_time, self.splits.timeout_s, stale.missing,
                        stale.pnum)

    # ------------------------------------------------------------ one frame
    def _decode(self, arrival: Arrival) -> Outcome:
        if arrival.framing_error is not None:
            return Outcome(False, kind=arrival.framing_error.kind, message=arrival.framing_error.message)
        if arrival.message is not None:
            device = self.directory.get(arrival.message.mn)
            if device is None:
                return Outcome(False, kind="unknown_device",
                               message=f"no registered device with MN {arrival.message.mn!r}")
            frame = to_frame(arrival.message, device.timezone)
            if self.directory.authenticate(frame.mn, frame.pw) is None:
                return Outcome(False, frame, device, kind="wrong_password", message=f"wrong password for MN {frame.mn}")
            return Outcome(True, frame, device)
        try:
            frame = parse_frame(arrival.raw, policy="strict")
        except (BadChecksum, BadTail) as strict_error:
            # Field variants: acceptable only for a device on the lenient policy.
            try:
                frame = parse_frame(arrival.raw, policy="lenient")
            except Hj212Error as exc:
                return Outcome(False, kind=exc.kind, message=exc.message)
            device = self.directory.get(frame.mn)
            if device is None or device.checksum_policy != "lenient":
                return Outcome(False, frame, device, kind=strict_error.kind,
                               message=f"{strict_error.message} (device {frame.mn} is on the strict policy)")
        except Hj212Error as exc:
            return Outcome(False, kind=exc.kind, message=exc.message)
        device = self.directory.get(frame.mn)
        if device is None:
            return Outcome(False, frame, kind="unknown_device", message=f"no registered device with MN {frame.mn!r}")
        if self.directory.authenticate(frame.mn, frame.pw) is None:
            return Outcome(False, frame, device, kind="wrong_password", message=f"wrong password for MN {frame.mn}")
        return Outcome(True, frame, device, notes=list(frame.warnings))

    def _epoch(self, data_time: str | None, zone) -> int | None:
        """DataTime (park-local ``YYYYMMDDhhmmss[zzz]``) as epoch seconds; None if malformed.

        Devices of a park report the same instants, so conversions are remembered (bounded).
        """
        key = (data_time, zone)
        t = self._epochs.get(key)
        if t is None:
            local = parse_time(data_time)
            if local is None:
                return None
            if len(self._epochs) >= 100_000:
                self._epochs.clear()
            t = self._epochs[key] = int(local.replace(tzinfo=zone).timestamp())
        return t

    def _readings(self, outcome: Outcome, arrival: Arrival, rows: list[tuple]) -> None:
        frame, device = outcome.frame, outcome.device
        t = self._epoch(frame.item("DataTime"), device.timezone)
        if t is None:
            outcome.ok, outcome.kind = False, "bad_data_time"
            outcome.message = f"DataTime {frame.item('DataTime')!r} is missing or not YYYYMMDDhhmmss"
            return
        if t * 1000 > arrival.received_ms + CLOCK_SKEW.total_seconds() * 1000:
            outcome.ok, outcome.kind = False, "future_data_time"
            outcome.message = (f"DataTime {frame.data_time.isoformat()} is more than {CLOCK_SKEW} ahead of the arrival "
                               f"{datetime.fromtimestamp(arrival.received_ms / 1000).isoformat()} (logger clock?)")
            return
        interval = INTERVAL_OF_CN[frame.cn]
        fast = accel.speedups
        if fast is not None:
            # The same rows built in C; None whenever a value needs a note, and then the
            # loops below (the reference) take the frame.
            built = fast.reading_rows(frame.cp, stored_key_of, device.id, interval, t, arrival.received_ms)
            if built is not None:
                rows += built
                outcome.readings += len(built)
                return
        device_id, received_ms, notes = device.id, arrival.received_ms, outcome.notes
        # One pass over the data area with each key's meaning looked up once per park, not per
        # frame (the same as Frame.values(), filtered to what is stored).
        flags: dict[str, str] = {}
        numeric: list[tuple[StoredKey, str]] = []
        for key, text in frame.cp:
            stored_key = stored_key_of(key)
            if stored_key is None:
                continue
            if stored_key.flag:
                flags.setdefault(stored_key.code, text)  # the first -Flag of a factor counts
            elif stored_key.numeric:
                numeric.append((stored_key, text))
        seen: set[tuple[str, str]] = set()
        stored = len(rows)
        for stored_key, text in numeric:
            number = parse_number(text)
            code = stored_key.code
            if number is None:
                notes.append(f"{code}-{stored_key.field}={text!r} is not a finite number: not stored")
                continue
            if not stored_key.known:
                notes.append(f"unknown factor code {code!r}: stored as received")
            key = stored_key.key
            if key in seen:
                notes.append(f"{code}-{stored_key.field} repeated in one frame: the first value is kept")
                continue
            seen.add(key)
            flag = flags.get(code)
            # READING_COLUMNS order
            rows.append((device_id, interval, t, key[0], key[1], number, flag[:4] if flag else None,
                         stored_key.code_as_sent, received_ms))
        outcome.readings += len(rows) - stored


class StoredKey(NamedTuple):
    """What a data-area key means for the store, e.g. ``a21026-Rtd`` or ``SO2-Avg`` (2005 code)."""

    code: str  # as sent
    field: str
    key: tuple[str, str]  # (factor code, field) as stored: the HJ 212-2017 code where known
    code_as_sent: str
    known: bool  # the code is in the factor catalogue
    numeric: bool  # a value field that is stored (NUMERIC_FIELDS)
    flag: bool  # the factor's data flag (-Flag)


@lru_cache(maxsize=4096)
def stored_key_of(key: str) -> StoredKey | None:
    """The store's reading of a data-area key; None for frame-level items such as DataTime."""
    parts = factor_key(key)
    if parts is None:
        return None
    code_2017 = parts.code_2017
    return StoredKey(parts.code, parts.field, ((code_2017 or parts.code)[:16], parts.field[:16]), parts.code[:16],
                     code_2017 is not None, parts.field in NUMERIC_FIELDS, parts.field == "Flag")


def _clip(text: str | None, limit: int = 500) -> str | None:
    return None if text is None else text[:limit]
