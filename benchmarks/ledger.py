"""Ledger benchmark: durable appends, proofs at 10^7 leaves, audit throughput.

    .venv/bin/python benchmarks/ledger.py                      # SQLite, 10^7 leaves for the proofs
    .venv/bin/python benchmarks/ledger.py --store postgresql   # the same on PostgreSQL
    .venv/bin/python benchmarks/ledger.py --tree-size 1000000  # a quicker look

1. **Appends**: records (an alarm-sized JSON record each) appended as leaves in batches of
   ``--batch`` and committed: leaves/s including the salted commitments, the envelopes, the tree
   nodes and the head. Then archived HJ 212 frames notarized as the ingestion notary does it
   (one leaf per committed batch of 800 frames, each frame salted and hashed into the batch's
   tree): frames/s.
2. **Proofs at 10^7 leaves**: a tree of ``--tree-size`` leaves is bulk-loaded (random leaf hashes,
   every perfect subtree computed and stored as the log stores them), then inclusion and
   consistency proofs are generated from the store and verified; per-proof times (p50, p99).
3. **Audit**: readings stored and notarized, then the forensic audit over them: records/s.

Prints figures, asserts nothing. Targets (issue): >= 20,000 durable appends/s; proofs generated
and verified in < 1 ms each at 10^7 leaves; notarizing frames must not slow ingestion (100,000
readings/s is 10,000 frames/s).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import tempfile
import time

from sqlalchemy import text

from parksteward.bootstrap import prepare_database
from parksteward.config import Settings
from parksteward.db import make_engine
from parksteward.ingest.notary import FrameNotary
from parksteward.ingest.pipeline import CommittedBatch
from parksteward.ledger import merkle
from parksteward.ledger.audit import audit
from parksteward.ledger.records import Record
from parksteward.ledger.store import LogStore, node_key

ORIGIN = "envlog.benchmark.example/park"


def fresh_engine(store: str, folder: str, name: str):
    if store == "sqlite":
        url = f"sqlite:///{folder}/{name}.db"
    else:
        import psycopg

        base = os.environ.get("PARKSTEWARD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
        db = f"parksteward_bench_{name}_{os.getpid()}"
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db}"')
            admin.execute(f'CREATE DATABASE "{db}"')
        url = base.rsplit("/", 1)[0] + "/" + db
    engine = make_engine(url)
    prepare_database(engine)
    return engine


def frame_batches(n_frames: int, per_batch: int = 800):
    """Committed batches of archived 10-factor real-time frames (ids from 1), as the writer hands them on."""
    from parksteward.hj212 import build_frame

    rng = random.Random(1)
    frames = []
    for i in range(1, n_frames + 1):
        cp = [("DataTime", "20260101080000")] + [(f"a2100{k}-Rtd", f"{rng.uniform(0, 200):.3f}") for k in range(10)]
        frames.append((i, build_frame(st="22", cn="2011", mn=f"{88888880000000 + i % 1000:024d}", pw="123456",
                                      cp=cp)))
        if len(frames) == per_batch:
            yield CommittedBatch([], frames)
            frames = []
    if frames:
        yield CommittedBatch([], frames)


def alarm_records(n: int):
    for i in range(n):
        yield Record("alarm", f"alarm:{i}", {"alarm": i, "point": i % 500, "level": "yellow", "factor": "a21026",
                                            "value": f"{80 + i % 20}.5", "limit": "80", "since_ms": 1767225600000 + i},
                     "system", 1767225600000 + i, enterprise_id=i % 80)


def seed_devices(engine, n: int) -> list[int]:
    """A park, a park-owned monitoring point and ``n`` devices (what the notary looks up)."""
    from sqlalchemy.orm import Session

    from parksteward.registry.tables import Device, MonitoringPoint, Park

    with Session(engine) as session:
        park = Park(name="bench", boundary={"type": "Polygon", "coordinates": []})
        session.add(park)
        session.flush()
        point = MonitoringPoint(park_id=park.id, code="P1", name="p", kind="ambient_air", lon=118.8, lat=32.25)
        session.add(point)
        session.flush()
        from parksteward.ingest.devices import DEVICE_PASSWORDS

        password = DEVICE_PASSWORDS.hash("123456")
        devices = [Device(point_id=point.id, mn=f"{88888880000000 + i:024d}", password_hash=password)
                   for i in range(n)]
        session.add_all(devices)
        session.commit()
        return [d.id for d in devices]


def bench_appends(store: str, folder: str, n: int, batch: int, n_frames: int) -> None:
    engine = fresh_engine(store, folder, "appends")
    log = LogStore(engine, ORIGIN)
    records = list(alarm_records(n))
    log.append(records[:batch])  # warm up
    start = time.perf_counter()
    for first in range(batch, n, batch):
        log.append(records[first:first + batch])
    wall = time.perf_counter() - start
    print(f"appends         {(n - batch) / wall:,.0f} leaves/s durable (alarm-sized records in batches of {batch:,},"
          f" each one committed transaction)")
    notary = FrameNotary(log)
    batches = list(frame_batches(n_frames))
    start = time.perf_counter()
    leaves = sum(notary.notarize([b]) for b in batches)
    wall = time.perf_counter() - start
    print(f"frames          {n_frames / wall:,.0f} frames/s notarized ({n_frames:,} frames in {leaves} leaves of 800: "
          f"{wall / n_frames * 1e6:.1f} us of CPU per frame, on the notary's thread)")
    engine.dispose()


def bulk_tree(engine, size: int) -> list[bytes]:
    """Store a tree of ``size`` random leaves as LogStore does (leaf rows, perfect subtrees, head)."""
    rng = random.Random(7)
    level = [rng.randbytes(32) for _ in range(size)]
    with engine.begin() as conn:
        for start in range(0, size, 100_000):
            conn.execute(text("INSERT INTO ledger_leaf (idx, kind, ref, submitter, submitted_ms, logged_ms, salt, "
                              "commitment, leaf_hash, data) VALUES (:i, 'readings', 'r', 's', 0, 0, :z, :z, :h, :z)"),
                         [{"i": start + k, "h": h, "z": b""} for k, h in enumerate(level[start:start + 100_000])])
    leaves = level
    height = 0
    while len(level) > 1:
        height += 1
        parents = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        with engine.begin() as conn:
            for start in range(0, len(parents), 100_000):
                conn.execute(text("INSERT INTO ledger_node (key, hash) VALUES (:k, :h)"),
                             [{"k": node_key(height, start + k), "h": h}
                              for k, h in enumerate(parents[start:start + 100_000])])
        level = parents  # an odd last node is not a perfect subtree of this level: not stored
    root = LogStore(engine, ORIGIN).root(size)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO ledger_head (id, origin, size, root, updated_ms) VALUES (1, :o, :s, :r, 0)"),
                     {"o": ORIGIN, "s": size, "r": root})
    return leaves


def percentiles(values: list[float]) -> str:
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(0.99 * len(values)))]
    return f"p50 {statistics.median(values) * 1e3:.3f} ms, p99 {p99 * 1e3:.3f} ms"


def bench_proofs(store: str, folder: str, size: int, samples: int) -> None:
    engine = fresh_engine(store, folder, "proofs")
    start = time.perf_counter()
    leaves = bulk_tree(engine, size)
    print(f"tree            {size:,} leaves bulk-loaded in {time.perf_counter() - start:.0f} s")
    log = LogStore(engine, ORIGIN)
    root = log.head()[1]
    rng = random.Random(3)
    make, check = [], []
    with engine.connect() as conn:
        for _ in range(samples):
            index = rng.randrange(size)
            t0 = time.perf_counter()
            proof = log.inclusion_proof(index, size, conn)
            t1 = time.perf_counter()
            ok = merkle.verify_inclusion(leaves[index], index, size, proof, root)
            t2 = time.perf_counter()
            assert ok
            make.append(t1 - t0)
            check.append(t2 - t1)
    print(f"inclusion       generate {percentiles(make)}; verify {percentiles(check)} ({samples} proofs, "
          f"{len(proof)} hashes)")
    make, check = [], []
    with engine.connect() as conn:
        for _ in range(samples):
            size1 = rng.randrange(1, size)
            t0 = time.perf_counter()
            proof = log.consistency_proof(size1, size, conn)
            root1 = log.root(size1, conn)
            t1 = time.perf_counter()
            ok = merkle.verify_consistency(size1, size, proof, root1, root)
            t2 = time.perf_counter()
            assert ok
            make.append(t1 - t0)
            check.append(t2 - t1)
    print(f"consistency     generate {percentiles(make)} (with the old root); verify {percentiles(check)} "
          f"({samples} proofs)")
    engine.dispose()


def bench_audit(store: str, folder: str, n_frames: int) -> None:
    """Frames through the real pipeline (archived, stored, notarized), then the audit over them."""
    from sqlalchemy.orm import Session

    from parksteward.hj212 import build_frame
    from parksteward.ingest.pipeline import Arrival, Pipeline
    from parksteward.registry.tables import Device

    engine = fresh_engine(store, folder, "audit")
    devices = seed_devices(engine, 100)
    with Session(engine) as session:
        mns = [session.get(Device, d).mn for d in devices]
    notary = FrameNotary(LogStore(engine, ORIGIN))
    committed: list[CommittedBatch] = []
    pipeline = Pipeline(engine, on_commit=committed.append)
    rng = random.Random(2)
    for first in range(0, n_frames, 800):
        arrivals = []
        for i in range(first, min(first + 800, n_frames)):
            minute = 1767225600 + 60 * (i // len(mns))
            stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(minute + 8 * 3600))
            cp = [("DataTime", stamp)] + [(f"a2100{k}-Rtd", f"{rng.uniform(0, 200):.3f}") for k in range(10)]
            arrivals.append(Arrival(build_frame(st="22", cn="2011", mn=mns[i % len(mns)], pw="123456", cp=cp)))
        pipeline.process(arrivals)
    notary.notarize(committed)
    settings = Settings(database_url=str(engine.url), data_dir=folder)
    start = time.perf_counter()
    report = audit(engine, settings)
    wall = time.perf_counter() - start
    print(f"audit           {n_frames / wall:,.0f} frames/s ({n_frames:,} frames of 10 readings in {report.checked} "
          f"batch leaves, checked against the archive and the reading table in {wall:.1f} s; clean: {report.clean})")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--appends", type=int, default=200_000, help="leaves appended (default 200,000)")
    parser.add_argument("--batch", type=int, default=5_000, help="leaves per append transaction")
    parser.add_argument("--frames", type=int, default=200_000, help="frames notarized (default 200,000)")
    parser.add_argument("--tree-size", type=int, default=10_000_000, help="leaves of the tree for proofs")
    parser.add_argument("--samples", type=int, default=2_000, help="proofs generated and verified")
    parser.add_argument("--audit-frames", type=int, default=100_000, help="frames notarized, then audited")
    parser.add_argument("--only", choices=("appends", "proofs", "audit"), help="run one part only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="parksteward-ledger-") as folder:
        print(f"store: {args.store}; {os.cpu_count()} cores")
        if args.only in (None, "appends"):
            bench_appends(args.store, folder, args.appends, args.batch, args.frames)
        if args.only in (None, "proofs"):
            bench_proofs(args.store, folder, args.tree_size, args.samples)
        if args.only in (None, "audit"):
            bench_audit(args.store, folder, args.audit_frames)


if __name__ == "__main__":
    main()
