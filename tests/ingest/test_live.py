"""Live readings for the console: the newest raw values per point, at most one event per point a second."""

import pytest

from parksteward.hj212 import build_frame
from parksteward.ingest.live import LiveReadings
from parksteward.ingest.pipeline import Arrival, Pipeline
from parksteward.registry.tables import Device, MonitoringPoint
from tests.factories import build_world


class Recorder:
    """A broadcaster that keeps what is published (one subscriber, so that batches are taken)."""

    count = 1

    def __init__(self):
        self.published = []

    def publish(self, payload):
        self.published.append(payload)


def realtime(mn: str, second: int, cp: list) -> Arrival:
    return Arrival(build_frame(st="31", cn="2011", mn=mn, pw="123456", qn=f"20250315090000{second:03d}",
                               cp=[("DataTime", f"202503150900{second:02d}")] + cp))


@pytest.fixture
def live_world(engine, session_factory):
    with session_factory() as session:
        world = build_world(session)
        device = session.get(Device, world.device["a"])
        point = session.get(MonitoringPoint, device.point_id)
        setup = device.mn, point.code, point.enterprise_id
    recorder = Recorder()
    live = LiveReadings(session_factory, recorder, min_interval_s=1.0)
    return setup, live, recorder, Pipeline(engine, on_commit=live.submit)


def test_the_newest_raw_values_of_a_point_are_published_once(live_world):
    (mn, code, enterprise_id), live, recorder, pipeline = live_world
    pipeline.process([realtime(mn, 1, [("a21026-Rtd", "20.5"), ("a21026-Flag", "N")]),
                      realtime(mn, 2, [("a21026-Rtd", "31.0"), ("a21026-Flag", "D"), ("a21002-Rtd", "7.25")])])
    pipeline.process([realtime(mn, 0, [("a21026-Rtd", "99.0")])])  # older than what is pending: not shown
    while not live._queue.empty():
        live.take(live._queue.get_nowait())
    assert live.flush(now=100.0) == 1
    [event] = recorder.published
    assert event["code"] == code and event["enterprise"] == {"id": enterprise_id}
    assert event["t"] == 1742000402  # 2025-03-15 09:00:02 Asia/Shanghai = 01:00:02 UTC
    assert event["values"] == {"a21026": [31.0, "D"], "a21002": [7.25, None]}


def test_a_point_gets_at_most_one_event_per_interval(live_world):
    (mn, _, _), live, recorder, pipeline = live_world
    for second in (1, 2, 3):
        pipeline.process([realtime(mn, second, [("a21026-Rtd", f"{second}.0"), ("a21026-Flag", "N")])])
        live.take(live._queue.get_nowait())
        live.flush(now=100.0 + 0.4 * second)  # 100.4, 100.8, 101.2
    assert [e["values"]["a21026"][0] for e in recorder.published] == [1.0]  # 2 and 3 wait for 101.4
    live.flush(now=101.4)
    assert [e["values"]["a21026"][0] for e in recorder.published] == [1.0, 3.0]  # the newest, not each


def test_nothing_is_queued_while_no_console_watches(live_world):
    (mn, _, _), live, recorder, pipeline = live_world
    recorder.count = 0
    pipeline.process([realtime(mn, 1, [("a21026-Rtd", "20.5")])])
    assert live._queue.empty()


def test_an_enterprise_console_receives_only_its_own_points(engine, session_factory):
    import asyncio

    from parksteward.alarms.stream import Broadcaster

    with session_factory() as session:
        world = build_world(session)
        devices = {key: session.get(Device, world.device[key]) for key in ("a", "b")}
        mns = {key: device.mn for key, device in devices.items()}
    live = LiveReadings(session_factory, Broadcaster())
    pipeline = Pipeline(engine, on_commit=live.submit)

    async def scenario():
        park, own, other = (live.broadcaster.subscribe(None), live.broadcaster.subscribe(world.enterprise["a"]),
                            live.broadcaster.subscribe(world.enterprise["b"]))
        await asyncio.to_thread(pipeline.process, [realtime(mns["a"], 1, [("a21026-Rtd", "20.5")])])
        live.take(live._queue.get_nowait())
        live.flush()
        await asyncio.sleep(0.05)  # the events reach the subscribers' queues on this loop
        return [s.queue.qsize() for s in (park, own, other)]

    assert asyncio.run(scenario()) == [1, 1, 0]
