"""Writes of other parts that go through the ingest writer (Batcher.write): the frame notary's
leaves; and once the writer has stopped, the notary writes by itself."""

from __future__ import annotations

import asyncio

import pytest

from parksteward.hj212 import build_frame
from parksteward.ingest.batcher import Batcher, WriterStopped
from parksteward.ingest.notary import FrameNotary
from parksteward.ingest.pipeline import Arrival, CommittedBatch, Pipeline
from parksteward.ledger.store import LogStore
from parksteward.registry.tables import Device
from tests.factories import build_world
from tests.ingest.helpers import traced_write


def _hourly(mn: str, hour: int) -> Arrival:
    return Arrival(build_frame(st="31", cn="2061", mn=mn, pw="123456", qn=f"2025031510000{hour}123", flag=5,
                               cp=[("DataTime", f"202503150{hour}0000"), ("a21026-Avg", "24.8"), ("a21026-Flag", "N")]))


def test_the_notary_appends_through_the_writer_and_by_itself_once_it_stopped(engine, session_factory):
    with session_factory() as session:
        mn = session.get(Device, build_world(session).device["a"]).mn
    batches: list[CommittedBatch] = []
    pipeline = Pipeline(engine, on_commit=batches.append)
    pipeline.process([_hourly(mn, 7), _hourly(mn, 8)])
    pipeline.process([_hourly(mn, 9)])
    log = LogStore(engine, "parksteward.test/log")
    threads: list[str] = []

    async def scenario():
        batcher = Batcher(pipeline)
        await batcher.start()
        notary = FrameNotary(log, write=traced_write(batcher.write, threads))
        assert await asyncio.to_thread(notary.notarize, batches[:1]) == 1
        await batcher.stop()
        with pytest.raises(WriterStopped):
            batcher.write(lambda connection: None)
        notary.write = batcher.write  # stopped: the notary falls back to the log's engine
        assert await asyncio.to_thread(notary.notarize, batches[1:]) == 1
        return notary

    notary = asyncio.run(scenario())
    assert len(threads) == 1 and threads[0].startswith("ingest-writer")
    assert log.head()[0] == 2 and notary.frames == 3  # two leaves (one per batch) for three frames


def test_a_job_that_fails_commits_nothing_and_raises_in_the_caller(engine):
    from sqlalchemy import text

    async def scenario():
        batcher = Batcher(Pipeline(engine))
        await batcher.start()

        def failing(connection):
            connection.execute(text("INSERT INTO raw_frame (received_ms, transport, raw) VALUES (1, 'http', :raw)"),
                               {"raw": b"half-written"})
            raise RuntimeError("the job changed its mind")

        try:
            with pytest.raises(RuntimeError, match="changed its mind"):
                await asyncio.to_thread(batcher.write, failing)
        finally:
            await batcher.stop()

    asyncio.run(scenario())
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM raw_frame")).scalar() == 0
