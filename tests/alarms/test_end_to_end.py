"""The warning loop end to end over real interfaces.

HJ 212 frames go to the TCP gateway over a loopback socket; the API and its Server-Sent
Events stream are served by uvicorn on a real port; the webhook goes to an HTTP receiver and
the e-mail to an SMTP server (aiosmtpd), both started here.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import socket
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import httpx
import uvicorn
from aiosmtpd.controller import Controller
from sqlalchemy import select

from parksteward.access.actor import SYSTEM
from parksteward.alarms.channels import SIGNATURE_HEADER, verify_signature
from parksteward.alarms.setup import prepare_park
from parksteward.alarms.tables import Alarm, Recipient
from parksteward.api import create_app
from parksteward.config import Settings
from parksteward.hj212 import build_frame
from parksteward.ingest.batcher import Batcher
from parksteward.ingest.tcp import TcpGateway
from parksteward.registry import service as registry
from parksteward.registry.tables import Park
from parksteward.server import start_alarms
from tests.factories import PASSWORD, build_world

SECRET = "webhook-secret-of-the-command-centre"
TANK_MN = "TANKT301MN00000000000001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Received:
    def __init__(self):
        self.items: list = []
        self.event = threading.Event()

    def add(self, item) -> None:
        self.items.append(item)
        self.event.set()


def webhook_receiver(received: Received) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.add((dict(self.headers), body, time.monotonic()))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class MailHandler:
    def __init__(self, received: Received):
        self.received = received

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.received.add((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace"), time.monotonic()))
        return "250 OK"


def tank_frame(fill_pct: float, at: datetime, qn: str) -> bytes:
    local = at.astimezone(ZoneInfo("Asia/Shanghai"))
    cp = [("DataTime", local.strftime("%Y%m%d%H%M%S")), ("x01002-Rtd", f"{fill_pct:.1f}"), ("x01002-Flag", "N")]
    return build_frame(st="39", cn="2011", mn=TANK_MN, pw="123456", qn=qn, flag=5, cp=cp)


def build_tank_park(session, webhook_url: str) -> dict:
    world = build_world(session)
    a = world.enterprise["a"]
    registry.risk_sources.create(session, SYSTEM, {
        "enterprise_id": a, "code": "T-302", "name": "备用储罐", "kind": "storage_tank", "lon": 118.791,
        "lat": 32.255, "capacity_m3": 100.0, "tank_height_m": 8.0, "safe_level_m": 6.4, "inventory": [],
    })
    point = registry.monitoring_points.create(session, SYSTEM, {
        "park_id": world.park, "enterprise_id": a, "risk_source_id": world.risk_source["a"], "code": "P-a-T301",
        "name": "T-301 液位", "kind": "tank_level", "lon": 118.79, "lat": 32.255,
    })
    registry.devices.create(session, SYSTEM, {"point_id": point.id, "mn": TANK_MN, "password": "123456",
                                              "factor_codes": ["x01002"]})
    prepare_park(session, session.get(Park, world.park))
    session.add(Recipient(park_id=world.park, name="指挥中心平台", group="command", webhook_url=webhook_url,
                          webhook_secret=SECRET, min_level="blue"))
    session.commit()
    return {"park": world.park, "point": point.id}


async def wait_for(condition, timeout: float, step: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await asyncio.to_thread(condition) if not asyncio.iscoroutinefunction(condition) else await condition()
        if value:
            return value
        await asyncio.sleep(step)
    return None


def test_a_tank_past_80_percent_raises_one_yellow_alarm_on_every_channel(database_url, tmp_path):
    hooks, mails = Received(), Received()
    receiver = webhook_receiver(hooks)
    smtp = Controller(MailHandler(mails), hostname="127.0.0.1", port=free_port())
    smtp.start()
    http_port = free_port()
    settings = Settings(database_url=database_url, secret_key="test-secret-of-at-least-32-bytes-length",
                        data_dir=tmp_path / "data", document_dir=tmp_path / "documents", smtp_host="127.0.0.1",
                        smtp_port=smtp.port, alarm_sweep_seconds=0.5, ledger_notarize_frames=False)
    app = create_app(settings)
    with app.state.sessionmaker() as session:
        build_tank_park(session, f"http://127.0.0.1:{receiver.server_port}/hook")
    stop = threading.Event()

    async def scenario():
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=http_port, log_level="warning"))
        serving = asyncio.create_task(server.serve())
        batcher = Batcher(app.state.pipeline, max_wait=0.005)
        await batcher.start()
        gateway = TcpGateway(batcher, port=0)
        await gateway.start()
        start_alarms(app, settings, stop)
        while not server.started:
            await asyncio.sleep(0.01)
        base = f"http://127.0.0.1:{http_port}/api/v1"
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                token = (await client.post(f"{base}/auth/token", data={"username": "ent_a", "password": PASSWORD})
                         ).json()["access_token"]
                auth = {"Authorization": f"Bearer {token}"}
                sse: list[dict] = []
                sse_open = asyncio.Event()

                async def listen():
                    # as a browser's EventSource connects: the token in the query string
                    async with client.stream("GET", f"{base}/alarms/stream?access_token={token}") as response:
                        assert response.headers["content-type"].startswith("text/event-stream")
                        async for line in response.aiter_lines():
                            sse_open.set()
                            if line.startswith("data: "):
                                sse.append({"data": json.loads(line[6:]), "at": time.monotonic()})

                refused = await client.get(f"{base}/alarms/stream?access_token=forged")
                assert refused.status_code == 401
                listener = asyncio.create_task(listen())
                await asyncio.wait_for(sse_open.wait(), 5)

                reader, writer = await asyncio.open_connection("127.0.0.1", gateway.port)
                now = datetime.now(ZoneInfo("UTC")).replace(microsecond=0)
                # Below the band first: no alarm.
                writer.write(tank_frame(78.0, now - timedelta(seconds=2), "20250101000000001"))
                await writer.drain()
                assert b"CN=9014" in await asyncio.wait_for(reader.readuntil(b"\r\n"), 5)
                sent = time.monotonic()
                writer.write(tank_frame(82.0, now - timedelta(seconds=1), "20250101000000002"))
                await writer.drain()
                assert b"CN=9014" in await asyncio.wait_for(reader.readuntil(b"\r\n"), 5)

                # In the API and the live stream within 2 s.
                async def listed():
                    body = (await client.get(f"{base}/alarms?open=true", headers=auth)).json()
                    return body["data"] if body["count"] else None

                alarms = await wait_for(listed, 2.0)
                api_delay = time.monotonic() - sent
                assert alarms, "no alarm in the API within 2 s"
                assert api_delay < 2.0
                alarm = alarms[0]
                assert alarm["level"] == "yellow" and alarm["kind"] == "threshold" and alarm["value"] == 82.0
                assert alarm["threshold"] == 80.0 and alarm["count"] == 1
                assert "Stop feeding T-301" in alarm["advice"] and "transfer to T-302" in alarm["advice"]
                assert "check the level gauge" in alarm["advice"]
                got = await wait_for(lambda: [e for e in sse if e["data"]["event"] == "raised"], 2.0 - api_delay)
                assert got, "no SSE event within 2 s"
                assert got[0]["at"] - sent < 2.0
                assert got[0]["data"]["alarm"]["id"] == alarm["id"]
                assert "Stop feeding T-301" in got[0]["data"]["alarm"]["advice"]

                # A signed webhook to the command centre, with the advice.
                assert await asyncio.to_thread(hooks.event.wait, 10)
                headers, body, _ = hooks.items[0]
                assert verify_signature(SECRET, headers[SIGNATURE_HEADER], body)
                assert not verify_signature("another secret", headers[SIGNATURE_HEADER], body)
                assert not verify_signature(SECRET, headers[SIGNATURE_HEADER], body.replace(b"82", b"62"))
                hook = json.loads(body)
                assert hook["event"] == "raised" and hook["alarm"]["id"] == alarm["id"]
                assert "Stop feeding T-301" in hook["alarm"]["advice"]
                assert hook["scenario"]["steps"][0].startswith("Stop feeding T-301")

                # E-mails to the park recipients of a yellow warning (command centre, steward team).
                assert await wait_for(lambda: len(mails.items) >= 2, 10)
                rcpts = sorted(r for item in mails.items for r in item[0])
                assert rcpts == ["command@park.example", "steward@park.example"]
                for _, content, _ in mails.items:
                    message = email.message_from_string(content, policy=email.policy.default)
                    assert message["Subject"].startswith("[黄色预警 (III, yellow)] 企业A P-a-T301")
                    assert "处置建议 advice: Stop feeding T-301" in message.get_content()

                # The same frame again (a resend) and a higher value within yellow: one alarm, updated.
                writer.write(tank_frame(82.0, now - timedelta(seconds=1), "20250101000000002"))
                writer.write(tank_frame(85.5, now, "20250101000000003"))
                await writer.drain()
                for _ in range(2):
                    await asyncio.wait_for(reader.readuntil(b"\r\n"), 5)

                async def updated():
                    body = (await client.get(f"{base}/alarms", headers=auth)).json()
                    return body if body["data"] and body["data"][0]["count"] == 2 else None

                body = await wait_for(updated, 10)  # a persisting alarm is written every 2 s at most
                assert body is not None and body["count"] == 1
                assert body["data"][0]["peak_value"] == 85.5 and body["data"][0]["level"] == "yellow"

                # Acknowledge, then clear, each recorded with who and when.
                r = await client.post(f"{base}/alarms/{alarm['id']}/acknowledge", json={"comment": "feed stopped"},
                                      headers=auth)
                assert r.status_code == 200, r.text
                assert r.json()["alarm"]["state"] == "acknowledged"
                again = await client.post(f"{base}/alarms/{alarm['id']}/acknowledge", json={}, headers=auth)
                assert again.status_code == 409
                r = await client.post(f"{base}/alarms/{alarm['id']}/clear", json={"comment": "transferred"},
                                      headers=auth)
                detail = r.json()
                assert detail["alarm"]["state"] == "cleared" and detail["alarm"]["cleared_by"] == "ent_a"
                history = [(e["kind"], e["actor"], e["comment"]) for e in detail["history"]]
                assert history == [("raised", "system", None), ("acknowledged", "ent_a", "feed stopped"),
                                   ("cleared", "ent_a", "transferred")]
                channels = {(d["channel"], d["status"]) for d in detail["deliveries"] if d["event_id"] ==
                            detail["history"][0]["id"]}
                assert channels == {("sse", "delivered"), ("webhook", "delivered"), ("email", "delivered")}
                listener.cancel()
                writer.close()
        finally:
            stop.set()
            await gateway.stop()
            await batcher.stop()
            server.should_exit = True
            await serving

    try:
        asyncio.run(scenario())
    finally:
        smtp.stop()
        receiver.shutdown()
        app.state.engine.dispose()
    with app.state.sessionmaker() as session:
        assert len(session.scalars(select(Alarm)).all()) == 1
