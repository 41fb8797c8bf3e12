"""The live device simulator (``parksteward simulate``): the demo park's data loggers on the wire.

One asyncio TCP client per registered device connects to the HJ 212 gateway and uploads
real frames, as a data logger (数采仪) does: real-time data (CN 2011) every real-time
interval, minute data (2051) at the end of each minute interval for stacks (MinInterval 1),
fence-line VOC stations (1) and wastewater outlets (10), hourly data (2061) after each hour,
the treatment facility's run state (2021) once an hour at stacks and outlets, and a restart
notice (2081) each time it reconnects. What the frames carry is described in
:mod:`parksteward.sim.device` (values: :mod:`parksteward.sim.signals`; the three demo
stories: :mod:`parksteward.sim.stories`).

A client keeps up to ``window`` frames unanswered, reads the gateway's 9014 answers with a
:class:`~parksteward.hj212.stream.FrameSplitter` and counts what was acknowledged. When the
connection drops, or no answer comes within ``ack_timeout_s``, it reconnects with an
exponential back-off and resends what was not acknowledged (at most ``max_resends`` times;
the gateway stores resends idempotently). About one frame in ``drop_one_in`` it resets on
purpose, as real loggers do: it sends half the frame, drops the connection and comes back
after the back-off.

**The simulated clock.** It starts at ``start`` and runs ``speed`` times faster than the
wall clock until it has caught up with it, then runs in real time::

    sim(now) = min(start + speed · (now − t0), now)

so it never runs ahead of the wall clock, and a DataTime is never in the future (the
gateway refuses DataTime more than 10 minutes ahead). ``speed`` 1 with ``start`` = now is
live data. A faster clock needs a start in the past: ``parksteward simulate --speed N
--duration D`` starts at now − D·(N − 1) by default, so the replay meets the wall clock just
as the run ends; ``parksteward demo`` replays the last :data:`DEMO_REPLAY_S` three hours at
up to :data:`DEMO_SPEED` times real time and then stays live. Replayed history skips
real-time values older than ``realtime_window_s`` (when set): a logger catching up sends its
stored minute and hourly data, not stale real-time values — this keeps the demo's first
minute to some 75 000 frames instead of 300 000 (minute values are kept: the platform's
hourly roll-ups are computed from them). Once its clock has met the wall clock, behind
anything due before, a logger sends the ``hourly_history_s`` before ``start`` as hourly
values (2061), one every ``stored_hour_every_s``, as a logger uploads the hours it stored
while its link was down behind what is current: the demo sends the day before its replay this way
(:data:`DEMO_HOURLY_HISTORY_S`), one frame per device and hour, so that a day's hourly chart
is full and holds a night shift; those stored hours are taken from one sample a minute
(:data:`~parksteward.sim.device.HISTORY_SAMPLE_S`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, select

from parksteward.hj212 import Hj212Error, parse_frame
from parksteward.hj212.stream import FrameSplitter
from parksteward.registry.tables import Device, Enterprise, MonitoringPoint, Park, RiskSource
from parksteward.sim.demo_park import DEFAULT_SEED, demo_device_password
from parksteward.sim.device import HISTORY_SAMPLE_S, DeviceModel, DeviceSpec, numeric_count
from parksteward.sim.signals import stable_key
from parksteward.sim.stories import choose_stories

log = logging.getLogger(__name__)

DEMO_REPLAY_S = 3 * 3600.0  # [s]
DEMO_SPEED = 720.0  # [-]: three hours in 15 s, if the gateway keeps up
DEMO_REALTIME_WINDOW_S = 300.0  # [s]
# The demo's day before the replay, as hourly values only: a day always holds a night shift, so
# the night-shift NMHC story shows in a point's hourly chart whenever the demo starts.
DEMO_HOURLY_HISTORY_S = 24 * 3600.0  # [s]
CONNECT_TIMEOUT_S = 10.0  # HJ 212-2017 Table 1: 10 s answer timeout over mobile networks


# ---------------------------------------------------------------- the clock
class SimClock:
    """Simulated time: ``start`` + ``speed`` × elapsed, never ahead of the wall clock [epoch s]."""

    def __init__(self, start: float, speed: float = 1.0, real_start: float | None = None, wall=time.time):
        if not speed > 0:
            raise ValueError(f"speed is {speed!r}, expected a number > 0")
        self.wall = wall
        self.real_start = wall() if real_start is None else real_start
        if start > self.real_start + 1:
            raise ValueError(f"start {datetime.fromtimestamp(start).isoformat()} lies in the future; "
                             f"the simulated clock may not run ahead of the wall clock")
        self.start = start
        self.speed = speed

    def now(self) -> float:
        real = self.wall()
        return min(self.start + self.speed * (real - self.real_start), real)

    def meets_wall_clock_at(self) -> float:
        """The instant the simulated clock meets the wall clock, and from which it runs in real
        time [epoch s]; ``inf`` if it never does (a start in the past at speed 1 or slower).

        start + speed · (t − t0) = t  ⇒  t = t0 + (t0 − start) / (speed − 1)
        """
        if self.start >= self.real_start:
            return self.real_start
        if self.speed <= 1:
            return math.inf
        return self.real_start + (self.real_start - self.start) / (self.speed - 1)

    def real_time_of(self, t: float) -> float:
        """The wall-clock instant at which the simulated clock reaches ``t`` [epoch s]."""
        return max(self.real_start + (t - self.start) / self.speed, t)


def default_start(now: float, speed: float, duration_s: float | None, replay_s: float | None = None) -> float:
    """Where the simulated clock starts: ``now − replay_s`` when given; else, for a faster
    clock, ``now − duration·(speed − 1)`` (the replay meets the wall clock as the run ends)
    or one hour back without a duration; ``now`` at speed 1."""
    if replay_s is not None:
        return now - replay_s
    if speed > 1:
        return now - (duration_s * (speed - 1) if duration_s else 3600.0)
    return now


# ---------------------------------------------------------------- configuration and figures
@dataclass(frozen=True)
class SimulatorConfig:
    """How the simulator runs; times are wall-clock seconds unless they say otherwise."""

    host: str = "127.0.0.1"
    port: int = 9212
    speed: float = 1.0
    duration_s: float | None = None  # None: until cancelled
    start: float | None = None  # simulated start [epoch s]; None: now
    seed: int = DEFAULT_SEED
    realtime_window_s: float | None = None  # skip 2011 values older than this behind the wall clock
    hourly_history_s: float | None = None  # the hourly values (2061) of this long before start, sent once live
    stored_hour_every_s: float = 0.5  # once live again, one stored hour this often
    drop_one_in: int = 500  # a deliberate reset about once in this many frames (0: never)
    window: int = 8  # unanswered frames in flight per device
    ack_timeout_s: float = 30.0
    backoff_s: float = 1.0
    max_backoff_s: float = 60.0
    max_resends: int = 3
    drain_s: float = 15.0  # at the end, wait this long for the last answers
    report_every_s: float = 60.0


@dataclass
class SimStats:
    """What the simulator did; ``readings`` counts the values of acknowledged data frames."""

    devices: int = 0
    connections: int = 0
    connect_failures: int = 0
    reconnects: int = 0
    drops: int = 0
    timeouts: int = 0
    frames_sent: int = 0
    frames_resent: int = 0
    frames_acked: int = 0
    frames_given_up: int = 0
    frames_unanswered_at_end: int = 0
    readings: int = 0
    by_cn: Counter = field(default_factory=Counter)
    started: float = 0.0
    ended: float = 0.0
    sim_start: float = 0.0
    sim_end: float = 0.0

    @property
    def elapsed_s(self) -> float:
        return max((self.ended or time.time()) - self.started, 1e-9)

    def summary(self) -> str:
        return (f"{self.devices} devices, {self.elapsed_s:.1f} s: {self.frames_sent} frames sent "
                f"({self.frames_sent / self.elapsed_s:.0f}/s), {self.frames_acked} acknowledged, "
                f"{self.readings} readings ({self.readings / self.elapsed_s:.0f}/s), {self.frames_resent} resent, "
                f"{self.reconnects} reconnects ({self.drops} deliberate), {self.timeouts} answer timeouts, "
                + (f"{self.connect_failures} failed connection attempts, " if self.connect_failures else "")
                + f"by CN {dict(sorted(self.by_cn.items()))}")


class _OutOfTime(Exception):
    """The run ends before the device could reconnect."""


@dataclass
class _Pending:
    frame: bytes
    cn: str
    readings: int
    resends: int = 0


# ---------------------------------------------------------------- one data logger
class DeviceClient:
    """One data logger: its schedule, its connection, its unanswered frames."""

    def __init__(self, model: DeviceModel, clock: SimClock, config: SimulatorConfig, stats: SimStats):
        self.model = model
        self.clock = clock
        self.config = config
        self.stats = stats
        self.rng = random.Random(stable_key(config.seed, model.spec.mn, "runtime"))
        self.pending: dict[str, _Pending] = {}
        self.changed = asyncio.Event()
        self.writer: asyncio.StreamWriter | None = None
        self.reader_task: asyncio.Task | None = None
        self.generation = 0
        self.lost = True
        self.connected_once = False
        self.failures = 0
        self.seq = 0
        self.stop_real: float | None = None

    # ------------------------------------------------------------ the schedule
    def schedule(self):
        """Due times (simulated) of the streams: [due, order, kind, period start, period end]."""
        m, start = self.model, self.clock.start
        interval = m.rtd_interval_s
        first_rt = math.ceil((start - m.rtd_offset_s) / interval) * interval + m.rtd_offset_s
        streams = [[first_rt, 0, "2011", 0.0, 0.0]]
        if m.min_interval_s:
            end = math.ceil(start / m.min_interval_s) * m.min_interval_s
            streams.append([end + m.period_delay_s, 1, "2051", end - m.min_interval_s, end])
        hour_end = math.ceil(start / 3600) * 3600
        streams.append([hour_end + m.hour_delay_s, 2, "2061", hour_end - 3600, hour_end])
        if m.run_state_offset_s is not None:
            due = math.floor(start / 3600) * 3600 + m.run_state_offset_s
            streams.append([due if due >= start else due + 3600, 3, "2021", 0.0, 0.0])
        return streams

    def history_hours(self) -> list[tuple[float, float]]:
        """The hours [t0, t1) of ``hourly_history_s`` before the hourly stream's first hour, oldest first."""
        if not self.config.hourly_history_s:
            return []
        first_end = math.ceil(self.clock.start / 3600) * 3600 - 3600  # the stream's first hour starts here
        count = int(self.config.hourly_history_s // 3600)
        return [(first_end - 3600 * k, first_end - 3600 * (k - 1)) for k in range(count, 0, -1)]

    async def run(self, stop_real: float | None) -> None:
        self.stop_real = stop_real
        history = self.history_hours()
        try:
            try:
                await self._upload(history)
            except _OutOfTime:
                pass  # the run ended while the logger waited to reconnect
            # The run's end: stored hours not yet sent, and what is unanswered, go out in the drain time.
            self.stop_real = None if stop_real is None else stop_real + self.config.drain_s
            await self.send_stored(history)
            await self.drain()
        except _OutOfTime:
            self.stats.frames_unanswered_at_end += len(self.pending)
        finally:
            self.close()

    async def _upload(self, history: list[tuple[float, float]]) -> None:
        """The streams in the order they fall due until the run's end; the stored hours
        (``history``, consumed) follow once the logger is live again."""
        m, config, stop_real = self.model, self.config, self.stop_real
        streams = self.schedule()
        # The stored hours follow what is current: due from the instant the clock meets the wall
        # clock, after anything due before it (a logger's catch-up), one every stored_hour_every_s.
        stored = [self.clock.meets_wall_clock_at(), 4, "stored", 0.0, 0.0]
        if history:
            streams.append(stored)
        while True:
            stream = min(streams)
            due, _, cn, t0, t1 = stream
            due_real = self.clock.real_time_of(due)
            if stop_real is not None and max(due_real, time.time()) > stop_real:
                return
            delay = due_real - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if cn == "2011":
                stream[0] += m.rtd_interval_s
                if config.realtime_window_s is not None and due < time.time() - config.realtime_window_s:
                    continue  # stale: a logger catching up sends its minute and hourly data
                items = m.realtime(due)
            elif cn == "2051":
                step = m.min_interval_s
                stream[0], stream[3], stream[4] = due + step, t0 + step, t1 + step
                items = m.period(t0, t1)
            elif cn == "2061":
                stream[0], stream[3], stream[4] = due + 3600, t0 + 3600, t1 + 3600
                items = m.period(t0, t1)
            elif cn == "stored":
                await self.send_stored(history[:1])
                del history[:1]
                stream[0] = due + config.stored_hour_every_s if history else math.inf
                continue
            else:
                stream[0] += 3600
                items = m.run_state(due)
            await self.upload(cn, items)

    async def send_stored(self, hours: list[tuple[float, float]]) -> None:
        """Upload stored hours as hourly values (2061), oldest first."""
        for t0, t1 in hours:
            await self.upload("2061", self.model.period(t0, t1, HISTORY_SAMPLE_S))

    async def upload(self, cn: str, items: list[tuple[str, str]]) -> None:
        """Send one data area as its frame, or its packets when it is too long for one."""
        readings = numeric_count(items)
        for qn, frame in self.model.encode(cn, items, self.next_qn):
            await self.send(qn, frame, cn, readings)
            readings = 0  # a split upload counts its values once

    def next_qn(self) -> str:
        """QN: the simulated sending time with milliseconds taken from a counter (unique per device)."""
        self.seq = (self.seq + 1) % 1000
        return self.model.local_text(self.clock.now()) + f"{self.seq:03d}"

    # ------------------------------------------------------------ sending
    async def send(self, qn: str, frame: bytes, cn: str, readings: int) -> None:
        while True:
            await self.ensure_connected()
            if await self.wait_for_room():
                break
            self.stats.timeouts += not self.lost
            self.close()
        self.pending[qn] = _Pending(frame, cn, readings)
        self.stats.by_cn[cn] += 1
        if self.config.drop_one_in and self.rng.random() * self.config.drop_one_in < 1:
            # A deliberate reset: half the frame goes out, then the connection drops.
            self.stats.drops += 1
            self.stats.frames_sent += 1
            self.writer.write(frame[: len(frame) // 2])
            self.writer.transport.abort()
            self.lost = True
            return
        await self.write(frame)

    async def write(self, frame: bytes) -> None:
        try:
            self.writer.write(frame)
            self.stats.frames_sent += 1
            await self.writer.drain()
        except (ConnectionError, OSError):
            self.lost = True

    async def wait_for_room(self) -> bool:
        """Wait until fewer than ``window`` frames are unanswered; False on a timeout or a lost connection."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.config.ack_timeout_s
        while len(self.pending) >= self.config.window and not self.lost:
            self.changed.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except TimeoutError:
                return False
        return not self.lost

    async def ensure_connected(self) -> None:
        if not self.lost and self.writer is not None:
            return
        self.close()
        config = self.config
        while True:
            if self.connected_once or self.failures:
                pause = min(config.backoff_s * 2 ** min(self.failures, 10), config.max_backoff_s)
                pause *= self.rng.uniform(0.8, 1.2)
                if self.stop_real is not None and time.time() + pause > self.stop_real:
                    raise _OutOfTime
                await asyncio.sleep(pause)
            try:
                reader, self.writer = await asyncio.wait_for(asyncio.open_connection(config.host, config.port),
                                                             CONNECT_TIMEOUT_S)
                break
            except OSError as exc:
                self.failures += 1
                self.stats.connect_failures += 1
                if self.stats.connect_failures == 1:
                    log.warning("cannot connect to the gateway at %s:%d (%s); the devices keep trying with "
                                "back-off", config.host, config.port, exc)
        self.failures += 1  # reset by the first answer on this connection
        self.generation += 1
        self.lost = False
        self.stats.connections += 1
        self.reader_task = asyncio.create_task(self.read(reader, self.generation))
        if self.connected_once:
            self.stats.reconnects += 1
            backlog = list(self.pending.items())
            for qn, frame in self.model.encode("2081", self.model.restart(self.clock.now()), self.next_qn):
                self.pending[qn] = _Pending(frame, "2081", 0)
                self.stats.by_cn["2081"] += 1
                await self.write(frame)
            for qn, item in backlog:
                if item.resends >= config.max_resends:
                    del self.pending[qn]
                    self.stats.frames_given_up += 1
                    continue
                item.resends += 1
                self.stats.frames_resent += 1
                await self.write(item.frame)
        self.connected_once = True

    async def read(self, reader: asyncio.StreamReader, generation: int) -> None:
        """Count the 9014 answers (matched by QN) until the connection ends."""
        splitter = FrameSplitter()
        try:
            while True:
                data = await reader.read(1 << 16)
                if not data:
                    break
                for chunk in splitter.feed(data):
                    if chunk.error is not None:
                        continue
                    try:
                        reply = parse_frame(chunk.raw)
                    except Hj212Error:
                        continue
                    if reply.cn != "9014":
                        continue
                    item = self.pending.pop(reply.qn or reply.item("QN") or "", None)
                    if item is not None:
                        self.stats.frames_acked += 1
                        self.stats.readings += item.readings
                        self.failures = 0
                self.changed.set()
        except (ConnectionError, OSError):
            pass
        finally:
            if generation == self.generation:
                self.lost = True
                self.changed.set()

    async def drain(self) -> None:
        """At the end of the run: wait a little for the last answers, reconnecting (which
        resends what is unanswered) if the connection was lost."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.config.drain_s
        while self.pending and loop.time() < deadline:
            if self.lost:
                await self.ensure_connected()
                continue
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), deadline - loop.time())
            except TimeoutError:
                break
        self.stats.frames_unanswered_at_end += len(self.pending)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        if self.reader_task is not None:
            self.reader_task.cancel()
            self.reader_task = None
        self.lost = True


# ---------------------------------------------------------------- the park's loggers
def load_devices(engine: Engine, seed: int = DEFAULT_SEED) -> list[DeviceSpec]:
    """Every registered device with what the simulator needs, ordered by point code; the
    passwords are the demo park's (:func:`~parksteward.sim.demo_park.demo_device_password`)."""
    stmt = (
        select(Device.mn, Device.protocol_version, Device.factor_codes, MonitoringPoint.code, MonitoringPoint.kind,
               Park.timezone, MonitoringPoint.enterprise_id, Enterprise.industry, Enterprise.size_class,
               RiskSource.safe_level_m, MonitoringPoint.reference_o2_pct)
        .join(MonitoringPoint, Device.point_id == MonitoringPoint.id)
        .join(Park, MonitoringPoint.park_id == Park.id)
        .outerjoin(Enterprise, MonitoringPoint.enterprise_id == Enterprise.id)
        .outerjoin(RiskSource, MonitoringPoint.risk_source_id == RiskSource.id)
        .order_by(MonitoringPoint.code, Device.mn)
    )
    with engine.connect() as connection:
        rows = connection.execute(stmt).all()
    return [DeviceSpec(mn, demo_device_password(seed, mn), version, tuple(codes or ()), code, kind, tz,
                       enterprise_id, industry, size_class, safe_level, o2_ref)
            for mn, version, codes, code, kind, tz, enterprise_id, industry, size_class, safe_level, o2_ref in rows]


class Simulator:
    """All devices of a park, on one event loop."""

    def __init__(self, specs: list[DeviceSpec], config: SimulatorConfig):
        if not specs:
            raise ValueError("no devices to simulate: the store holds no registered device (build the demo park)")
        self.specs = specs
        self.config = config
        self.start = config.start if config.start is not None else time.time()
        self.stories = choose_stories([s.story_point() for s in specs])
        self.models = [DeviceModel(s, config.seed, self.stories, self.start) for s in specs]
        self.stats = SimStats(devices=len(specs))
        self.clock: SimClock | None = None

    async def run(self) -> SimStats:
        """Run until ``duration_s`` has passed (or until cancelled); returns the figures."""
        config = self.config
        _raise_open_file_limit(2 * len(self.models) + 256)  # both ends may live in this process
        self.clock = clock = SimClock(self.start, config.speed)
        self.stats.started = clock.real_start
        self.stats.sim_start = self.start
        points = {s.mn: s.story_point() for s in self.specs}
        for line in self.stories.describe(points):
            log.info(line)
        log.info("simulating %d devices against %s:%d from %s at %g x real time", len(self.models), config.host,
                 config.port, datetime.fromtimestamp(self.start).isoformat(timespec="seconds"), config.speed)
        stop = None if config.duration_s is None else clock.real_start + config.duration_s
        clients = [DeviceClient(model, clock, config, self.stats) for model in self.models]
        reporter = asyncio.create_task(self._report())
        try:
            await asyncio.gather(*(client.run(stop) for client in clients))
        finally:
            reporter.cancel()
            for client in clients:
                client.close()
            self.stats.ended = time.time()
            self.stats.sim_end = clock.now()
            log.info("simulator: %s", self.stats.summary())
        return self.stats

    async def _report(self) -> None:
        while True:
            await asyncio.sleep(self.config.report_every_s)
            behind = time.time() - self.clock.now()
            log.info("simulator at %s%s: %s",
                     datetime.fromtimestamp(self.clock.now()).isoformat(timespec="seconds"),
                     f" ({behind / 60:.0f} min behind the wall clock)" if behind > 60 else "", self.stats.summary())


async def run_simulator(engine: Engine, config: SimulatorConfig) -> SimStats:
    """Load the devices from the store (in a worker thread) and run the simulator."""
    specs = await asyncio.to_thread(load_devices, engine, config.seed)
    return await Simulator(specs, config).run()


async def run_simulator_process(database_url: str, config: SimulatorConfig) -> int | None:
    """Run the simulator in a process of its own until it ends (its exit code) or this is
    cancelled (then the process is stopped).

    ``parksteward demo`` runs it so beside its server: hundreds of simulated loggers replaying
    hours of data at speed keep an event loop busy, and in the server's own loop they held
    the API's answers back by seconds. The devices are other machines in a real park, too.
    """
    import multiprocessing

    process = multiprocessing.get_context("spawn").Process(
        target=_simulator_main, args=(database_url, config, logging.getLogger().getEffectiveLevel()),
        name="parksteward-simulator", daemon=True)
    process.start()
    try:
        await asyncio.to_thread(process.join)
    finally:
        if process.is_alive():
            process.terminate()
            await asyncio.to_thread(process.join, 10)
    return process.exitcode


def _simulator_main(database_url: str, config: SimulatorConfig, log_level: int) -> None:
    from parksteward import runtime
    from parksteward.db import make_engine

    engine = make_engine(database_url)
    try:
        runtime.run_child(run_simulator(engine, config), log_level)
    finally:
        engine.dispose()


def _raise_open_file_limit(needed: int) -> None:
    """Each device holds a socket (two when the gateway runs in the same process): lift the
    soft limit on open files towards the hard limit where the platform allows it."""
    try:
        import resource
    except ImportError:  # not POSIX
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            log.warning("cannot raise the open-file limit from %d to %d: some devices may not connect", soft, target)
