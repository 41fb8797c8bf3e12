"""Ingest benchmark: HJ 212 frames over loopback TCP -> gateway -> pipeline -> store. Prints figures, asserts nothing.

    .venv/bin/python benchmarks/ingest.py                          # both stores, 300 s, 1000 devices x 10 factors
    .venv/bin/python benchmarks/ingest.py --store sqlite --duration 30 --rate 20000
    .venv/bin/python benchmarks/ingest.py --store sqlite --profile  # 20 s, gateway under cProfile, top 25
    .venv/bin/python benchmarks/ingest.py --consoles 5             # with five consoles watching live values

This process creates a throw-away store (SQLite in a temp dir; a new PostgreSQL database on
127.0.0.1:5432, user postgres, dropped afterwards), registers a park with --devices devices
(one argon2 hash shared by all), and starts two kinds of process:

* the gateway: RollupEngine + Pipeline + Batcher + TcpGateway wired as in ``parksteward.server``
  (the Pipeline subclass here only times the writer thread, and profiles it under --profile);
* with --consoles N, N park consoles (one process of httpx streams) reading the live readings
  stream over HTTP from the gateway process, which serves it as ``/api/v1/live/readings`` does
  (the LiveReadings consumer on the writer's commits, Server-Sent Events on the event loop);
* load generator(s) (asyncio): --connections TCP connections carrying the devices. Each device
  first sends one frame (first contact: the argon2 password check, outside the figures), then
  2011 real-time frames (Flag=5, --factors values, DataTime +1 s per frame, from 30 days ago),
  pipelined with at most --window unanswered frames per connection, paced to --rate readings/s
  (0: as fast as the windows allow). Frames are built from fixed parts with a precomputed checksum.

Once a second it samples the readings committed (summed from the frame verdicts committed with
them), the gateway's VmRSS (with its worker processes), and the CPU of the gateway, the
generators, the PostgreSQL backends of the benchmark database and the whole machine. Over the
measured window (after --warmup) it prints: readings/s (a reading = one factor value) from the
store and from 9014 answers (sent only after the commit); latency p50/p99/max from sending a frame
to receiving its 9014 (matched by QN) -- when the gateway is saturated this is frames in flight /
throughput (Little's law), i.e. set by --window, so measure latency below saturation with a lower
--rate; gateway RSS (start, end, peak, drift); CPU in % of one core ("other processes" = machine
minus the above: the machine may be shared, so its busy figure before the run is printed too).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import logging
import multiprocessing as mp
import os
import pstats
import resource
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from array import array
from collections import namedtuple
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

from parksteward import runtime
from parksteward.bootstrap import prepare_database
from parksteward.config import Settings
from parksteward.db import make_engine, make_sessionmaker
from parksteward.db.wal import WalCheckpointer
from parksteward.hj212 import build_frame, parse_frame
from parksteward.hj212.codes import factor_catalogue
from parksteward.ingest.batcher import Batcher
from parksteward.ingest.pipeline import Pipeline, fan_out
from parksteward.ingest.rollup import RollupEngine
from parksteward.ingest.tables import Reading
from parksteward.registry.service import DEVICE_PASSWORDS
from parksteward.registry.tables import Device, Enterprise, MonitoringPoint, Park

TARGET_RATE, TARGET_P99_MS = 100_000, 250
TARGET = "target: >= 100,000 readings/s sustained for 5 min on both stores, p99 < 250 ms, gateway memory flat"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PASSWORD, PARK_TZ = "123456", "Asia/Shanghai"
FIRST_CODES = ["a21026", "a21002", "a34013", "a19001", "a00000", "a01011", "a01012", "a01013", "a01014", "a24088"]
VALUE_SETS = 16  # frames cycle through this many sets of factor values
TICK = 0.05  # generator pacing step [s]: each tick visits every connection, so not too often
CLK = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------ frames, built fast
def _crc_byte(reg: int) -> int:
    for _ in range(8):
        reg = (reg >> 1) ^ 0xA001 if reg & 1 else reg >> 1
    return reg


CRC = [_crc_byte(byte) for byte in range(256)]  # the CRC-16/ARC byte table that Annex A steps through


def _crc(reg: int, data: bytes) -> int:
    """The HJ 212 Annex A checksum register after ``data``."""
    for byte in data:
        reg = CRC[(reg >> 8) ^ byte]
    return reg


def _crc_map(data: bytes) -> list[int]:
    """The register after a fixed piece for each high byte before it (Annex A carries only that byte over)."""
    return [_crc(high << 8, data) for high in range(256)]


class FrameFactory:
    """2011 frames in build_frame's layout; per frame only QN, MN and DataTime go through the checksum loop."""

    HEAD, MID = b";ST=31;CN=2011;PW=" + PASSWORD.encode() + b";MN=", b";Flag=5;CP=&&DataTime="

    def __init__(self, codes: list[str], start: datetime):
        self.codes, self.epoch = codes, int(start.replace(tzinfo=timezone.utc).timestamp())  # local time as if UTC
        self.after_qn, self.head_map, self.mid_map = _crc(0xFFFF, b"QN="), _crc_map(self.HEAD), _crc_map(self.MID)
        self.values = [[f"{(10 + 7.3 * i + 0.37 * k) % 100:.3f}" for i in range(len(codes))] for k in range(VALUE_SETS)]
        self.tails = [b"".join(b";%s-Rtd=%s,%s-Flag=N" % (c.encode(), v.encode(), c.encode())
                               for c, v in zip(codes, values)) + b"&&" for values in self.values]
        self.tail_maps = [_crc_map(tail) for tail in self.tails]

    def data_time(self, k: int) -> bytes:
        return time.strftime("%Y%m%d%H%M%S", time.gmtime(self.epoch + k)).encode()

    def frame(self, qn: bytes, mn: bytes, k: int) -> bytes:
        dt = self.data_time(k)
        reg = _crc(self.head_map[_crc(self.after_qn, qn) >> 8], mn)
        reg = self.tail_maps[k % VALUE_SETS][_crc(self.mid_map[reg >> 8], dt) >> 8]
        segment = b"".join((b"QN=", qn, self.HEAD, mn, self.MID, dt, self.tails[k % VALUE_SETS]))
        return b"##%04d%s%04X\r\n" % (len(segment), segment, reg)

    def check(self, mn: str) -> None:
        """Refuse to run unless a fast frame equals build_frame's and parses strictly."""
        cp = [("DataTime", self.data_time(7).decode())]
        for code, value in zip(self.codes, self.values[7]):
            cp += [(f"{code}-Rtd", value), (f"{code}-Flag", "N")]
        fast = self.frame(b"%017d" % 7, mn.encode(), 7)
        if fast != build_frame(st="31", cn="2011", mn=mn, pw=PASSWORD, qn="%017d" % 7, flag=5, cp=cp) \
                or len(parse_frame(fast).values()) != len(self.codes):
            raise SystemExit("benchmark bug: the fast frame builder disagrees with build_frame")


# ------------------------------------------------------------------ load generator process
class Load:
    """A generator process's counters; answers count only inside [t_warm, t_end]."""

    def __init__(self, opts: dict):
        self.opts, self.factory = opts, FrameFactory(opts["codes"], opts["start"])
        self.rate = opts["rate"] / opts["factors"] / opts["connections"]  # frames/s per connection
        self.t0 = self.t_warm = self.t_end = float("inf")
        self.latencies, self.timeline = array("f"), [0] * (int(opts["duration"]) + 2)
        self.answered_at = array("f")  # when each latency was measured [s after t0]
        self.sent = self.answered = self.acked = self.unexpected = self.lost = 0

    def due(self, now: float, phase: float) -> int:
        return int((now - self.t0) * self.rate + phase) if self.rate else 1 << 62

    def answer(self, sent: float, now: float) -> None:
        self.answered += 1
        if self.t_warm <= now <= self.t_end:
            self.acked += 1
            self.latencies.append(now - sent)
            self.answered_at.append(now - self.t0)
        if self.t0 <= now <= self.t_end:
            self.timeline[int(now - self.t0)] += 1


class LoadConnection(asyncio.Protocol):
    """One TCP connection carrying some devices: paced, pipelined frames; answers matched by QN."""

    def __init__(self, load: Load, mns: list[str], phase: float):
        self.load, self.phase, self.transport = load, phase, None
        self.devices = [[mn.encode(), 0] for mn in mns]  # MN, frames sent so far (= DataTime offset [s])
        self.sent_at: dict[bytes, float] = {}  # QN -> when sent
        self.seq = self.timed = 0
        self.buffer = b""

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        self.transport = None
        self.load.lost += 1

    def send(self, n: int, now: float) -> None:
        frames = []
        for _ in range(n):
            device, qn = self.devices[self.seq % len(self.devices)], b"%017d" % self.seq
            frames.append(self.load.factory.frame(qn, device[0], device[1]))
            device[1] += 1
            self.seq += 1
            self.sent_at[qn] = now
        self.transport.write(b"".join(frames))
        self.load.sent += n

    def pump(self, now: float) -> None:
        if self.transport is not None and self.load.t0 <= now < self.load.t_end:
            n = min(self.load.due(now, self.phase) - self.timed, self.load.opts["window"] - len(self.sent_at))
            if n > 0:
                self.timed += n
                self.send(n, now)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        lines = (self.buffer + data).split(b"\r\n")
        self.buffer = lines.pop()
        for line in lines:
            start = line.find(b"QN=") + 3
            sent = self.sent_at.pop(line[start:line.find(b";", start)], None)
            if sent is None or b"CN=9014" not in line:
                self.load.unexpected += 1
            else:
                self.load.answer(sent, now)
        self.pump(now)


async def _generate(port: int, groups: list[list[str]], opts: dict, pipe) -> dict:
    load, loop = Load(opts), asyncio.get_running_loop()
    load.factory.check(groups[0][0])
    conns = [LoadConnection(load, mns, i / len(groups)) for i, mns in enumerate(groups)]
    for conn in conns:
        await loop.create_connection(lambda c=conn: c, "127.0.0.1", port)
    started = time.monotonic()
    for conn in conns:  # first contact: one frame per device, answered after the password check
        conn.send(len(conn.devices), started)
    while any(c.sent_at for c in conns) and time.monotonic() < started + 300:
        await asyncio.sleep(0.1)
    first_contact = time.monotonic() - started
    pipe.send("ready")
    load.t0 = await loop.run_in_executor(None, pipe.recv)
    load.t_warm, load.t_end = load.t0 + opts["warmup"], load.t0 + opts["duration"]
    await asyncio.sleep(max(0.0, load.t0 - time.monotonic()))
    while (now := time.monotonic()) < load.t_end:
        for conn in conns:
            conn.pump(now)
        await asyncio.sleep(TICK)
    behind = sum(max(0, load.due(load.t_end, c.phase) - c.timed) for c in conns) if load.rate else 0
    while any(c.sent_at for c in conns) and time.monotonic() < load.t_end + 30:  # drain
        await asyncio.sleep(0.1)
    for conn in conns:
        if conn.transport is not None:
            conn.transport.close()
    return {"first_contact_s": first_contact, "sent": load.sent, "answered": load.answered, "acked": load.acked,
            "unanswered": sum(len(c.sent_at) for c in conns), "unexpected": load.unexpected, "lost": load.lost,
            "behind": behind, "timeline": load.timeline, "latencies": load.latencies.tobytes(),
            "answered_at": load.answered_at.tobytes()}


def generator_main(port: int, groups: list[list[str]], opts: dict, pipe) -> None:
    _raise_nofile()
    pipe.send(runtime.run(_generate(port, groups, opts, pipe)))


# ------------------------------------------------------------------ gateway process
class MeteredPipeline(Pipeline):
    """The project's Pipeline, also timing the writer thread (and profiling it under --profile)."""

    def __init__(self, engine, rollups: RollupEngine | None, profiler: cProfile.Profile | None, notary=None,
                 alarm_stage=None, live=None):
        consumers = [c for c in (rollups.mark if rollups else None, notary.submit if notary else None,
                                 live.submit if live else None) if c]
        super().__init__(engine, alarm_stage=alarm_stage, on_commit=fan_out(consumers) if consumers else None)
        self.rollups, self.profiler = rollups, profiler
        self.busy, self.batches, self.arrivals = {"batches": 0.0, "rollups": 0.0}, 0, 0
        self.cpu = {"batches": 0.0, "rollups": 0.0}  # the writer thread's own CPU time in those calls [s]
        self.durations = {"batches": array("f"), "rollups": array("f")}  # each call [s]
        self.starts = {"batches": array("d"), "rollups": array("d")}  # when each call began [perf_counter s]

    def run(self, arrivals, decoded=()):
        self.batches += 1
        self.arrivals += len(arrivals) + sum(len(batch) for batch in decoded)
        return self._timed("batches", super().run, arrivals, decoded)

    def run_rollups(self, force: bool = False):
        return self._timed("rollups", self.rollups_runner.run, force)

    def _timed(self, what, work, *args):
        if self.profiler:
            self.profiler.enable()  # cProfile sees only the thread that enables it
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return work(*args)
        finally:
            self.cpu[what] += time.thread_time() - cpu
            self.busy[what] += time.perf_counter() - start
            self.durations[what].append(time.perf_counter() - start)
            self.starts[what].append(start)
            if self.profiler:
                self.profiler.disable()


class _Timed:
    """Hands the server's roll-up loop a ``run`` that the pipeline times (and profiles)."""

    def __init__(self, pipeline: MeteredPipeline):
        self.run = pipeline.run_rollups


def gateway_main(url: str, profile_dir: str | None, with_rollups: bool, workers: int, extras: bool, consoles: int,
                 pipe) -> None:
    # Imported here, as `parksteward serve` imports it only in its command: at the top of this
    # module, the server's imports (the API, dispersion, ...) were loaded again by every
    # spawned process (gateway workers, roll-ups, generators), which re-import the main module.
    from parksteward.alarms.engine import AlarmEngine
    from parksteward.alarms.notary import notarize_pending
    from parksteward.ingest.live import LiveReadings
    from parksteward.ingest.notary import FrameNotary
    from parksteward.ledger.store import LogStore
    from parksteward.server import ROLLUP_EVERY_S, rollup_runner, rollups_every, start_gateway

    alarms_stop = threading.Event()
    collections_ms: dict[int, list[float]] = {0: [], 1: [], 2: []}  # the cyclic collector's pauses here
    collecting = [0.0]

    def on_collection(phase: str, info: dict) -> None:
        if phase == "start":
            collecting[0] = time.perf_counter()
        else:
            collections_ms[info["generation"]].append(1000 * (time.perf_counter() - collecting[0]))

    gc.callbacks.append(on_collection)
    _raise_nofile()
    logging.basicConfig(level=logging.WARNING, format="gateway %(levelname)s %(name)s: %(message)s")
    engine = make_engine(url)
    loop_profiler, writer_profiler = (cProfile.Profile(), cProfile.Profile()) if profile_dir else (None, None)

    async def serve() -> dict:
        rollups = RollupEngine(engine) if with_rollups else None  # wired as in parksteward.server (api.app)
        # The frame notary and the alarm stage, as api.app wires them and serve() starts them.
        log = LogStore(engine, Settings().ledger_origin)
        notary = FrameNotary(log) if extras else None
        alarms = None
        if extras:
            sessions = make_sessionmaker(engine)
            alarms = AlarmEngine(sessions, Settings().alarm_sweep_seconds,
                                 notarize=partial(notarize_pending, sessions, log))
            alarms.start(alarms_stop)
        # The consoles' live values, as api.app wires them, served over HTTP as the API serves them.
        live = LiveReadings(make_sessionmaker(engine)) if consoles else None
        pipeline = MeteredPipeline(engine, rollups, writer_profiler, notary, alarms, live)
        live_server = await serve_live_readings(live) if live else None
        settings = Settings(database_url=url, gateway_host="127.0.0.1", gateway_port=0, gateway_workers=workers)
        batcher = Batcher(pipeline)
        await batcher.start()
        if notary is not None:
            notary.write = batcher.write  # as parksteward.server sets it
        pipeline.rollups_runner = rollup_runner(settings, rollups, batcher=batcher) if rollups else None
        wal = WalCheckpointer(engine)  # as parksteward.server starts it
        wal.start()
        # Roll-ups in a thread of their own, every ROLLUP_EVERY_S, as parksteward.server runs them.
        rollup_task = asyncio.create_task(rollups_every(_Timed(pipeline), ROLLUP_EVERY_S)) if rollups else None
        tcp = start_gateway(settings, batcher)  # as parksteward.server starts it
        await tcp.start()
        started = time.perf_counter()
        children = {child.pid: child.name for child in mp.active_children()}  # the workers, the roll-ups
        pipe.send((tcp.port, live_server.servers[0].sockets[0].getsockname()[1] if live_server else None))
        await asyncio.to_thread(pipe.recv)  # "stop"
        if live_server is not None:
            live_server.should_exit = True
        await tcp.stop()
        alarms_stop.set()
        if notary is not None:
            await asyncio.to_thread(notary.close)
        if rollup_task is not None:
            rollup_task.cancel()
            await asyncio.gather(rollup_task, return_exceptions=True)
            if hasattr(pipeline.rollups_runner, "close"):
                pipeline.rollups_runner.close()
        await batcher.stop()
        wal.stop()
        return {"busy": pipeline.busy, "cpu": pipeline.cpu, "batches": pipeline.batches, "arrivals": pipeline.arrivals,
                "durations": {k: sorted(v) for k, v in pipeline.durations.items()},
                # for --report: each call as (start [s after the gateway listened], duration [ms])
                "calls": {k: [(round(t0 - started, 3), round(1000 * d, 1)) for t0, d in
                              zip(pipeline.starts[k], pipeline.durations[k])] for k in pipeline.starts},
                "life_s": time.perf_counter() - started,
                "children": children,
                "gc_ms": {generation: sorted(pauses) for generation, pauses in collections_ms.items()}}

    if profile_dir:
        loop_profiler.enable()
    stats = runtime.run(serve())  # as parksteward.cli runs the server
    if profile_dir:
        loop_profiler.disable()
        loop_profiler.dump_stats(os.path.join(profile_dir, "loop.prof"))
        writer_profiler.dump_stats(os.path.join(profile_dir, "writer.prof"))
    engine.dispose()
    pipe.send(stats)


async def serve_live_readings(live):
    """``GET /live``: the live readings stream (SSE) as ``/api/v1/live/readings`` serves it, on a free port."""
    import uvicorn
    from fastapi import FastAPI

    from parksteward.alarms.stream import sse_response

    app = FastAPI()

    @app.get("/live")
    async def stream():
        return sse_response(live.broadcaster, live.subscribe(None), event="reading")

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    server.install_signal_handlers = lambda: None
    asyncio.get_running_loop().create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    return server


def consoles_main(port: int, count: int, pipe) -> None:
    """``count`` consoles reading the live stream, as browsers' EventSource do; reports the events read."""
    import httpx

    async def one(client, counts, k):
        async with client.stream("GET", f"http://127.0.0.1:{port}/live", timeout=None) as response:
            async for line in response.aiter_lines():
                if line.startswith("event: reading"):
                    counts[k] += 1

    async def run():
        counts = [0] * count
        async with httpx.AsyncClient() as client:
            tasks = [asyncio.create_task(one(client, counts, k)) for k in range(count)]
            await asyncio.sleep(0.5)
            pipe.send("ready")
            await asyncio.to_thread(pipe.recv)  # "stop"
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return counts

    pipe.send(asyncio.run(run()))


def _raise_nofile() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)


# ------------------------------------------------------------------ store and park
class StoreUnavailable(Exception):
    pass


@contextmanager
def throwaway_store(kind: str, postgres_url: str):
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="parksteward-bench-") as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    import psycopg

    url = make_url(postgres_url)
    try:
        admin = psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, password=url.password,
                                dbname=url.database or "postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(f"no PostgreSQL server answers at {postgres_url}: {exc}") from None
    name = f"parksteward_bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def seed(engine, devices: int, codes: list[str]) -> list[str]:
    """One park, an enterprise per 100 devices, a stack point per device; returns the MNs."""
    password_hash = DEVICE_PASSWORDS.hash(PASSWORD)  # once: argon2 costs milliseconds per call
    boundary = {"type": "Polygon", "coordinates": [[[118.78, 32.23], [118.82, 32.23], [118.8, 32.27], [118.78, 32.23]]]}
    mns = [f"BENCH{i:019d}" for i in range(devices)]
    with engine.begin() as c:
        park = c.execute(insert(Park).values(name="Benchmark park", timezone=PARK_TZ, boundary=boundary)
                         ).inserted_primary_key[0]
        enterprises = c.execute(insert(Enterprise).returning(Enterprise.id, sort_by_parameter_order=True), [
            {"park_id": park, "name": f"Enterprise {e}", "credit_code": f"BENCH{e:013d}", "industry": "fine_chemical",
             "size_class": "medium", "pollution_class": "key", "lon": 118.8, "lat": 32.25}
            for e in range((devices + 99) // 100)]).scalars().all()
        points = c.execute(insert(MonitoringPoint).returning(MonitoringPoint.id, sort_by_parameter_order=True), [
            {"park_id": park, "enterprise_id": enterprises[i // 100], "code": f"BENCH-P{i:06d}", "name": f"Stack {i}",
             "kind": "stack_cems", "lon": 118.8, "lat": 32.25} for i in range(devices)]).scalars().all()
        c.execute(insert(Device), [{"point_id": point, "mn": mn, "password_hash": password_hash, "factor_codes": codes,
                                    "protocol_version": "2017", "checksum_policy": "strict"}
                                   for point, mn in zip(points, mns)])
    return mns


class StoreProbe:
    """Cheap looks at the loaded store: committed readings; on PostgreSQL also the CPU of its backends.

    Readings are summed from ``frame_verdict.readings`` of the verdicts committed since the
    last look (each verdict is committed with its frame's readings; the benchmark sends no
    duplicates), so a look costs the same however large ``reading`` grows.
    """

    def __init__(self, kind: str, url: str):
        self.kind, self.server_ticks, self._last = kind, 0, {}
        self.total, self.last_frame = 0, 0
        if kind == "sqlite":
            self.db = sqlite3.connect(make_url(url).database, isolation_level=None)
            self.mark = "?"
            return
        import psycopg

        u = make_url(url)
        self.db = psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database,
                                  autocommit=True)
        self.mark = "%s"

    def rows(self) -> int:
        added, last = self.db.execute(
            f"SELECT coalesce(sum(readings), 0), max(frame_id) FROM frame_verdict WHERE frame_id > {self.mark}",
            (self.last_frame,)).fetchone()
        self.total += int(added)
        self.last_frame = last or self.last_frame
        return self.total

    def server_cpu(self) -> int:
        """CPU ticks so far of the PostgreSQL backends serving this database (SQLite runs inside the gateway)."""
        if self.kind == "postgresql":
            for (pid,) in self.db.execute("SELECT pid FROM pg_stat_activity "
                                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"):
                try:
                    ticks = _cpu_ticks(pid)
                except OSError:  # the backend ended meanwhile
                    continue
                self.server_ticks += ticks - self._last.get(pid, ticks)
                self._last[pid] = ticks
        return self.server_ticks

    def server_settings(self) -> dict:
        """PostgreSQL: the settings that decide how often it checkpoints, and the checkpoints so far.

        After each checkpoint PostgreSQL writes every page's first change as a full page image
        into the WAL; ingest changes a page per device, so checkpoints forced by a small
        ``max_wal_size`` (the default 1 GB lasts ~10 s at 100,000 readings/s) multiply the WAL
        and show as acknowledgement latency. The figures are printed with the settings in force.
        """
        if self.kind != "postgresql":
            return {}
        settings = dict(self.db.execute(
            "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name IN "
            "('max_wal_size', 'checkpoint_timeout', 'shared_buffers', 'wal_compression', 'synchronous_commit')"))
        timed, requested = self.db.execute("SELECT checkpoints_timed, checkpoints_req FROM pg_stat_bgwriter").fetchone()
        return {**settings, "checkpoints": timed + requested}


# ------------------------------------------------------------------ measuring
Sample = namedtuple("Sample", "t rows rss gateway generators store_server busy total")  # CPU in ticks


def _cpu_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime of all threads


def _rss_mb(pid: int, key: str = "VmRSS") -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key + ":")) / 1024


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the gateway's worker processes)."""
    pids, i = [pid], 0
    while i < len(pids):
        for task in os.listdir(f"/proc/{pids[i]}/task"):
            with open(f"/proc/{pids[i]}/task/{task}/children") as f:
                pids += [int(child) for child in f.read().split()]
        i += 1
    return pids


def _tree_sum(pid: int, measure, *args) -> float:
    total = 0
    for member in _tree(pid):
        try:
            total += measure(member, *args)
        except (OSError, StopIteration):  # ended meanwhile
            pass
    return total


def _machine_ticks() -> tuple[int, int]:
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)  # busy (all but idle and iowait), total


def _start(ctx, target, *args, daemon: bool = True):
    parent, child = ctx.Pipe()
    process = ctx.Process(target=target, args=(*args, child), daemon=daemon)
    process.start()
    child.close()  # so that a crashed child shows as EOF
    return process, parent


def measure(kind: str, url: str, args, profile_dir: str | None) -> dict:
    engine = make_engine(url)
    prepare_database(engine)
    mns = seed(engine, args.devices, args.codes)
    if not args.bare:  # the park's default warning rules, limits and plan, as `parksteward demo` sets up
        from parksteward.alarms.setup import prepare_park

        with make_sessionmaker(engine)() as session:
            prepare_park(session, session.scalars(select(Park)).one())
    ctx = mp.get_context("spawn")
    gateway, gw_pipe = _start(ctx, gateway_main, url, profile_dir, not args.no_rollups, args.gateway_workers,
                              not args.bare, args.consoles, daemon=False)  # it starts the worker processes
    port, live_port = gw_pipe.recv()
    consoles = _start(ctx, consoles_main, live_port, args.consoles) if args.consoles else None
    if consoles:
        consoles[1].recv()  # "ready": every stream open
    groups = [mns[i::args.connections] for i in range(args.connections)]
    opts = {k: getattr(args, k) for k in ("duration", "warmup", "window", "rate", "factors", "connections", "codes")}
    opts["start"] = datetime.now(ZoneInfo(PARK_TZ)).replace(tzinfo=None, microsecond=0) - timedelta(days=30)
    gens = [_start(ctx, generator_main, port, groups[g::args.generators], opts) for g in range(args.generators)]
    for _, pipe in gens:
        pipe.recv()  # "ready": connected, first contact answered
    probe, t0 = StoreProbe(kind, url), time.monotonic() + 0.5
    server_before = probe.server_settings()
    for _, pipe in gens:
        pipe.send(t0)
    samples, results = [], {}
    by_process: dict[int, list[tuple[float, float]]] = {}  # pid -> (t, RSS [MB]) each second
    while len(results) < len(gens):
        time.sleep(max(0.0, t0 + len(samples) - time.monotonic()))
        for member in _tree(gateway.pid):
            try:
                by_process.setdefault(member, []).append((time.monotonic() - t0, _rss_mb(member)))
            except (OSError, StopIteration):  # ended meanwhile
                pass
        samples.append(Sample(time.monotonic() - t0, probe.rows(), _tree_sum(gateway.pid, _rss_mb),
                              _tree_sum(gateway.pid, _cpu_ticks),
                              sum(_cpu_ticks(p.pid) for p, _ in gens), probe.server_cpu(), *_machine_ticks()))
        results.update({p.pid: pipe.recv() for p, pipe in gens if p.pid not in results and pipe.poll()})
    peak_rss = _tree_sum(gateway.pid, _rss_mb, "VmHWM")  # sum of each process's own peak
    server = probe.server_settings()
    if server:
        server["checkpoints"] -= server_before["checkpoints"]  # during the run
    probe.db.close()
    console_events = None
    if consoles:
        consoles[1].send("stop")
        console_events = consoles[1].recv()
        consoles[0].join()
    gw_pipe.send("stop")
    gw = gw_pipe.recv()
    for process in [gateway, *(p for p, _ in gens)]:
        process.join()
    with engine.connect() as c:
        rows_at_end = c.scalar(select(func.count()).select_from(Reading))
    engine.dispose()
    names = {gateway.pid: "server", **gw["children"]}
    rss_by_process = {names.get(pid, str(pid)): _minute_means(points, args) for pid, points in by_process.items()
                      if pid in names and "resource_tracker" not in names[pid]}
    summary = summarise(kind, args, samples, list(results.values()), gw, peak_rss, rows_at_end, server, rss_by_process)
    if console_events is not None:
        summary["consoles"] = {"count": len(console_events), "events_each": console_events}
    return summary


def _minute_means(points: list[tuple[float, float]], args) -> dict:
    """A process's RSS [MB]: mean over the first minute after the warm-up and over the last minute
    of the load (means, not samples: the memory trimmer makes RSS a saw-tooth), and its peak."""
    first = [r for t, r in points if args.warmup <= t < args.warmup + 60]
    last = [r for t, r in points if args.duration - 60 <= t <= args.duration]
    mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")  # noqa: E731
    return {"first_minute": mean(first), "last_minute": mean(last), "peak": max((r for _, r in points), default=0.0)}


def summarise(kind, args, samples, gens, gw, peak_rss, rows_at_end, server=None, rss_by_process=None) -> dict:
    inside = [s for s in samples if args.warmup <= s.t <= args.duration + 0.5]
    a, b = inside[0], inside[-1]
    span = b.t - a.t
    cpu = {k: 100 * (getattr(b, k) - getattr(a, k)) / CLK / span for k in ("gateway", "generators", "store_server")}
    cpu["machine"] = 100 * os.cpu_count() * (b.busy - a.busy) / (b.total - a.total)
    cpu["others"] = cpu["machine"] - cpu["gateway"] - cpu["generators"] - cpu["store_server"]
    by_second: dict[int, list[float]] = {}
    for g in gens:
        for at, x in zip(array("f", g["answered_at"]), array("f", g["latencies"])):
            by_second.setdefault(int(at), []).append(x)
    lat = sorted(x for g in gens for x in array("f", g["latencies"]))
    n, lat = len(lat), lat or [float("nan")]
    half = [s for s in inside if s.t >= (a.t + b.t) / 2]  # least-squares slope of RSS over the second half
    mt, mr = sum(s.t for s in half) / len(half), sum(s.rss for s in half) / len(half)
    slope = sum((s.t - mt) * (s.rss - mr) for s in half) / (sum((s.t - mt) ** 2 for s in half) or 1)
    total = lambda key: sum(g[key] for g in gens)  # noqa: E731
    acked = [args.factors * sum(g["timeline"][i] for g in gens) for i in range(int(args.duration))]
    return {
        "store": kind, **{k: getattr(args, k) for k in ("devices", "factors", "connections", "generators", "gateway_workers", "bare", "window",
                                                         "rate", "duration", "warmup", "profile", "no_rollups")},
        "first_contact_s": max(g["first_contact_s"] for g in gens),
        "store_readings_per_s": (b.rows - a.rows) / span,
        "acked_readings_per_s": total("acked") * args.factors / (args.duration - args.warmup),
        "latency_ms": {"frames": n, **{q: 1000 * lat[min(len(lat) - 1, int(f * len(lat)))]
                                       for q, f in (("p50", 0.5), ("p99", 0.99), ("max", 1.0))}},
        "rss_mb": {"start": a.rss, "end": b.rss, "peak": peak_rss, "drift_per_min": 60 * slope,
                   "by_process": rss_by_process or {}},
        "cpu_pct_of_one_core": cpu,
        "writer_thread": {"batches_pct": 100 * gw["busy"]["batches"] / gw["life_s"], "batches": gw["batches"],
                          "batches_cpu_pct": 100 * gw["cpu"]["batches"] / gw["life_s"],
                          "batch_ms": _quantiles(gw["durations"]["batches"]),
                          "rollup_run_ms": _quantiles(gw["durations"]["rollups"]),
                          "rollups_pct": 100 * gw["busy"]["rollups"] / gw["life_s"], "life_s": gw["life_s"],
                          "frames_per_batch": gw["arrivals"] / max(1, gw["batches"])},
        "frames": {k: total(k) for k in ("sent", "answered", "unanswered", "unexpected", "lost", "behind")},
        "writer_calls": gw["calls"],
        "gc_pauses": {g: {"count": len(p), "total_ms": sum(p), "max_ms": max(p, default=0.0)}
                      for g, p in gw["gc_ms"].items()},
        # t [s], p99 latency [ms] of the frames answered in that second
        "latency_timeline": [(t, round(1000 * sorted(xs)[int(0.99 * len(xs))], 1)) for t, xs in sorted(by_second.items())],
        "rows_at_end": rows_at_end, "rows_expected": total("answered") * args.factors,
        "server": server or {},
        # t [s], store readings/s, acknowledged readings/s, gateway RSS [MB], gateway CPU [% of one core]
        "timeline": [(round(s.t), (s.rows - p.rows) / (s.t - p.t), acked[round(s.t) - 1] if s.t < args.duration
                      else 0, s.rss, 100 * (s.gateway - p.gateway) / CLK / (s.t - p.t))
                     for p, s in zip(samples, samples[1:])],
    }


def _quantiles(sorted_s: list[float]) -> dict:
    if not sorted_s:
        return {"p50": float("nan"), "p99": float("nan"), "max": float("nan")}
    at = lambda f: 1000 * sorted_s[min(len(sorted_s) - 1, int(f * len(sorted_s)))]  # noqa: E731
    return {"p50": at(0.5), "p99": at(0.99), "max": 1000 * sorted_s[-1]}


def report(r: dict) -> None:
    lat, rss, cpu, wt, fr = r["latency_ms"], r["rss_mb"], r["cpu_pct_of_one_core"], r["writer_thread"], r["frames"]
    offered = f"{r['rate']:,.0f} readings/s offered" if r["rate"] else "unpaced"
    flags = " UNDER cProfile (slower than normal)" if r["profile"] else ""
    flags += " WITHOUT roll-ups" if r["no_rollups"] else ""
    print(f"\n== {r['store']}{flags}: {r['devices']} devices"
          f" x {r['factors']} factors, {r['connections']} connections, {r['generators']} generator process(es), "
          f"{r['gateway_workers']} gateway worker process(es), "
          f"window {r['window']}, {offered}, {r['duration']:g} s (first {r['warmup']:g} s excluded); "
          f"{'bare: no notary, no alarm stage' if r.get('bare') else 'frame notary and alarm stage (default rules) on'}")
    print(f"  first contact   {r['first_contact_s']:.1f} s (one frame per device, argon2 check)")
    if r.get("consoles"):
        each = r["consoles"]["events_each"]
        print(f"  consoles        {len(each)} reading the live stream (SSE): {min(each):,} to {max(each):,} "
              f"reading events each ({min(each) / r['duration']:,.0f}/s)")
    print(f"  readings/s      store {r['store_readings_per_s']:,.0f}   acknowledged {r['acked_readings_per_s']:,.0f}"
          f"   (target >= {TARGET_RATE:,})")
    print(f"  latency         p50 {lat['p50']:.0f} ms   p99 {lat['p99']:.0f} ms   max {lat['max']:.0f} ms   "
          f"over {lat['frames']:,} frames   (target p99 < {TARGET_P99_MS} ms)")
    print(f"  gateway RSS     start {rss['start']:.0f} MB   end {rss['end']:.0f} MB   peak {rss['peak']:.0f} MB   "
          f"drift {rss['drift_per_min']:+.1f} MB/min over the second half")
    if rss["by_process"]:
        print("                  by process, mean of the first minute -> of the last (peak): " + "   ".join(
            f"{name} {m['first_minute']:.0f} -> {m['last_minute']:.0f} ({m['peak']:.0f})"
            for name, m in sorted(rss["by_process"].items())))
    print(f"  CPU             gateway {cpu['gateway']:.0f}%   generators {cpu['generators']:.0f}%   PostgreSQL "
          f"backends {cpu['store_server']:.0f}%   other processes {cpu['others']:.0f}%   machine {cpu['machine']:.0f}%"
          f"   (% of one core; {os.cpu_count()} cores)")
    print(f"  threads         writer busy {wt['batches_pct']:.0f}% (batches; on a core {wt['batches_cpu_pct']:.0f}%, the rest "
          f"waiting for the GIL, a lock or the disk), roll-up runs {wt['rollups_pct']:.0f}%, over "
          f"the gateway's {wt['life_s']:.0f} s; {wt['batches']:,} batches of {wt['frames_per_batch']:.0f} frames on "
          "average")
    print(f"                  a commit takes p50 {wt['batch_ms']['p50']:.0f} ms, p99 {wt['batch_ms']['p99']:.0f} ms, max "
          f"{wt['batch_ms']['max']:.0f} ms; a roll-up run p50 {wt['rollup_run_ms']['p50']:.0f} ms, max "
          f"{wt['rollup_run_ms']['max']:.0f} ms")
    gc_text = "   ".join(f"gen {g}: {p['count']:,} x, {p['total_ms']:,.0f} ms in all, longest {p['max_ms']:.0f} ms"
                           for g, p in r["gc_pauses"].items())
    print(f"  gc (server)     {gc_text}")
    print(f"  frames          sent {fr['sent']:,}  answered {fr['answered']:,}  unanswered {fr['unanswered']:,}  "
          f"other answers {fr['unexpected']}  connections lost {fr['lost']}  behind schedule {fr['behind']:,}")
    if r.get("server"):
        print("  PostgreSQL      " + "   ".join(f"{k} {v}" for k, v in r["server"].items() if k != "checkpoints")
              + f"   checkpoints during the run {r['server']['checkpoints']}")
    print(f"  reading rows    {r['rows_at_end']:,} at the end (answered frames x factors: {r['rows_expected']:,})")
    print("  timeline        t [s]   store readings/s   acked readings/s   RSS [MB]   gateway CPU [%]")
    step = max(1, len(r["timeline"]) // 10)
    for t, stored, acked, rss_mb, gw_cpu in r["timeline"][step - 1::step]:
        print(f"                {t:>5}   {stored:>16,.0f}   {acked:>16,.0f}   {rss_mb:>8.0f}   {gw_cpu:>15.0f}")


def print_profile(profile_dir: str) -> None:
    for name, title in (("loop", "event-loop thread (TCP, framing, batcher)"),
                        ("writer", "writer thread (Pipeline.process and roll-ups)")):
        stats = pstats.Stats(os.path.join(profile_dir, f"{name}.prof"), stream=sys.stdout).strip_dirs()
        print(f"\n---- gateway profile, {title}: top 25 by cumulative time")
        stats.sort_stats("cumulative").print_stats(25)
        if name == "writer":
            print(f"---- gateway profile, {title}: top 20 by own time")
            stats.sort_stats("tottime").print_stats(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--duration", type=float, help="seconds of load (default 300; 20 with --profile)")
    parser.add_argument("--warmup", type=float, help="first seconds left out of the figures (default 10%%, 2-10 s)")
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--factors", type=int, default=10)
    parser.add_argument("--connections", type=int, help="TCP connections (default: one per device)")
    parser.add_argument("--window", type=int, default=50, help="unanswered frames allowed per connection")
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="offered readings/s (0: unpaced)")
    parser.add_argument("--generators", type=int, default=1, help="load generator processes")
    parser.add_argument("--gateway-workers", type=int, default=Settings().gateway_worker_count,
                        help="gateway worker processes, as `serve --gateway-workers` (default: the server's default "
                             "for this machine, %(default)s)")
    parser.add_argument("--profile", action="store_true", help="profile the gateway (cProfile), print the top 25")
    parser.add_argument("--no-rollups", action="store_true",
                        help="diagnostic: leave the RollupEngine out, to see the ingest path's own ceiling")
    parser.add_argument("--bare", action="store_true",
                        help="diagnostic: leave out the frame notary and the alarm stage (and the park's rules)")
    parser.add_argument("--postgres-url", default=os.environ.get("PARKSTEWARD_BENCH_POSTGRES_URL", POSTGRES_URL))
    parser.add_argument("--consoles", type=int, default=0,
                        help="park consoles reading the live stream (SSE) from the server during the run")
    parser.add_argument("--report", help="also write the figures as JSON to this file")
    args = parser.parse_args()
    args.duration = args.duration or (20.0 if args.profile else 300.0)
    args.warmup = args.warmup if args.warmup is not None else max(2.0, min(10.0, args.duration / 10))
    args.connections = min(args.connections or args.devices, args.devices)
    others = [row["code"] for row in factor_catalogue()["factors"] if row["code"] not in FIRST_CODES]
    args.codes = (FIRST_CODES + others)[:args.factors]
    before = _machine_ticks()
    time.sleep(1)
    after = _machine_ticks()
    busy_before = 100 * os.cpu_count() * (after[0] - before[0]) / (after[1] - before[1])
    print(TARGET)
    print(f"caveat: the generator(s) share the {os.cpu_count()} cores with the gateway and the store server (their "
          f"CPU is printed); before the run this machine was already {busy_before:.0f}% (of one core) busy")
    results = []
    for kind in ("sqlite", "postgresql") if args.store == "both" else (args.store,):
        with tempfile.TemporaryDirectory(prefix="parksteward-profile-") as profile_dir:
            try:
                with throwaway_store(kind, args.postgres_url) as url:
                    results.append(measure(kind, url, args, profile_dir if args.profile else None))
            except StoreUnavailable as exc:
                print(f"\n== {kind}: skipped, {exc}")
                continue
            report(results[-1])
            if args.profile:
                print_profile(profile_dir)
    if args.report:
        with open(args.report, "w") as f:
            json.dump({"target": TARGET, "command": sys.argv, "machine_busy_before_pct": busy_before,
                       "results": results}, f, indent=1)
        print(f"\nfigures written to {args.report}")


if __name__ == "__main__":
    main()
