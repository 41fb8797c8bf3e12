"""Deliveries: retries with back-off and a log of every attempt; the live stream's scoping."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import select

from parksteward.alarms.dispatch import Dispatcher
from parksteward.alarms.stream import Broadcaster
from parksteward.alarms.tables import Alarm, Delivery, Recipient
from parksteward.config import Settings
from tests.factories import build_world


def flaky_receiver(failures: int):
    """Answers 503 to the first ``failures`` requests, then 200."""
    seen: list[float] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(time.monotonic())
            self.send_response(503 if len(seen) <= failures else 200)
            self.end_headers()
            self.wfile.write(b"busy" if len(seen) <= failures else b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


def outbox_row(session, world, url: str) -> int:
    now = datetime.now(timezone.utc)
    alarm = Alarm(park_id=world.park, enterprise_id=world.enterprise["a"], kind="threshold", level="yellow",
                  peak_level="yellow", state="active", message="test", first_at=now, last_at=now)
    session.add(alarm)
    session.flush()
    recipient = Recipient(park_id=world.park, name="hook", group="command", webhook_url=url,
                          webhook_secret="sixteen-chars-or-more")
    session.add(recipient)
    session.flush()
    delivery = Delivery(alarm_id=alarm.id, enterprise_id=alarm.enterprise_id, recipient_id=recipient.id,
                        group="command", channel="webhook", address=url, payload={"event": "raised"},
                        created_at=now, next_attempt_at=now)
    session.add(delivery)
    session.commit()
    return delivery.id


def test_a_failing_webhook_is_retried_with_back_off_and_every_attempt_logged(session_factory, tmp_path):
    server, seen = flaky_receiver(failures=2)
    with session_factory() as session:
        world = build_world(session)
        delivery_id = outbox_row(session, world, f"http://127.0.0.1:{server.server_port}/hook")
    dispatcher = Dispatcher(session_factory, Settings(notify_max_attempts=5, data_dir=tmp_path), Broadcaster())
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        dispatcher.run_once()
        with session_factory() as session:
            delivery = session.get(Delivery, delivery_id)
            if delivery.status != "pending":
                break
        time.sleep(0.05)
    server.shutdown()
    assert delivery.status == "delivered" and delivery.attempts == 3
    assert [entry["ok"] for entry in delivery.log] == [False, False, True]
    assert delivery.log[0]["error"] == "HTTP 503: busy" and delivery.log[2]["status_code"] == 200
    gaps = [b - a for a, b in zip(seen, seen[1:])]
    assert 0.9 < gaps[0] < 1.9 and 1.9 < gaps[1] < 2.9  # back-off of 1 s, then 2 s


def test_a_webhook_that_never_answers_is_marked_failed_after_the_last_attempt(session_factory, tmp_path):
    with session_factory() as session:
        world = build_world(session)
        delivery_id = outbox_row(session, world, "http://127.0.0.1:9/closed")  # discard port: refused
    dispatcher = Dispatcher(session_factory, Settings(notify_max_attempts=2, data_dir=tmp_path), Broadcaster())
    dispatcher.run_once()
    time.sleep(1.1)
    dispatcher.run_once()
    with session_factory() as session:
        delivery = session.get(Delivery, delivery_id)
        assert delivery.status == "failed" and delivery.attempts == 2
        assert "ConnectError" in delivery.last_error
        assert session.scalars(select(Delivery).where(Delivery.status == "pending")).all() == []


def test_the_live_stream_shows_an_enterprise_only_its_own_alarms():
    async def scenario():
        broadcaster = Broadcaster()
        park_wide, own, other = broadcaster.subscribe(None), broadcaster.subscribe(1), broadcaster.subscribe(2)
        sent = await asyncio.to_thread(broadcaster.publish, {"event": "raised", "enterprise": {"id": 1}})
        await asyncio.sleep(0.01)
        assert sent == 2
        assert park_wide.queue.qsize() == 1 and own.queue.qsize() == 1 and other.queue.qsize() == 0
        broadcaster.publish({"event": "raised", "enterprise": None})  # a park-owned point
        await asyncio.sleep(0.01)
        assert park_wide.queue.qsize() == 2 and own.queue.qsize() == 1

    asyncio.run(scenario())
