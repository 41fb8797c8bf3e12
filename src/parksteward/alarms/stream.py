"""The in-app live stream: alarm events to every connected console (Server-Sent Events).

Publishing happens on the alarm thread; each subscriber is an asyncio queue on the server's
event loop, fed with ``call_soon_threadsafe``. A subscriber that falls ``MAX_BACKLOG`` events
behind (a stalled browser tab) is dropped rather than allowed to grow without bound; its
client reconnects and reads the alarm list again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from dataclasses import dataclass, field

from fastapi.responses import StreamingResponse

log = logging.getLogger(__name__)
MAX_BACKLOG = 1000
HEARTBEAT_S = 15.0


@dataclass(eq=False)
class Subscriber:
    loop: asyncio.AbstractEventLoop
    enterprise_id: int | None  # None: sees every alarm (park roles)
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(MAX_BACKLOG))
    dropped: bool = False

    def offer(self, item) -> None:  # on the subscriber's loop
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.dropped = True
            log.warning("a live-stream subscriber fell %d events behind and was dropped", MAX_BACKLOG)


class Broadcaster:
    def __init__(self):
        self._lock = threading.Lock()
        self._subscribers: set[Subscriber] = set()

    def subscribe(self, enterprise_id: int | None) -> Subscriber:
        subscriber = Subscriber(asyncio.get_running_loop(), enterprise_id)
        with self._lock:
            self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)

    def publish(self, payload: dict) -> int:
        """Send an event to every subscriber allowed to see it; returns how many were sent it."""
        enterprise = (payload.get("enterprise") or {}).get("id")
        with self._lock:
            targets = [s for s in self._subscribers if not s.dropped
                       and (s.enterprise_id is None or s.enterprise_id == enterprise)]
        for subscriber in targets:
            try:
                subscriber.loop.call_soon_threadsafe(subscriber.offer, payload)
            except RuntimeError:  # its loop has closed
                self.unsubscribe(subscriber)
        return len(targets)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._subscribers)


async def events(broadcaster: Broadcaster, subscriber: Subscriber, heartbeat_s: float = HEARTBEAT_S,
                 event: str = "alarm"):
    """The SSE body: ``event: <event>`` messages, and a comment line as heartbeat so proxies keep it open."""
    try:
        yield ": connected\n\n"
        while not subscriber.dropped:
            try:
                payload = await asyncio.wait_for(subscriber.queue.get(), heartbeat_s)
            except asyncio.TimeoutError:
                yield ": heartbeat\n\n"
                continue
            data = json.dumps(payload, ensure_ascii=False, default=str)
            yield f"id: {payload.get('event_id') or ''}\nevent: {event}\ndata: {data}\n\n"
    finally:
        broadcaster.unsubscribe(subscriber)


def sse_response(broadcaster: Broadcaster, subscriber: Subscriber, event: str = "alarm") -> StreamingResponse:
    """The HTTP response of a live stream: :func:`events` as ``text/event-stream``, uncached and
    unbuffered by proxies."""
    return StreamingResponse(events(broadcaster, subscriber, event=event), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
