"""Series benchmark: GET /api/v1/points/{id}/series on a year of data. Prints figures, asserts nothing.

    .venv/bin/python benchmarks/series.py                    # both stores
    .venv/bin/python benchmarks/series.py --store sqlite --step 30

This process creates a throw-away store (as ``benchmarks/ingest.py`` does), registers one
stack device, and fills a year of its data directly into the tables (not through the gateway;
``ingest.py`` measures that): real-time values every --step seconds for --factors factors, the
platform's minute, hour and day roll-ups, and --neighbours other devices with the same data,
so that the device's rows sit among others in the index as in a real park. Then it times the
HTTP endpoint in-process (FastAPI's TestClient: routing, auth, query, JSON) for the windows a
console asks for, and prints p50/p95/max per query. Target (issue 7): data endpoints p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone

from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

sys.path.insert(0, os.path.dirname(__file__))
from ingest import FIRST_CODES, POSTGRES_URL, StoreUnavailable, seed, throwaway_store  # noqa: E402
from parksteward.access.actor import SYSTEM  # noqa: E402
from parksteward.accounts.service import create_user  # noqa: E402
from parksteward.api import create_app  # noqa: E402
from parksteward.bootstrap import prepare_database  # noqa: E402
from parksteward.config import Settings  # noqa: E402
from parksteward.db import make_engine, make_sessionmaker  # noqa: E402
from parksteward.ingest.store import write_readings  # noqa: E402
from parksteward.ingest.tables import Reading, Rollup  # noqa: E402
from parksteward.registry.tables import Device  # noqa: E402

YEAR_S = 365 * 86400
CHUNK = 200_000  # rows per insert


def fill(engine, device_ids: list[int], codes: list[str], end: int, step: int) -> dict:
    """A year up to ``end`` (epoch s) for each device: raw every ``step`` s, minute/hour/day roll-ups."""
    start = end - YEAR_S
    counts = {"raw": 0, "minute": 0, "hour": 0, "day": 0}
    for device_id in device_ids:
        rows = []
        for t in range(start, end, step):
            for k, code in enumerate(codes):
                rows.append((device_id, "raw", t, code, "Rtd", 10 + k + (t % 3600) / 360.0, "N", code, t * 1000))
            if len(rows) >= CHUNK:
                _write(engine, rows)
                counts["raw"] += len(rows)
                rows = []
        _write(engine, rows)
        counts["raw"] += len(rows)
        for interval, period in (("minute", 60), ("hour", 3600), ("day", 86400)):
            batch = []
            for t in range(start - start % period, end, period):
                for k, code in enumerate(codes):
                    batch.append({"device_id": device_id, "interval": interval, "t": t, "factor": code,
                                  "n_valid": 1, "n_total": 1, "mean": 10.0 + k, "minimum": 10.0 + k,
                                  "maximum": 10.0 + k, "valid": True, "flag": "N", "corrected": None,
                                  "rate_g_s": None})
                if len(batch) >= CHUNK // 4:
                    _insert_rollups(engine, batch)
                    counts[interval] += len(batch)
                    batch = []
            _insert_rollups(engine, batch)
            counts[interval] += len(batch)
    return counts


def _write(engine, rows) -> None:
    if rows:
        with engine.begin() as connection:
            write_readings(connection, rows)


def _insert_rollups(engine, rows) -> None:
    if rows:
        with engine.begin() as connection:
            connection.execute(insert(Rollup), rows)


def measure(kind: str, url: str, args) -> None:
    engine = make_engine(url)
    prepare_database(engine)
    codes = FIRST_CODES[:args.factors]
    seed(engine, 1 + args.neighbours, codes)
    with make_sessionmaker(engine)() as session:
        devices = session.execute(select(Device.id, Device.point_id).order_by(Device.id)).all()
        create_user(session, SYSTEM, {"username": "bench", "password": "bench-password-1", "role": "admin"})
    end = int(datetime(2026, 11, 1, tzinfo=timezone.utc).timestamp())
    started = time.perf_counter()
    # The measured device in the middle of the index, neighbours on both sides.
    order = [d for d, _ in devices[1:1 + args.neighbours // 2]] + [devices[0][0]] + \
            [d for d, _ in devices[1 + args.neighbours // 2:]]
    counts = fill(engine, order, codes, end, args.step)
    fill_s = time.perf_counter() - started
    with engine.connect() as connection:
        total = connection.scalar(select(func.count()).select_from(Reading))
    point = devices[0][1]
    app = create_app(Settings(database_url=url, secret_key="series-benchmark-secret-key-32-bytes"), engine)
    client = TestClient(app)
    token = client.post("/api/v1/auth/token", data={"username": "bench", "password": "bench-password-1"}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    at = datetime.fromtimestamp(end, timezone.utc)
    queries = [
        ("raw, last 24 h", "raw", timedelta(days=1)),
        ("raw, last 7 days", "raw", timedelta(days=7)),
        ("minute, last 24 h", "minute", timedelta(days=1)),
        ("hour, last 30 days", "hour", timedelta(days=30)),
        ("hour, whole year", "hour", timedelta(days=365)),
        ("day, whole year", "day", timedelta(days=365)),
    ]
    print(f"\n== {kind}: 1 + {args.neighbours} devices x {args.factors} factors, a year of real-time values every "
          f"{args.step} s and minute/hour/day roll-ups: {total:,} readings and {sum(counts.values()) - counts['raw']:,} "
          f"roll-ups in all (filled in {fill_s:.0f} s; the first request of each query is a cold one)")
    print(f"  {'query':<22} {'points':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}   ({args.repeat} requests each)")
    for title, interval, span in queries:
        params = {"factor": codes[0], "interval": interval, "from": (at - span).isoformat(), "to": at.isoformat()}
        times, points = [], None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            response = client.get(f"/api/v1/points/{point}/series", params=params, headers=headers)
            times.append(1000 * (time.perf_counter() - t0))
            if response.status_code != 200:
                raise SystemExit(f"{title}: HTTP {response.status_code}: {response.text[:300]}")
            points = response.json()["count"]
        times.sort()
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(f"  {title:<22} {points:>7,} {statistics.median(times):>8.1f} {p95:>8.1f} {times[-1]:>8.1f}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--step", type=int, default=60, help="seconds between real-time values (default 60)")
    parser.add_argument("--factors", type=int, default=10)
    parser.add_argument("--neighbours", type=int, default=2, help="other devices with a year of the same data")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--postgres-url", default=os.environ.get("PARKSTEWARD_BENCH_POSTGRES_URL", POSTGRES_URL))
    args = parser.parse_args()
    for kind in ("sqlite", "postgresql") if args.store == "both" else (args.store,):
        try:
            with throwaway_store(kind, args.postgres_url) as url:
                measure(kind, url, args)
        except StoreUnavailable as exc:
            print(f"\n== {kind}: skipped, {exc}")


if __name__ == "__main__":
    main()
