"""A release drill against the registry: the source from a risk source (or a point), the park's
sensitive receptors, zones and impacts in lon/lat (the API's use of :mod:`parksteward.release.scenario`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from parksteward.access.actor import Actor
from parksteward.access.scope import scoped
from parksteward.dispersion.receptors import LocalProjection
from parksteward.errors import InvalidInput, NotFound
from parksteward.registry.tables import Enterprise, RiskSource, SensitiveReceptor
from parksteward.release.errors import ReleaseInputError
from parksteward.release.report import summary
from parksteward.release.scenario import ReleaseScenario, Weather, assess, worst_case_weather


class WeatherInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    wind_speed_m_s: float = Field(description="10 m wind [m/s], >= 1")
    wind_from_deg: float = Field(description="Direction the wind blows FROM [deg]")
    stability: str = Field(description="Pasquill class A-F")
    temperature_c: float = 25.0


class ReleaseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chemical: str = Field(description="Name (中文 or English), formula or CAS number")
    rate_kg_s: float = Field(description="Release rate into the air [kg/s]")
    duration_s: float = Field(description="Release duration [s]")
    release_height_m: float = 0.0
    risk_source_id: int | None = Field(None, description="Where: a registered risk source (tank, warehouse) ...")
    lon: float | None = Field(None, description="... or a point")
    lat: float | None = None
    weather: WeatherInput | None = Field(None, description="The weather now; without it, HJ 169's worst case only")
    wind_from_deg: float | None = Field(None, description="The direction HJ 169's worst-case wind blows from [deg]; "
                                                          "default: the given weather's, or 0 (north) with none")


def run_release(session: Session, actor: Actor, request: ReleaseRequest) -> dict:
    """Threat zones (GeoJSON), the sensitive receptors' peaks and arrival times, given and worst-case weather."""
    lon, lat, where, park_id = _source(session, actor, request)
    projection = LocalProjection(lon, lat)
    stmt = select(SensitiveReceptor).order_by(SensitiveReceptor.id)
    if park_id is not None:  # the risk source's park; a bare point is checked against every park's receptors
        stmt = stmt.where(SensitiveReceptor.park_id == park_id)
    receptors = session.scalars(stmt).all()
    points = []
    for receptor in receptors:
        x, y = projection.to_local(receptor.lon, receptor.lat)
        points.append((receptor.name, float(x), float(y)))
    try:
        scenario = ReleaseScenario(request.chemical, request.rate_kg_s, request.duration_s,
                                   release_height_m=request.release_height_m, name=where)
        if request.weather is None:
            weather = worst_case_weather(request.wind_from_deg or 0.0)
        else:
            w = request.weather
            weather = Weather(w.wind_speed_m_s, w.wind_from_deg, w.stability, temperature_k=w.temperature_c + 273.15)
        result = assess(scenario, weather, points or None, worst_case=request.weather is not None,
                        worst_case_from_deg=request.wind_from_deg)
    except ReleaseInputError as exc:
        raise InvalidInput.single(exc.parameter, exc.message) from None
    report = summary(result, projection)
    report["source"] = {"where": where, "lon": lon, "lat": lat}
    return report


def _source(session: Session, actor: Actor, request: ReleaseRequest) -> tuple[float, float, str, int | None]:
    if request.risk_source_id is not None:
        row = session.execute(scoped(select(RiskSource, Enterprise.name, Enterprise.park_id).join(Enterprise)
                                     .where(RiskSource.id == request.risk_source_id), RiskSource, actor)).first()
        if row is None:
            raise NotFound(f"risk source {request.risk_source_id} not found")
        source, enterprise, park_id = row
        return source.lon, source.lat, f"{enterprise} {source.code} {source.name}", park_id
    if request.lon is None or request.lat is None:
        raise InvalidInput.single("risk_source_id", "say where: a risk_source_id, or lon and lat")
    if not (-180 <= request.lon <= 180 and -90 <= request.lat <= 90):
        raise InvalidInput.single("lon", "lon must be -180..180 and lat -90..90")
    return request.lon, request.lat, f"{request.lon:.5f}, {request.lat:.5f}", None
