"""Roll-ups from stored readings: validity, corrected means and emission rates, local days."""

from __future__ import annotations

import calendar

import pytest
from sqlalchemy import select

from parksteward.hj212 import build_frame
from parksteward.ingest.pipeline import Arrival, Pipeline
from parksteward.ingest.rollup import RollupEngine
from parksteward.ingest.tables import Rollup
from parksteward.registry.tables import Device, MonitoringPoint
from tests.factories import build_world
from tests.ingest.helpers import traced_write


@pytest.fixture
def setup(engine, session_factory):
    with session_factory() as session:
        world = build_world(session)
        device = session.get(Device, world.device["a"])
        session.get(MonitoringPoint, device.point_id).reference_o2_pct = 9.0
        session.commit()
        mn, device_id = device.mn, device.id
    rollups = RollupEngine(engine)
    return mn, device_id, Pipeline(engine, on_commit=rollups.mark), rollups


def minute_frame(mn: str, hh: int, mm: int, cp: list) -> Arrival:
    return Arrival(build_frame(st="31", cn="2051", mn=mn, pw="123456", qn=f"{hh}{mm}",
                               cp=[("DataTime", f"20250315{hh:02d}{mm:02d}00")] + cp))


def rollups(session_factory, interval: str) -> dict:
    with session_factory() as session:
        return {(r.factor, r.t): r for r in session.scalars(select(Rollup).where(Rollup.interval == interval))}


def test_hour_from_minute_data_with_correction_and_rate(setup, session_factory):
    mn, device_id, pipeline, engine = setup
    arrivals = []
    for mm in range(60):
        flag = "N" if mm < 45 else "C"  # 45 valid minutes, 15 in calibration
        arrivals.append(minute_frame(mn, 9, mm, [
            ("a21026-Avg", "30.0" if flag == "N" else "500.0"), ("a21026-Flag", flag),
            ("a19001-Avg", "12.0"), ("a19001-Flag", "N"),
            ("a00000-Avg", "20.0"), ("a00000-Flag", "N")]))
    assert all(o.ok for o in pipeline.process(arrivals))
    assert engine.run() > 0
    hour = rollups(session_factory, "hour")
    start = calendar.timegm((2025, 3, 15, 1, 0, 0))  # 09:00 Asia/Shanghai
    so2 = hour[("a21026", start)]
    assert (so2.n_valid, so2.n_total, so2.valid, so2.flag) == (45, 60, True, "N")
    assert so2.mean == pytest.approx(30.0)  # calibration minutes are excluded
    # Hand calculation: 30 x (21 - 9) / (21 - 12) = 40.0 mg/m3; rate 30 x 20 / 1000 = 0.6 g/s.
    assert so2.corrected == pytest.approx(40.0)
    assert so2.rate_g_s == pytest.approx(0.6)
    assert hour[("a19001", start)].corrected is None


def test_an_hour_with_44_valid_minutes_is_invalid(setup, session_factory):
    mn, _, pipeline, engine = setup
    pipeline.process([minute_frame(mn, 10, mm, [("a21026-Avg", "30.0"), ("a21026-Flag", "N" if mm < 44 else "D")])
                      for mm in range(60)])
    engine.run()
    [so2] = rollups(session_factory, "hour").values()
    assert (so2.n_valid, so2.valid, so2.flag) == (44, False, "D")


def test_minutes_from_real_time_values_and_a_local_day(setup, session_factory):
    mn, _, pipeline, engine = setup
    arrivals = []
    for hh in range(24):  # every hour of the local day 2025-03-15: one minute of real-time data each
        for ss in (0, 15, 30, 45):
            cp = [("DataTime", f"20250315{hh:02d}00{ss:02d}"), ("a21026-Rtd", f"{hh}.0"), ("a21026-Flag", "N")]
            arrivals.append(Arrival(build_frame(st="31", cn="2011", mn=mn, pw="123456", qn=f"{hh}{ss}", cp=cp)))
    pipeline.process(arrivals)
    engine.run(force=True)  # everything now (no minute held back)
    minutes = rollups(session_factory, "minute")
    assert len(minutes) == 24 and all(m.valid and m.n_total == 4 for m in minutes.values())
    hours = rollups(session_factory, "hour")
    assert len(hours) == 24 and not any(h.valid for h in hours.values())  # 1 valid minute < 45
    [((factor, t), day)] = rollups(session_factory, "day").items()
    # The local day starts at 2025-03-15 00:00 +08:00 = 2025-03-14 16:00 UTC.
    assert factor == "a21026" and t == calendar.timegm((2025, 3, 14, 16, 0, 0))
    assert not day.valid and day.n_total == 24 and day.n_valid == 0


def test_a_minute_of_real_time_values_counts_only_normal_values(setup, session_factory):
    """HJ 212-2017 Annex C: a minute is N with >= 75 % normal values; means use the N values only."""
    mn, _, pipeline, engine = setup
    minutes = {  # minute -> (value, flag) at seconds 0, 15, 30, 45
        0: [("10", "N"), ("20", "N"), ("30", "N"), ("100", "D")],  # 3 of 4 N: valid, mean 20
        1: [("10", "N"), ("20", "N"), ("70", "C"), ("90", "C")],  # 2 of 4: invalid, mean of the N values 15
        2: [("40", "D"), ("50", "D"), ("60", "M"), ("70", "T")],  # none N: invalid, mean of all values 55
    }
    arrivals = [
        Arrival(build_frame(st="31", cn="2011", mn=mn, pw="123456", qn=f"{mm}{ss}",
                            cp=[("DataTime", f"2025031509{mm:02d}{ss:02d}"), ("a21026-Rtd", value),
                                ("a21026-Flag", flag)]))
        for mm, values in minutes.items() for ss, (value, flag) in zip((0, 15, 30, 45), values)
    ]
    pipeline.process(arrivals)
    engine.run(force=True)
    got = {t: r for (_, t), r in rollups(session_factory, "minute").items()}
    nine = calendar.timegm((2025, 3, 15, 1, 0, 0))  # 09:00 +08:00
    expected = {0: (3, True, 20.0, 10.0, 30.0), 1: (2, False, 15.0, 10.0, 20.0), 2: (0, False, 55.0, 40.0, 70.0)}
    for mm, (n_valid, valid, mean, low, high) in expected.items():
        row = got[nine + 60 * mm]
        assert (row.n_valid, row.n_total, row.valid, row.flag) == (n_valid, 4, valid, "N" if valid else "D")
        assert (row.mean, row.minimum, row.maximum) == pytest.approx((mean, low, high))


def test_hours_wait_for_their_interval_and_a_stopping_server_rolls_up_what_is_pending(setup, session_factory):
    import asyncio

    from parksteward.server import rollups_every

    mn, _, pipeline, engine = setup
    pipeline.process([minute_frame(mn, 9, 0, [("a21026-Avg", "30.0"), ("a21026-Flag", "N")])])
    engine.run()  # the first run of each level computes at once
    assert set(rollups(session_factory, "hour")) == {("a21026", calendar.timegm((2025, 3, 15, 1, 0, 0)))}
    pipeline.process([minute_frame(mn, 10, 0, [("a21026-Avg", "31.0"), ("a21026-Flag", "N")])])
    engine.run()  # within EVERY_S["hour"] of the last: the 10:00 hour waits
    assert len(rollups(session_factory, "hour")) == 1

    async def serve_briefly():
        task = asyncio.create_task(rollups_every(engine, 0.01))
        await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(serve_briefly())  # cancelled: one last forced run
    assert len(rollups(session_factory, "hour")) == 2


def test_roll_ups_in_a_process_of_their_own_match_the_marks_of_this_one(setup, engine, session_factory):
    from parksteward.ingest.rollup_process import RollupProcess

    mn, _, pipeline, marks = setup
    pipeline.process([minute_frame(mn, 9, mm, [("a21026-Avg", f"{20 + mm % 2}.0"), ("a21026-Flag", "N")])
                      for mm in range(50)])
    runner = RollupProcess(marks, engine.url.render_as_string(hide_password=False))
    try:
        assert runner.run() > 0
        assert marks.pending() == 0  # the marks went to the child
    finally:
        runner.close()
    [hour] = rollups(session_factory, "hour").values()
    assert hour.valid and hour.n_valid == 50 and hour.mean == pytest.approx(20.5)  # 25 x 20 and 25 x 21


def test_marks_stay_here_when_the_roll_up_process_is_gone(setup, engine, session_factory):
    # A signal to the whole process group can end the roll-up process before the server's last run.
    from parksteward.ingest.rollup_process import RollupError, RollupProcess

    mn, _, pipeline, marks = setup
    pipeline.process([minute_frame(mn, 9, mm, [("a21026-Avg", "20.0"), ("a21026-Flag", "N")]) for mm in range(50)])
    runner = RollupProcess(marks, engine.url.render_as_string(hide_password=False))
    runner._process.terminate()
    runner._process.join(10)
    with pytest.raises(RollupError, match="roll-up process is gone"):
        runner.run(force=True)
    assert marks.pending() > 0  # nothing was lost: this process can still roll them up
    assert marks.run(force=True) > 0
    runner.close()
    [hour] = rollups(session_factory, "hour").values()
    assert hour.n_valid == 50


def test_the_newest_minute_waits_while_its_device_keeps_sending(setup, session_factory):
    mn, _, pipeline, engine = setup

    def second(mm: int, ss: int) -> Arrival:
        return Arrival(build_frame(st="31", cn="2011", mn=mn, pw="123456", qn=f"{mm}{ss:02d}",
                                   cp=[("DataTime", f"2025031509{mm:02d}{ss:02d}"), ("a21026-Rtd", "5.0"),
                                       ("a21026-Flag", "N")]))

    nine = calendar.timegm((2025, 3, 15, 1, 0, 0))
    pipeline.process([second(0, ss) for ss in range(0, 60, 10)] + [second(1, 0)])
    engine.run()
    assert [t for _, t in rollups(session_factory, "minute")] == [nine]  # 09:01 is still filling
    pipeline.process([second(1, 10)])
    engine.run()
    assert len(rollups(session_factory, "minute")) == 1  # new data for 09:01: it waits again
    engine.run()  # nothing new since: 09:01 is rolled up with both its values
    got = {t: r for (_, t), r in rollups(session_factory, "minute").items()}
    assert sorted(got) == [nine, nine + 60] and got[nine + 60].n_total == 2 and got[nine].n_total == 6


def test_the_roll_up_process_can_have_the_ingest_writer_store_its_rows(setup, engine, session_factory):
    # On SQLite a second writing connection stalls the ingest writer; the process's rows then
    # go through the Batcher's writer thread instead (Batcher.write).
    import asyncio

    from parksteward.ingest.batcher import Batcher
    from parksteward.ingest.rollup_process import RollupProcess

    mn, _, pipeline, marks = setup
    pipeline.process([minute_frame(mn, 9, mm, [("a21026-Avg", f"{20 + mm % 2}.0"), ("a21026-Flag", "N")])
                      for mm in range(50)])
    writer_threads = []

    async def scenario():
        batcher = Batcher(pipeline)
        await batcher.start()
        runner = RollupProcess(marks, engine.url.render_as_string(hide_password=False),
                               write=traced_write(batcher.write, writer_threads))
        try:
            return await asyncio.to_thread(runner.run, True)
        finally:
            await asyncio.to_thread(runner.close)
            await batcher.stop()

    written = asyncio.run(scenario())
    assert written == 2 and writer_threads and all(name.startswith("ingest-writer") for name in writer_threads)  # the hour and its day
    [hour] = rollups(session_factory, "hour").values()
    assert hour.n_valid == 50 and hour.mean == pytest.approx(20.5)  # 25 x 20 and 25 x 21


def test_the_server_has_the_ingest_writer_store_roll_ups_on_sqlite_only(setup, engine, session_factory):
    # SQLite has one writer; PostgreSQL takes the roll-up process's own transactions beside the
    # ingest writer's, so there its rows must not queue between the ingest batches.
    import asyncio

    from parksteward.config import Settings
    from parksteward.ingest.batcher import Batcher
    from parksteward.server import rollup_runner

    mn, _, pipeline, marks = setup
    pipeline.process([minute_frame(mn, 9, mm, [("a21026-Avg", "20.0"), ("a21026-Flag", "N")]) for mm in range(50)])
    url = engine.url.render_as_string(hide_password=False)
    jobs = []

    async def scenario():
        batcher = Batcher(pipeline)
        await batcher.start()
        write = batcher.write
        batcher.write = lambda work: jobs.append(work) or write(work)
        runner = rollup_runner(Settings(database_url=url, gateway_workers=2), marks, batcher=batcher)
        try:
            return await asyncio.to_thread(runner.run, True)
        finally:
            await asyncio.to_thread(runner.close)
            await batcher.stop()

    assert asyncio.run(scenario()) == 2  # the hour and its day, stored either way
    assert bool(jobs) == (engine.dialect.name == "sqlite")
    [hour] = rollups(session_factory, "hour").values()
    assert hour.n_valid == 50


def test_rows_the_writer_refused_are_computed_again_next_run(setup, engine, session_factory):
    from parksteward.ingest.rollup_process import RollupError, RollupProcess

    mn, _, pipeline, marks = setup
    pipeline.process([minute_frame(mn, 9, mm, [("a21026-Avg", "20.0"), ("a21026-Flag", "N")]) for mm in range(50)])
    refuse = [True]

    def write(work):
        if refuse[0]:
            raise OSError("disk full")
        with engine.begin() as connection:
            return work(connection)

    runner = RollupProcess(marks, engine.url.render_as_string(hide_password=False), write=write)
    try:
        with pytest.raises(RollupError, match="disk full"):
            runner.run(force=True)
        assert rollups(session_factory, "hour") == {}
        refuse[0] = False
        assert runner.run(force=True) == 2  # the hour and its day: the marks were kept in the process
    finally:
        runner.close()
    [hour] = rollups(session_factory, "hour").values()
    assert hour.n_valid == 50
