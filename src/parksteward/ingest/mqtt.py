"""MQTT adapter: HJ 212 frames and JSON readings from a broker (Mosquitto in CI).

Topics, under a configurable prefix (default ``parksteward``):

``<prefix>/hj212/<MN>``
    payload: one or more raw HJ 212 frames, as a logger would send them over TCP. The
    centre's answers (9014) are published to ``<prefix>/hj212/<MN>/reply``.
``<prefix>/readings/<MN>``
    payload: JSON readings (:mod:`parksteward.ingest.json_readings`), one message or a list.

Every payload is archived and goes through the same pipeline as TCP frames.
"""

from __future__ import annotations

import asyncio
import logging

import aiomqtt

from parksteward.hj212.stream import FrameSplitter
from parksteward.ingest.batcher import Batcher, cancel_and_wait
from parksteward.ingest.json_readings import BadJson, parse_messages
from parksteward.ingest.pipeline import Arrival, Outcome

log = logging.getLogger(__name__)


def arrivals_of(topic: str, payload: bytes, prefix: str) -> list[Arrival]:
    """The arrivals one MQTT message carries (frames, JSON messages, or the reason it has none)."""
    peer = f"mqtt:{topic}"[:64]
    if topic.startswith(f"{prefix}/readings/"):
        try:
            return [Arrival(payload, "mqtt", peer, message=m) for m in parse_messages(payload)]
        except BadJson as exc:
            return [Arrival(payload, "mqtt", peer, framing_error=exc)]
    splitter = FrameSplitter()
    chunks = splitter.feed(payload) + splitter.flush()
    return [Arrival(chunk.raw, "mqtt", peer, framing_error=chunk.error) for chunk in chunks]


class MqttAdapter:
    def __init__(self, batcher: Batcher, host: str = "127.0.0.1", port: int = 1883, prefix: str = "parksteward",
                 username: str | None = None, password: str | None = None):
        self.batcher = batcher
        self.host, self.port, self.prefix = host, port, prefix
        self.username, self.password = username, password
        self._task: asyncio.Task | None = None
        self._answering: set[asyncio.Task] = set()
        self.connected = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="mqtt-adapter")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)

    async def _run(self) -> None:
        delay = 1.0
        while True:
            try:
                async with aiomqtt.Client(self.host, self.port, username=self.username, password=self.password,
                                          identifier=None) as client:
                    await client.subscribe(f"{self.prefix}/hj212/+", qos=1)
                    await client.subscribe(f"{self.prefix}/readings/+", qos=1)
                    self.connected.set()
                    delay = 1.0
                    log.info("MQTT adapter subscribed on %s:%d under %s/", self.host, self.port, self.prefix)
                    async for message in client.messages:
                        await self._handle(client, str(message.topic), bytes(message.payload))
            except aiomqtt.MqttError as exc:
                self.connected.clear()
                log.warning("MQTT broker %s:%d: %s; reconnecting in %.0f s", self.host, self.port, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)

    async def _handle(self, client: aiomqtt.Client, topic: str, payload: bytes) -> None:
        futures = [await self.batcher.submit(a) for a in arrivals_of(topic, payload, self.prefix)]
        # Answer in the background: the next message need not wait for this one's commit.
        task = asyncio.create_task(self._answer(client, topic, futures))
        self._answering.add(task)
        task.add_done_callback(self._answering.discard)

    async def _answer(self, client: aiomqtt.Client, topic: str, futures: list[asyncio.Future]) -> None:
        for future in futures:
            outcome: Outcome = await future
            if not outcome.ok:
                log.warning("refused on %s: %s: %s", topic, outcome.kind, outcome.message)
            elif outcome.reply is not None:
                await client.publish(f"{topic}/reply", outcome.reply, qos=1)
