"""The MQTT adapter against a real broker (Mosquitto on 127.0.0.1:1883 in CI)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import uuid

import aiomqtt
import pytest
from sqlalchemy import func, select

from parksteward.hj212 import build_frame, parse_frame
from parksteward.ingest.batcher import Batcher
from parksteward.ingest.mqtt import MqttAdapter
from parksteward.ingest.pipeline import Pipeline
from parksteward.ingest.tables import FrameVerdict, Reading
from parksteward.registry.tables import Device
from tests.factories import build_world

BROKER = os.environ.get("PARKSTEWARD_TEST_MQTT", "127.0.0.1:1883")
HOST, PORT = BROKER.rsplit(":", 1)[0], int(BROKER.rsplit(":", 1)[1])
pytestmark = pytest.mark.mqtt


@pytest.fixture(autouse=True)
def broker():
    try:
        socket.create_connection((HOST, PORT), timeout=2).close()
    except OSError as exc:
        message = f"no MQTT broker answers at {BROKER}: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true requires it)")
        pytest.skip(message)


@pytest.fixture
def mn(session_factory):
    with session_factory() as session:
        world = build_world(session)
        return session.get(Device, world.device["a"]).mn


async def with_adapter(engine, scenario):
    prefix = f"ps-test-{uuid.uuid4().hex[:8]}"
    batcher = Batcher(Pipeline(engine), max_wait=0.005)
    await batcher.start()
    adapter = MqttAdapter(batcher, HOST, PORT, prefix)
    await adapter.start()
    try:
        await asyncio.wait_for(adapter.connected.wait(), 10)
        async with aiomqtt.Client(HOST, PORT) as client:
            return await scenario(client, prefix)
    finally:
        await adapter.stop()
        await batcher.stop()


def test_a_frame_over_mqtt_is_stored_and_answered(engine, session_factory, mn):
    frame = build_frame(st="31", cn="2011", mn=mn, pw="123456", qn="20250315093000001",
                        cp=[("DataTime", "20250315093000"), ("a21026-Rtd", "24.8"), ("a21026-Flag", "N")])

    async def scenario(client, prefix):
        await client.subscribe(f"{prefix}/hj212/{mn}/reply", qos=1)
        await client.publish(f"{prefix}/hj212/{mn}", frame + b"garbage", qos=1)
        async for message in client.messages:
            return bytes(message.payload)

    reply = asyncio.run(asyncio.wait_for(with_adapter(engine, scenario), 30))
    answer = parse_frame(reply)
    assert (answer.cn, answer.qn) == ("9014", "20250315093000001")
    with session_factory() as session:
        assert session.scalar(select(Reading.value)) == 24.8
        # The garbage after the frame was archived and refused, not dropped silently.
        assert session.scalar(select(func.count()).select_from(FrameVerdict).where(FrameVerdict.ok.is_(False))) == 1


def test_json_readings_over_mqtt(engine, session_factory, mn):
    payload = json.dumps([
        {"mn": mn, "pw": "123456", "cn": "2061", "data_time": "2025-03-15T09:00:00+08:00",
         "values": [{"code": "a21026", "field": "Avg", "value": 24.8, "flag": "N"},
                    {"code": "a21002", "field": "Avg", "value": 46.9}]},
        {"mn": mn, "pw": "wrong!", "data_time": "2025-03-15T09:00:00", "values": [{"code": "a21026", "value": 1}]},
    ])

    async def scenario(client, prefix):
        await client.publish(f"{prefix}/readings/{mn}", payload, qos=1)
        await client.publish(f"{prefix}/readings/{mn}", b"{not json", qos=1)
        for _ in range(100):
            await asyncio.sleep(0.1)
            with session_factory() as session:
                if session.scalar(select(func.count()).select_from(FrameVerdict)) >= 3:
                    return

    asyncio.run(asyncio.wait_for(with_adapter(engine, scenario), 30))
    with session_factory() as session:
        rows = session.execute(select(Reading.factor, Reading.interval, Reading.t, Reading.value)
                               .order_by(Reading.factor)).all()
        # 09:00 +08:00 is 01:00 UTC = 1742000400 (2025-03-15T01:00:00Z).
        assert rows == [("a21002", "hour", 1742000400, 46.9), ("a21026", "hour", 1742000400, 24.8)]
        kinds = sorted(k for (k,) in session.execute(select(FrameVerdict.kind).where(FrameVerdict.ok.is_(False))))
        assert kinds == ["bad_json", "wrong_password"]
