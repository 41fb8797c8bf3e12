"""Run the API and the HJ 212 gateway together in one event loop (``parksteward serve``).

``extra_tasks`` are started beside them once the gateway listens (``parksteward demo`` runs
the device simulator this way) and cancelled when the server stops; one failing is logged
and does not take the server down.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import uvicorn
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from parksteward.api import create_app
from parksteward.config import Settings
from parksteward.db.wal import WalCheckpointer
from parksteward.ingest.batcher import Batcher
from parksteward.ingest.mqtt import MqttAdapter
from parksteward.ingest.rollup import RollupEngine
from parksteward.ingest.rollup_process import RollupError, RollupProcess
from parksteward.ingest.tcp import TcpGateway
from parksteward.ingest.workers import GatewayWorkers

log = logging.getLogger(__name__)

# A task started beside the server; it receives the running gateway (None with gateway=False).
Gateway = TcpGateway | GatewayWorkers
ExtraTask = Callable[[Gateway | None], Awaitable[object]]


class _Server(uvicorn.Server):
    """uvicorn's server that also stops our tasks and the gateway during its own shutdown.

    uvicorn re-raises a captured Ctrl-C once ``serve()`` returns, which cancels whatever
    cleanup would come after it; done here, the gateway closes its device connections first.
    """

    def __init__(self, config: uvicorn.Config, on_shutdown: Callable[[], Awaitable[None]]):
        super().__init__(config)
        self.on_shutdown = on_shutdown

    async def shutdown(self, sockets=None) -> None:
        await super().shutdown(sockets=sockets)
        await self.on_shutdown()


async def serve(settings: Settings, engine: Engine, gateway: bool = True, extra_tasks: Sequence[ExtraTask] = ()) -> None:
    demo_witnesses = {}
    if settings.ledger_demo_witnesses:
        settings, demo_witnesses = with_demo_witnesses(settings)
    app = create_app(settings, engine)
    for key, witness_app in demo_witnesses.items():
        app.mount(f"/witnesses/{key}", witness_app)
    batcher = tcp = mqtt = None
    tasks: list[asyncio.Task] = []
    if gateway:
        # The app's pipeline, shared with the HTTP upload endpoints.
        batcher = Batcher(app.state.pipeline)
        await batcher.start()
        if app.state.notary is not None:
            app.state.notary.write = batcher.write  # the leaves go in by the one writer too
    rollups = rollup_runner(settings, app.state.rollups, gateway, batcher)

    ledger_stop = threading.Event()
    wal = WalCheckpointer(engine)  # SQLite: the log is copied back beside the writer, not in its commits

    async def stop() -> None:  # idempotent: runs in uvicorn's shutdown, and again on the way out
        app.state.run_queue.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)  # the roll-ups' last run included
        if isinstance(rollups, RollupProcess):
            await asyncio.to_thread(rollups.close)
        if mqtt is not None:
            await mqtt.stop()
        if tcp is not None:
            await tcp.stop()
        if batcher is not None:
            await batcher.stop()
        wal.stop()
        if app.state.notary is not None:
            await asyncio.to_thread(app.state.notary.close)  # what was committed gets its leaves
        ledger_stop.set()

    # Open consoles hold their live streams (Server-Sent Events) until they are closed: without a
    # limit, Ctrl-C would wait for every browser tab. After 5 s the streams are cut and it stops.
    server = _Server(uvicorn.Config(app, host=settings.host, port=settings.port, log_level="info",
                                    timeout_graceful_shutdown=5), stop)
    app.state.run_queue.resume()  # dispersion runs a previous process left unfinished
    wal.start()
    if gateway:
        tcp = start_gateway(settings, batcher)
        await tcp.start()
        app.state.gateway = tcp
        if settings.mqtt_host:
            mqtt = MqttAdapter(batcher, settings.mqtt_host, settings.mqtt_port, settings.mqtt_prefix,
                               settings.mqtt_username, settings.mqtt_password)
            await mqtt.start()
    tasks.append(asyncio.create_task(_guarded(rollups_every(rollups, ROLLUP_EVERY_S))))
    start_ledger(app.state.ledger, ledger_stop)
    start_alarms(app, settings, ledger_stop)
    tasks += [asyncio.create_task(_guarded(make(tcp))) for make in extra_tasks]
    try:
        await server.serve()
    finally:
        await stop()


def with_demo_witnesses(settings: Settings):
    """The demo's regulator and auditor witnesses, served by this server (see ledger/demo.py)."""
    from parksteward.ledger import demo
    from parksteward.ledger.service import load_or_create_log_key

    log_key = load_or_create_log_key(settings.ledger_key_file or settings.data_dir / "ledger" / "log.key",
                                     settings.ledger_origin)
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    trust, witnesses, apps = demo.prepare(settings.data_dir / "witnesses", log_key, f"http://{host}:{settings.port}")
    return settings.model_copy(update={"ledger_trust_file": trust, "ledger_witnesses": witnesses}), apps


def start_ledger(ledger, stop: threading.Event) -> None:
    """The log's threads: checkpoints (and witnesses' cosignatures) on schedule, and the periodic audit."""
    threading.Thread(target=ledger.checkpointer.run, args=(stop,), name="ledger-checkpoints", daemon=True).start()
    every_s = ledger.settings.ledger_audit_hours * 3600
    if every_s > 0:
        threading.Thread(target=_audit_every, args=(ledger, every_s, stop), name="ledger-audit", daemon=True).start()


def start_alarms(app, settings: Settings, stop: threading.Event) -> None:
    """The alarm stage's thread and the notification dispatcher's."""
    if settings.alarms_enabled:
        app.state.alarms.start(stop)
    threading.Thread(target=app.state.dispatcher.run, args=(stop,), name="alarm-dispatch", daemon=True).start()


def _audit_every(ledger, every_s: float, stop: threading.Event) -> None:
    from parksteward.ledger.audit import audit

    while not stop.wait(every_s):
        try:
            report = audit(ledger.engine, ledger.settings)
            if not report.clean:
                log.warning("ledger audit %d: %d record(s) no longer match the log", report.id, len(report.findings))
        except Exception:
            log.exception("ledger audit failed")


def start_gateway(settings: Settings, batcher: Batcher) -> Gateway:
    """The TCP gateway the settings ask for: in worker processes, or in this one (not started yet)."""
    workers = settings.gateway_worker_count
    if workers:
        return GatewayWorkers(batcher, settings.database_url, settings.gateway_host, settings.gateway_port, workers,
                              settings.gateway_idle_timeout_s)
    return TcpGateway(batcher, settings.gateway_host, settings.gateway_port, settings.gateway_idle_timeout_s)


def rollup_runner(settings: Settings, marks: RollupEngine, gateway: bool = True,
                  batcher: Batcher | None = None) -> RollupEngine | RollupProcess:
    """Where roll-ups run: in a process of their own when the gateway runs in worker processes
    (this process then mostly writes, and must not wait for them), else in this one.

    On SQLite, given a ``batcher``, the process's rows are written by its writer: a second
    writing connection would make the ingest writer wait for the lock and lose its page cache
    (see rollup_process). PostgreSQL takes concurrent writers, and there the process upserts
    its rows itself, so that the ingest writer's batches never queue behind roll-up
    transactions (benchmarks/ingest.py --store postgresql: roll-up runs of up to 3.5 s, their
    rows written in transactions of 500 between the ingest batches)."""
    if gateway and settings.gateway_worker_count:
        single_writer = make_url(settings.database_url).get_backend_name() == "sqlite"
        write = batcher.write if batcher is not None and single_writer else None
        return RollupProcess(marks, settings.database_url, write=write)
    return marks


ROLLUP_EVERY_S = 1.0


async def rollups_every(rollups, period_s: float) -> None:
    """Roll up what the pipeline committed, in a thread of its own so that ingestion (the
    writer thread) never waits for it; SQLite serialises the two writers with its busy wait.
    When cancelled (the server stops), one last forced run rolls up what is still pending."""
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rollups") as executor:
        try:
            while True:
                await asyncio.sleep(period_s)
                try:
                    await loop.run_in_executor(executor, rollups.run)
                except Exception:
                    log.exception("roll-up run failed; the dirty periods are tried again next time")
        except asyncio.CancelledError:
            try:
                await asyncio.shield(loop.run_in_executor(executor, partial(rollups.run, force=True)))
            except RollupError as exc:
                if not isinstance(rollups, RollupProcess):
                    log.error("the last roll-up run failed: %s", exc)
                else:  # the roll-up process stopped first (a signal to the whole group): roll up here
                    log.warning("%s: rolling up here", exc)
                    try:
                        await asyncio.shield(loop.run_in_executor(executor, partial(rollups.marks.run, force=True)))
                    except Exception:
                        log.exception("the last roll-up run failed")
            except Exception:
                log.exception("the last roll-up run failed")
            raise


async def _guarded(work: Awaitable[object]) -> None:
    try:
        await work
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("a task running beside the server failed")
