"""The application factory: ``create_app(settings)`` builds one self-contained app.

Each app owns its engine and session factory, so tests build as many independent worlds
as they need.
"""

from __future__ import annotations

import logging
import secrets
from functools import partial
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine, select, text

from parksteward import __version__
from parksteward.access.actor import SYSTEM
from parksteward.accounts.api import router as accounts_router
from parksteward.alarms.api import recipients_router, rules_router, scenarios_router
from parksteward.alarms.api import router as alarms_router
from parksteward.alarms.dispatch import Dispatcher
from parksteward.alarms.engine import AlarmEngine
from parksteward.alarms.notary import notarize_pending
from parksteward.alarms.stream import Broadcaster
from parksteward.config import Settings
from parksteward.db import make_engine, make_sessionmaker
from parksteward.documents.api import router as documents_router
from parksteward.errors import InvalidInput, ParkStewardError
from parksteward.ingest.api import router as ingest_router
from parksteward.ingest.live import LiveReadings
from parksteward.ingest.notary import FrameNotary
from parksteward.ingest.pipeline import Pipeline, fan_out
from parksteward.ingest.rollup import RollupEngine
from parksteward.ledger.api import router as ledger_router
from parksteward.ledger.service import Ledger
from parksteward.modelling.api import router as modelling_router
from parksteward.modelling.jobs import RunQueue
from parksteward.overview.api import router as overview_router
from parksteward.overview.cache import OverviewCache
from parksteward.registry.api import router as registry_router
from parksteward.registry.exports import ParkExports
from parksteward.registry.service import parks
from parksteward.registry.tables import Park
from parksteward.release.api import router as release_router
from parksteward.standards.api import router as standards_router
from parksteward.web.console import mount_console

log = logging.getLogger(__name__)
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent.parent / "web" / "templates")
API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = engine or make_engine(settings.database_url)
    app = FastAPI(
        title="ParkSteward",
        version=__version__,
        description="Environmental management of an industrial park: registry, monitoring, warnings, models, notarization.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/docs",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    if settings.secret_key is None:
        log.warning("PARKSTEWARD_SECRET_KEY is not set: tokens are signed with a per-process key")
    app.state.secret_key = settings.secret_key or secrets.token_urlsafe(32)
    # The park's notarization log; every archived frame is notarized by its own thread.
    app.state.ledger = Ledger(engine, settings)
    app.state.notary = FrameNotary(app.state.ledger.log) if settings.ledger_notarize_frames else None
    # One pipeline per app: the TCP/MQTT batcher and the HTTP batch endpoints share it.
    app.state.rollups = RollupEngine(engine)
    app.state.park_exports = ParkExports()  # the consoles' base map, kept until the registry changes
    app.state.overviews = OverviewCache()  # each overview computed at most every few seconds
    app.state.live = LiveReadings(app.state.sessionmaker)  # the consoles' live values
    consumers = ([app.state.rollups.mark] + ([app.state.notary.submit] if app.state.notary else [])
                 + [app.state.live.submit])
    # Graded warnings: the alarm stage judges committed batches on its own thread, the
    # dispatcher works through the notification outbox; serve() starts both.
    app.state.broadcaster = Broadcaster()
    app.state.dispatcher = Dispatcher(app.state.sessionmaker, settings, app.state.broadcaster)
    app.state.alarms = AlarmEngine(app.state.sessionmaker, settings.alarm_sweep_seconds,
                                   on_deliveries=app.state.dispatcher.wake.set,
                                   notarize=partial(notarize_pending, app.state.sessionmaker, app.state.ledger.log))
    app.state.pipeline = Pipeline(engine, alarm_stage=app.state.alarms if settings.alarms_enabled else None,
                                  on_commit=fan_out(consumers))
    # Dispersion runs asked for through the API run here, one at a time (serve() resumes old ones).
    app.state.run_queue = RunQueue(app.state.sessionmaker)

    @app.exception_handler(ParkStewardError)
    def _service_error(request: Request, exc: ParkStewardError):
        if isinstance(exc, InvalidInput):
            detail = [e.as_dict() for e in exc.errors]
        else:
            detail = str(exc)
        return JSONResponse(status_code=exc.status_code, content={"detail": detail})

    @app.get(f"{API_PREFIX}/health", tags=["health"], summary="Liveness and store reachability (no login)")
    def health():
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            store = "ok"
        except Exception as exc:  # report, do not crash: health is what monitors poll
            store = f"error: {exc.__class__.__name__}"
        return {"status": "ok" if store == "ok" else "degraded", "version": __version__,
                "store": store, "backend": engine.dialect.name}

    app.include_router(accounts_router, prefix=API_PREFIX)
    app.include_router(registry_router, prefix=API_PREFIX)
    app.include_router(ingest_router, prefix=API_PREFIX)
    app.include_router(modelling_router, prefix=API_PREFIX)
    app.include_router(documents_router, prefix=API_PREFIX)
    app.include_router(ledger_router, prefix=API_PREFIX)
    app.include_router(release_router, prefix=API_PREFIX)
    app.include_router(standards_router, prefix=API_PREFIX)
    app.include_router(overview_router, prefix=API_PREFIX)
    for router in (alarms_router, rules_router, recipients_router, scenarios_router):
        app.include_router(router, prefix=API_PREFIX)

    mount_console(app, settings)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def landing(request: Request):
        with app.state.sessionmaker() as session:
            rows = session.scalars(select(Park).order_by(Park.id)).all()
            summaries = [(park, parks.stats(session, SYSTEM, park.id)) for park in rows]
        return TEMPLATES.TemplateResponse(
            request, "landing.html", {"parks": summaries, "version": __version__, "backend": engine.dialect.name}
        )

    return app
