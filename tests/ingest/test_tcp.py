"""The TCP gateway over real loopback sockets."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from parksteward.hj212 import build_frame, parse_frame
from parksteward.hj212.stream import FrameSplitter
from parksteward.ingest.batcher import Batcher
from parksteward.ingest.pipeline import Pipeline
from parksteward.ingest.tables import RawFrame, Reading
from parksteward.ingest.tcp import TcpGateway
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


async def run_gateway(engine, scenario, **options):
    batcher = Batcher(Pipeline(engine), max_wait=0.005)
    await batcher.start()
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


def test_frames_in_one_write_across_writes_and_among_garbage_are_all_answered(engine, session_factory, mns):
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

    replies = asyncio.run(run_gateway(engine, scenario))
    assert [r.qn for r in replies] == [f"2025031509000000{i}" for i in range(4)]
    assert {r.cn for r in replies} == {"9014"}
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Reading)) == 4
        assert session.scalar(select(func.count()).select_from(RawFrame)) == 5  # 4 frames + the noise


def test_an_unknown_device_is_refused_and_disconnected(engine, session_factory, mns):
    async def scenario(port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(realtime("UNKNOWN0000000000000001", "1", 1))
        await writer.drain()
        data = await asyncio.wait_for(reader.read(4096), 10)
        writer.close()
        return data

    assert asyncio.run(run_gateway(engine, scenario)) == b""  # closed without an answer
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Reading)) == 0
        assert session.scalar(select(func.count()).select_from(RawFrame)) == 1


def test_idle_connections_are_closed(engine, mns):
    async def scenario(port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        data = await asyncio.wait_for(reader.read(4096), 10)
        writer.close()
        return data

    assert asyncio.run(run_gateway(engine, scenario, idle_timeout=0.2)) == b""


def test_hundreds_of_concurrent_connections(engine, session_factory, mns):
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

    answered = asyncio.run(run_gateway(engine, scenario))
    assert sorted(answered) == sorted(f"Q{i}" for i in range(clients))
    with session_factory() as session:
        # 2 devices x 60 distinct DataTimes; resends of the same (device, second) are idempotent.
        assert session.scalar(select(func.count()).select_from(Reading)) == 120
