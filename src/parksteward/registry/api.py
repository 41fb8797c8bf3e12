"""REST routes of the park registry under /api/v1."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

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
            response_class=JSONResponse)
def export_park(park_id: int, session: SessionDep, actor: ActorDep,
                view: Annotated[Literal["full", "map"], Query(description="full: everything (for import "
                                                              "elsewhere); map: what a map draws")] = "full"):
    collection = geojson.export_park(session, actor, park_id, labels=view == "map")
    # Plain JSON values already: straight to JSON, without the response model's walk over them
    # (a 800 kB park took four times as long through it).
    return JSONResponse(geojson.map_view(collection) if view == "map" else collection)


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
