"""Alarm-stage benchmark: how fast committed readings are judged against the park's rules.
Prints figures, asserts nothing.

    .venv/bin/python benchmarks/alarms.py [--batches 300] [--frames 760]

Builds the demo park (657 points, its default rules, limits and plan) in a throw-away SQLite
store, then feeds :meth:`AlarmEngine.judge_readings` batches shaped like the ingest
benchmark's: --frames real-time frames per batch, each with every factor of its device
(random walks of 0.02 per frame, flag N), devices in turn. Every tenth batch also carries each device's minute
means (what the flat-line and invalid-data rules judge). Prints readings judged per second,
the time per batch (p50 / p99 / max), and the alarms raised. The stage runs on its own thread
beside the ingest writer; at 100,000 readings/s a batch of 760 frames (about 7,600 readings)
arrives every 76 ms, which is the budget it must stay well inside.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from parksteward.alarms.engine import AlarmEngine
from parksteward.alarms.setup import prepare_park
from parksteward.alarms.tables import Alarm
from parksteward.bootstrap import prepare_database
from parksteward.db import make_engine, make_sessionmaker
from parksteward.registry.tables import Device
from parksteward.sim.demo_park import build_demo_park


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=300)
    parser.add_argument("--frames", type=int, default=760, help="frames per batch")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'alarms.db'}")
        prepare_database(engine)
        sessions = make_sessionmaker(engine)
        started = time.perf_counter()
        with sessions() as session:
            park = build_demo_park(session)
            ready = prepare_park(session, park)
            devices = [(d.id, list(d.factor_codes)) for d in session.scalars(select(Device).order_by(Device.id))]
        print(f"demo park: {len(devices)} devices, {ready['rules']} rules, {ready['limits_assigned']} limits "
              f"({time.perf_counter() - started:.0f} s to build)")
        stage = AlarmEngine(sessions)
        rng = random.Random(1)
        level = {(d, f): rng.uniform(10, 50) for d, codes in devices for f in codes}
        t0 = int(time.time()) - 86400
        times, readings = [], 0
        cursor = 0
        for batch in range(args.batches):
            rows = []
            now_ms = int(time.time() * 1000)
            for _ in range(args.frames):
                device, codes = devices[cursor % len(devices)]
                t = t0 + cursor // len(devices)
                cursor += 1
                for code in codes:
                    value = level[device, code] = max(0.0, level[device, code] + rng.gauss(0, 0.02))
                    rows.append((device, "raw", t, code, "Rtd", round(value, 3), "N", code, now_ms))
            if batch % 10 == 9:
                minute = t - t % 60
                for device, codes in devices:
                    for code in codes:
                        rows.append((device, "minute", minute, code, "Avg", round(level[device, code], 3), "N", code,
                                     now_ms))
            begin = time.perf_counter()
            stage.judge_readings(rows)
            times.append(time.perf_counter() - begin)
            readings += len(rows)
        with sessions() as session:
            by_kind = dict(session.execute(select(Alarm.kind, func.count()).group_by(Alarm.kind)).all())
        total = sum(times)
        ms = sorted(1000 * x for x in times)
        print(f"judged {readings:,} readings in {args.batches} batches: {readings / total:,.0f} readings/s")
        print(f"per batch: p50 {statistics.median(ms):.1f} ms, p99 {ms[int(0.99 * (len(ms) - 1))]:.1f} ms, "
              f"max {ms[-1]:.1f} ms (budget at 100,000 readings/s: {args.frames * 10 / 100_000 * 1000:.0f} ms)")
        print(f"alarms raised: {by_kind or 'none'}")
        engine.dispose()


if __name__ == "__main__":
    main()
