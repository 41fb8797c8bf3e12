"""Run the API and the HJ 212 gateway together in one event loop (``parksteward serve``)."""

from __future__ import annotations

import logging

import uvicorn
from sqlalchemy import Engine

from parksteward.api import create_app
from parksteward.config import Settings
from parksteward.ingest.batcher import Batcher
from parksteward.ingest.mqtt import MqttAdapter
from parksteward.ingest.tcp import TcpGateway

log = logging.getLogger(__name__)


async def serve(settings: Settings, engine: Engine, gateway: bool = True) -> None:
    app = create_app(settings, engine)
    server = uvicorn.Server(uvicorn.Config(app, host=settings.host, port=settings.port, log_level="info"))
    batcher = tcp = mqtt = None
    if gateway:
        batcher = Batcher(app.state.pipeline, periodic=app.state.rollups.run)
        await batcher.start()
        tcp = TcpGateway(batcher, settings.gateway_host, settings.gateway_port, settings.gateway_idle_timeout_s)
        await tcp.start()
        app.state.gateway = tcp
        if settings.mqtt_host:
            mqtt = MqttAdapter(batcher, settings.mqtt_host, settings.mqtt_port, settings.mqtt_prefix,
                               settings.mqtt_username, settings.mqtt_password)
            await mqtt.start()
    try:
        await server.serve()
    finally:
        if mqtt is not None:
            await mqtt.stop()
        if tcp is not None:
            await tcp.stop()
        if batcher is not None:
            await batcher.stop()
