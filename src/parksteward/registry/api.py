"""REST routes of the park registry under /api/v1."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse, Response

from parksteward.api.crud_router import crud_router
from parksteward.api.deps import ActorDep, SessionDep
from parksteward.registry import geojson, service
from parksteward.registry import schemas as s

router = APIRouter()

ENTITIES = (
    ("/parks", service.parks, s.ParkCreate, s.ParkUpdate, s.ParkRead, "parks"),
    ("/zones", service.functional_zones, s.FunctionalZoneCreate, s.FunctionalZoneUpdate, s.FunctionalZoneRead, "functional zones"),
    ("/enterprises", service.enterprises, s.EnterpriseCreate, s.EnterpriseUpdate, s.EnterpriseRead, "enterprises"),
    ("/sources", service.emission_sources, s.EmissionSourceCreate, s.EmissionSourceUpdate, s.EmissionSourceRead, "emission sources"),
    ("/points", service.monitoring_points, s.MonitoringPointCreate, s.MonitoringPointUpdate, s.MonitoringPointRead, "monitoring points"),
    ("/devices", service.devices, s.DeviceCreate, s.DeviceUpdate, s.DeviceRead, "devices"),
    ("/receptors", service.sensitive_receptors, s.SensitiveReceptorCreate, s.SensitiveReceptorUpdate, s.SensitiveReceptorRead, "sensitive receptors"),
    ("/risk-sources", service.risk_sources, s.RiskSourceCreate, s.RiskSourceUpdate, s.RiskSourceRead, "risk sources"),
    ("/weather-stations", service.weather_stations, s.WeatherStationCreate, s.WeatherStationUpdate, s.WeatherStationRead, "weather stations"),
)


@router.get("/parks/{park_id}/stats", tags=["parks"], summary="Counts of the park's registry")
def park_stats(park_id: int, session: SessionDep, actor: ActorDep) -> dict[str, int]:
    return service.parks.stats(session, actor, park_id)


@router.get("/parks/{park_id}/geojson", tags=["parks"], summary="Export the whole park as GeoJSON",
            response_class=JSONResponse,
            responses={304: {"description": "Not modified since the export whose ETag came as If-None-Match"}})
def export_park(park_id: int, session: SessionDep, actor: ActorDep, request: Request,
                view: Annotated[Literal["full", "map"], Query(description="full: everything (for import "
                                                              "elsewhere); map: what a map draws")] = "full"):
    # Stored bytes of the export while the registry stays the same (registry/exports.py),
    # without the response model's walk over plain JSON values (four times as long for 800 kB).
    body, etag = request.app.state.park_exports.get(session, actor, park_id, view)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}  # the browser revalidates each time
    if etag in _etags(request.headers.get("if-none-match")):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _etags(if_none_match: str | None) -> set[str]:
    """The entity tags of an If-None-Match header (RFC 9110 §13.1.2), weak ones as their strong form."""
    return {tag.strip().removeprefix("W/") for tag in (if_none_match or "").split(",") if tag.strip()}


@router.post("/parks/import", tags=["parks"], status_code=201, response_model=s.ParkRead,
             summary="Import a whole park from GeoJSON (all or nothing)")
def import_park(collection: Annotated[dict, Body()], session: SessionDep, actor: ActorDep):
    return service.parks.read(geojson.import_park(session, actor, collection))


@router.get("/factors", tags=["factors"], summary="The HJ 212 factor catalogue")
def list_factors(session: SessionDep, actor: ActorDep, medium: Annotated[str | None, Query()] = None):
    rows = service.factors.list(session, medium)
    return {"data": [s.FactorRead.model_validate(r) for r in rows], "count": len(rows)}


@router.get("/factors/{code}", tags=["factors"], response_model=s.FactorRead, summary="One factor by 2017 or 2005 code")
def read_factor(code: str, session: SessionDep, actor: ActorDep):
    return service.factors.get(session, code)


for path, svc, create, update, read, tag in ENTITIES:
    router.include_router(crud_router(path, svc, create, update, read, tag))
