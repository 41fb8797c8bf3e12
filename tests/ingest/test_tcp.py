"""The TCP gateway over real loopback sockets."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from parksteward.hj212 import build_frame, parse_frame
from parksteward.hj212.stream import FrameSplitter
from parksteward.ingest.batcher import Batcher
from parksteward.ingest.pipeline import CommittedBatch, Pipeline
from parksteward.ingest.tables import FrameVerdict, RawFrame, Reading, ReadingSet
from parksteward.ingest.tcp import TcpGateway
from parksteward.ingest.workers import GatewayWorkers
from parksteward.registry.tables import Device
from tests.factories import build_world


def realtime(mn: str, qn: str, second: int, pw: str = "123456") -> bytes:
    cp = [("DataTime", f"20250315090{second // 60}{second % 60:02d}"[:14]), ("a21026-Rtd", f"{20 + second}.5"),
          ("a21026-Flag", "N")]
    return build_frame(st="31", cn="2011", mn=mn, pw=pw, qn=qn, flag=5, cp=cp)


@pytest.fixture
def mns(session_factory):
    with session_factory() as session:
        world = build_world(session)
        return [session.get(Device, world.device[k]).mn for k in ("a", "b")]


@pytest.fixture(params=[0, 2], ids=["in-process", "2-workers"])
def workers(request):
    """Every scenario runs with the gateway in the test's process and in two worker processes."""
    return request.param


async def run_gateway(engine, scenario, workers: int = 0, **options):
    batcher = Batcher(Pipeline(engine), max_wait=0.005)
    await batcher.start()
    if workers:
        url = engine.url.render_as_string(hide_password=False)
        gateway = GatewayWorkers(batcher, url, port=0, count=workers, **options)
    else:
        gateway = TcpGateway(batcher, port=0, **options)
    await gateway.start()
    try:
        return await scenario(gateway.port)
    finally:
        await gateway.stop()
        await batcher.stop()


async def read_replies(reader, count: int, timeout: float = 10) -> list:
    splitter, frames = FrameSplitter(), []
    while len(frames) < count:
        data = await asyncio.wait_for(reader.read(4096), timeout)
        if not data:
            break
        frames += [parse_frame(c.raw) for c in splitter.feed(data) if c.error is None]
    return frames


def test_frames_in_one_write_across_writes_and_among_garbage_are_all_answered(engine, session_factory, mns, workers):
    frames = [realtime(mns[0], f"2025031509000000{i}", i) for i in range(4)]

    async def scenario(port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(frames[0] + frames[1] + b"noise\x00\xff" + frames[2][:30])
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(frames[2][30:] + frames[3])
        await writer.drain()
        replies = await read_replies(reader, 4)
        writer.close()
        return replies

    replies = asyncio.run(run_gateway(engine, scenario, workers))
    assert [r.qn for r in replies] == [f"2025031509000000{i}" for i in range(4)]
    assert {r.cn for r in replies} == {"9014"}
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Reading)) == 4
        assert session.scalar(select(func.count()).select_from(RawFrame)) == 5  # 4 frames + the noise


def test_an_unknown_device_is_refused_and_disconnected(engine, session_factory, mns, workers):
    async def scenario(port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(realtime("UNKNOWN0000000000000001", "1", 1))
        await writer.drain()
        data = await asyncio.wait_for(reader.read(4096), 10)
        writer.close()
        return data

    assert asyncio.run(run_gateway(engine, scenario, workers)) == b""  # closed without an answer
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Reading)) == 0
        assert session.scalar(select(func.count()).select_from(RawFrame)) == 1


def test_idle_connections_are_closed(engine, mns, workers):
    async def scenario(port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        data = await asyncio.wait_for(reader.read(4096), 10)
        writer.close()
        return data

    assert asyncio.run(run_gateway(engine, scenario, workers, idle_timeout=0.2)) == b""


def test_hundreds_of_concurrent_connections(engine, session_factory, mns, workers):
    clients = 300

    async def one(port, i):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(realtime(mns[(i // 60) % 2], f"Q{i}", i % 60))
        await writer.drain()
        [reply] = await read_replies(reader, 1)
        writer.close()
        return reply.qn

    async def scenario(port):
        return await asyncio.gather(*(one(port, i) for i in range(clients)))

    answered = asyncio.run(run_gateway(engine, scenario, workers))
    assert sorted(answered) == sorted(f"Q{i}" for i in range(clients))
    with session_factory() as session:
        # 2 devices x 60 distinct DataTimes; resends of the same (device, second) are idempotent.
        assert session.scalar(select(func.count()).select_from(Reading)) == 120


def test_every_committed_frame_reaches_the_servers_consumers_once(engine, session_factory, mns, workers):
    """The alarm stage, the roll-ups and the notary see what the gateway committed, in the
    server's process also when worker processes decoded it: each archived frame once with its
    id and bytes, each stored reading set."""
    committed: list[CommittedBatch] = []
    judged: list[CommittedBatch] = []

    class Recorder:
        def handle(self, batch):
            judged.append(batch)

    frames = [realtime(mns[i % 2], f"Q{i}", i // 2) for i in range(40)]

    async def scenario():
        batcher = Batcher(Pipeline(engine, alarm_stage=Recorder(), on_commit=committed.append), max_wait=0.005)
        await batcher.start()
        url = engine.url.render_as_string(hide_password=False)
        gateway = GatewayWorkers(batcher, url, port=0, count=workers) if workers else TcpGateway(batcher, port=0)
        await gateway.start()
        try:
            replies = []
            for part in (frames[:20], frames[20:]):
                reader, writer = await asyncio.open_connection("127.0.0.1", gateway.port)
                writer.write(b"".join(part))
                await writer.drain()
                replies += await read_replies(reader, len(part))
                writer.close()
            return replies  # the consumers got each batch before its answers went out
        finally:
            await gateway.stop()
            await batcher.stop()

    assert len(asyncio.run(scenario())) == 40
    with session_factory() as session:
        archived = {frame_id: raw for frame_id, raw in session.execute(select(RawFrame.id, RawFrame.raw))}
        stored_sets = session.scalar(select(func.count()).select_from(ReadingSet))
    handed_on = [frame for batch in committed for frame in batch.frames]
    assert len(handed_on) == 40 and dict(handed_on) == archived
    assert sorted(raw for _, raw in handed_on) == sorted(frames)
    assert sum(len(batch.reading_sets) for batch in committed) == stored_sets == 40  # 2 devices x 20 seconds
    assert [batch.frames for batch in judged] == [batch.frames for batch in committed]


def test_thousands_of_malformed_frames_among_valid_ones(engine, session_factory, mns, workers):
    import random

    rng = random.Random(212)
    valid = [realtime(mns[0], f"V{i}", i % 60) if i < 60 else
             build_frame(st="31", cn="2011", mn=mns[1], pw="123456", qn=f"V{i}",
                         cp=[("DataTime", f"202503150{i // 60}{i % 60:02d}00"[:14]), ("a21026-Rtd", "1.0")])
             for i in range(200)]
    template = valid[0]
    bad_makers = [
        lambda: template[:-6] + b"0000\r\n",  # bad checksum
        lambda: b"##9999" + template[6:],  # wrong (too long) length
        lambda: template[: rng.randrange(8, len(template) - 8)],  # truncated
        lambda: bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))).replace(b"#", b"x"),  # binary
        lambda: b"##9000" + b"x" * 50,  # over-long declaration, then junk
        lambda: build_frame(st="31", cn="2011", mn=mns[0], pw="123456", qn="U", cp=[("DataTime", "20250315090000"),
                                                                                     ("zz999-Rtd", "1")]),  # unknown
        lambda: build_frame(st="31", cn="2011", mn=mns[0], pw="123456", qn="E", cp=[]),  # empty CP
    ]
    stream, expected_qns, answerable = b"", [], 0
    for frame in valid:
        for _ in range(10):
            maker = rng.choice(bad_makers)
            answerable += maker is bad_makers[5]  # a well-formed frame with an unknown factor is answered
            stream += maker()
        stream += frame
        expected_qns.append(parse_frame(frame).qn)

    async def scenario(port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for i in range(0, len(stream), 4096):
            writer.write(stream[i:i + 4096])
        await writer.drain()
        replies = await read_replies(reader, 200 + answerable, timeout=20)
        writer.close()
        return replies

    replies = asyncio.run(run_gateway(engine, scenario, workers))
    answered = [r.qn for r in replies]
    assert set(expected_qns) <= set(answered)  # every valid frame was acknowledged
    with session_factory() as session:
        from parksteward.ingest.tables import FrameVerdict

        assert session.scalar(select(func.count()).select_from(Reading)) >= 120
        refused = session.scalar(select(func.count()).select_from(FrameVerdict).where(FrameVerdict.ok.is_(False)))
        assert refused >= 1000  # each bad stretch was archived with its reason
        assert session.scalar(select(func.count()).select_from(FrameVerdict).where(
            FrameVerdict.ok.is_(False), FrameVerdict.kind.is_(None))) == 0


def _refuse_reading_sets(engine, refuse: bool) -> None:
    """While ``refuse`` is set, the store refuses reading sets (a trigger), whichever process writes."""
    with engine.begin() as connection:
        if not refuse:
            connection.exec_driver_sql("DELETE FROM test_refuse")
        elif engine.dialect.name == "sqlite":
            connection.exec_driver_sql("CREATE TABLE test_refuse (x INTEGER)")
            connection.exec_driver_sql("INSERT INTO test_refuse VALUES (1)")
            connection.exec_driver_sql("CREATE TRIGGER test_refuse_sets BEFORE INSERT ON reading_set "
                                       "WHEN EXISTS (SELECT 1 FROM test_refuse) BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        else:
            connection.exec_driver_sql("CREATE TABLE test_refuse (x INTEGER)")
            connection.exec_driver_sql("INSERT INTO test_refuse VALUES (1)")
            connection.exec_driver_sql(
                "CREATE FUNCTION test_refuse_sets() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF EXISTS (SELECT 1 FROM test_refuse) THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$")
            connection.exec_driver_sql("CREATE TRIGGER test_refuse_sets BEFORE INSERT ON reading_set "
                                       "FOR EACH ROW EXECUTE FUNCTION test_refuse_sets()")


@pytest.fixture
def refusing_store(engine):
    yield lambda refuse: _refuse_reading_sets(engine, refuse)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS test_refuse_sets" +
                                   ("" if engine.dialect.name == "sqlite" else " ON reading_set"))
        connection.exec_driver_sql("DROP TABLE IF EXISTS test_refuse")
        if engine.dialect.name != "sqlite":
            connection.exec_driver_sql("DROP FUNCTION IF EXISTS test_refuse_sets()")


def test_a_batch_the_store_refuses_is_not_acknowledged_and_a_resend_is(engine, session_factory, mns, workers,
                                                                       refusing_store):
    frame = realtime(mns[0], "20250315090000001", 1)
    refusing_store(True)

    async def scenario():
        batcher = Batcher(Pipeline(engine), max_wait=0.005)
        await batcher.start()
        url = engine.url.render_as_string(hide_password=False)
        gateway = GatewayWorkers(batcher, url, port=0, count=workers) if workers else TcpGateway(batcher, port=0)
        await gateway.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", gateway.port)
            writer.write(frame)
            await writer.drain()
            with pytest.raises(TimeoutError):  # the failed batch gets no answer
                await asyncio.wait_for(reader.read(4096), 1.0)
            await asyncio.to_thread(refusing_store, False)  # the store works again
            writer.write(frame)  # the logger resends
            replies = await read_replies(reader, 1)
            writer.close()
            return replies
        finally:
            await gateway.stop()
            await batcher.stop()

    [reply] = asyncio.run(scenario())
    assert reply.cn == "9014" and reply.qn == "20250315090000001"
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(RawFrame)) == 2  # the refused frame stays archived
        assert session.scalar(select(func.count()).select_from(FrameVerdict)) == 1  # the resend's
        assert session.scalar(select(func.count()).select_from(Reading)) == 1


def test_worker_processes_end_with_the_server(engine, mns):
    async def scenario():
        batcher = Batcher(Pipeline(engine), max_wait=0.005)
        await batcher.start()
        gateway = GatewayWorkers(batcher, engine.url.render_as_string(hide_password=False), port=0, count=2)
        await gateway.start()
        alive_while_serving = gateway.alive
        await gateway.stop()
        await batcher.stop()
        return alive_while_serving, gateway.alive

    assert asyncio.run(scenario()) == (2, 0)
    with pytest.raises(ValueError, match="at least 1"):
        GatewayWorkers(None, "sqlite://", count=0)


def test_a_full_queue_holds_the_connection_back_without_losing_frames(engine, session_factory, mns):
    frames = [realtime(mns[0], f"Q{i:03d}", i % 60) for i in range(60)]

    async def scenario():
        batcher = Batcher(Pipeline(engine), max_batch=4, max_wait=0.001, max_queue=3)
        await batcher.start()
        gateway = TcpGateway(batcher, port=0)
        await gateway.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", gateway.port)
            writer.write(b"".join(frames))  # 60 frames at once into a queue of 3
            await writer.drain()
            replies = await read_replies(reader, len(frames))
            writer.close()
            return replies
        finally:
            await gateway.stop()
            await batcher.stop()

    replies = asyncio.run(scenario())
    assert sorted(r.qn for r in replies) == [f"Q{i:03d}" for i in range(60)]
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Reading)) == 60
