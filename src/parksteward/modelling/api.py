"""Routes of dispersion runs: start one as a background job, follow it, fetch its results."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import func, select

from parksteward.access.scope import scoped
from parksteward.api.deps import ActorDep, SessionDep
from parksteward.errors import Conflict, NotFound
from parksteward.modelling.inputs import build_inputs
from parksteward.modelling.scenario import parse_scenario, refuse_server_files
from parksteward.modelling.schemas import DispersionRunBrief, DispersionRunCreate, DispersionRunList, DispersionRunRead
from parksteward.modelling.tables import DispersionRun

router = APIRouter(prefix="/dispersion", tags=["dispersion"])


def _view(request: Request, run: DispersionRun, model=DispersionRunRead):
    done = run.hours_done
    if run.state == "running":
        done = request.app.state.run_queue.hours_done(run.id) or 0
    progress = 1.0 if run.state == "done" else (done / run.hours_total if run.hours_total else 0.0)
    fields = {name: getattr(run, name) for name in model.model_fields if hasattr(run, name)}
    return model(**{**fields, "hours_done": done, "progress": min(progress, 1.0)})


def _get(session, actor, run_id: int) -> DispersionRun:
    run = session.scalars(scoped(select(DispersionRun).where(DispersionRun.id == run_id), DispersionRun,
                                 actor)).first()
    if run is None:
        raise NotFound(f"dispersion run {run_id} not found")
    return run


@router.post("/runs", response_model=DispersionRunRead, status_code=status.HTTP_202_ACCEPTED,
             summary="Start a dispersion run (a background job)")
def start_run(body: DispersionRunCreate, request: Request, session: SessionDep, actor: ActorDep):
    scenario = parse_scenario(body.scenario)
    refuse_server_files(scenario)
    # Resolve now, so that a bad scenario is refused here and not found out by the job.
    inputs = build_inputs(session, scenario, park_id=body.park_id, actor=actor)
    run = DispersionRun(park_id=inputs.park_id, enterprise_id=actor.enterprise_id, created_by=actor.user_id,
                        name=scenario.name, scenario=body.scenario, state="queued", hours_total=len(inputs.met),
                        hours_done=0)
    session.add(run)
    session.commit()
    request.app.state.run_queue.submit(run.id)
    return _view(request, run)


@router.get("/runs", response_model=DispersionRunList, summary="Dispersion runs, newest first")
def list_runs(request: Request, session: SessionDep, actor: ActorDep, limit: int = 50, offset: int = 0):
    stmt = scoped(select(DispersionRun), DispersionRun, actor)
    count = session.scalar(select(func.count()).select_from(stmt.subquery()))
    runs = session.scalars(stmt.order_by(DispersionRun.id.desc()).limit(min(limit, 500)).offset(offset)).all()
    return DispersionRunList(data=[_view(request, r, DispersionRunBrief) for r in runs], count=count)


@router.get("/runs/{run_id}", response_model=DispersionRunRead, summary="A run's state, progress and statistics")
def get_run(run_id: int, request: Request, session: SessionDep, actor: ActorDep):
    return _view(request, _get(session, actor, run_id))


def _finished(run: DispersionRun) -> DispersionRun:
    if run.state != "done":
        raise Conflict("state", f"run {run.id} is {run.state}; results exist once it is done")
    return run


@router.get("/runs/{run_id}/contours", summary="Concentration contours (GeoJSON, WGS84)")
def run_contours(run_id: int, session: SessionDep, actor: ActorDep):
    return JSONResponse(_finished(_get(session, actor, run_id)).contours, media_type="application/geo+json")


@router.get("/runs/{run_id}/receptors.csv", response_class=PlainTextResponse,
            summary="Every receptor's statistics (CSV)")
def run_receptors(run_id: int, session: SessionDep, actor: ActorDep):
    return PlainTextResponse(_finished(_get(session, actor, run_id)).receptors_csv, media_type="text/csv")


@router.get("/runs/{run_id}/hourly.csv", response_class=PlainTextResponse,
            summary="Hourly values at the run's sensitive and discrete receptors (CSV)")
def run_hourly(run_id: int, session: SessionDep, actor: ActorDep):
    run = _finished(_get(session, actor, run_id))
    if run.hourly_csv is None:
        raise NotFound(f"run {run_id} has no sensitive or discrete receptors, so no hourly values")
    return PlainTextResponse(run.hourly_csv, media_type="text/csv")
