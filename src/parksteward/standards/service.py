"""An enterprise's HJ 941-2018 risk grade from the registry: Q from its risk sources' inventories,
air E from the population of the sensitive receptors around it, M and water E as the steward
assessed them (the registry does not hold process scores)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pyproj import Geod
from shapely.geometry import Point, shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from parksteward.access.actor import Actor
from parksteward.access.scope import scoped
from parksteward.errors import InvalidInput, NotFound
from parksteward.registry.tables import Enterprise, RiskSource, SensitiveReceptor
from parksteward.standards import risk_grading as hj941
from parksteward.standards.errors import RiskGradingInputError, StandardsQueryError

_GEOD = Geod(ellps="WGS84")


class ProcessUnitInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    category: Literal["key_hazardous", "other_high_risk", "none"]
    process: str = ""


class WaterControlInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: str
    points: float = Field(ge=0)
    basis: str = ""


class RiskGradeRequest(BaseModel):
    """What the steward assessed on site; Q and air E come from the registry."""

    model_config = ConfigDict(extra="forbid")
    process_units: list[ProcessUnitInput] = Field(default_factory=list)
    toxic_gas_monitoring_missing: bool = False
    protective_distance_not_met: bool = False
    air_incident_in_3_years: bool = False
    water_controls: list[WaterControlInput] = Field(default_factory=list)
    water_sensitivity: Literal["E1", "E2", "E3"] = Field(description="Water environment sensitivity (HJ 941)")
    water_sensitivity_basis: str = ""
    military_or_secret_zone_nearby: bool = False
    penalised_in_3_years: bool = False


def enterprise_risk_grade(session: Session, actor: Actor, enterprise_id: int, request: RiskGradeRequest) -> dict:
    """The grade with its working, and the registry facts it used."""
    enterprise = session.scalars(scoped(select(Enterprise).where(Enterprise.id == enterprise_id), Enterprise,
                                        actor)).first()
    if enterprise is None:
        raise NotFound(f"enterprise {enterprise_id} not found")
    totals: dict[tuple[str, str | None], float] = {}
    for source in session.scalars(select(RiskSource).where(RiskSource.enterprise_id == enterprise.id)):
        for item in source.inventory or []:
            key = (item["substance"], item.get("cas"))
            totals[key] = totals.get(key, 0.0) + float(item["quantity_t"])
    substances = [hj941.Substance(_plain_name(name), quantity, cas=cas) for (name, cas), quantity in totals.items()]
    p5, p05, counted = _population_around(session, enterprise)
    try:
        result = hj941.grade_enterprise(
            substances, [hj941.ProcessUnit(u.name, u.category, u.process) for u in request.process_units],
            air_controls=hj941.AirControls(request.toxic_gas_monitoring_missing, request.protective_distance_not_met,
                                           request.air_incident_in_3_years),
            air_sensitivity=hj941.air_sensitivity(p5, p05, military_or_secret=request.military_or_secret_zone_nearby),
            water_controls=[hj941.WaterControlItem(c.item, c.points, c.basis) for c in request.water_controls],
            water_sensitivity=hj941.Sensitivity(request.water_sensitivity, request.water_sensitivity_basis),
            penalised_in_3_years=request.penalised_in_3_years)
    except RiskGradingInputError as exc:
        raise InvalidInput.single(exc.parameter, exc.message) from None
    except StandardsQueryError as exc:
        raise InvalidInput.single("inventory", str(exc)) from None
    return {"enterprise": {"id": enterprise.id, "name": enterprise.name, "credit_code": enterprise.credit_code},
            "grade": result.to_dict(),
            "registry": {"substances": [{"substance": n, "cas": c, "quantity_t": q} for (n, c), q in totals.items()],
                         "population_within_5km": p5, "population_within_500m": p05, "receptors_counted": counted}}


def _plain_name(name: str) -> str:
    """Inventory names are often '氯 chlorine': the library knows either part."""
    return name.split()[-1] if " " in name else name


def _population_around(session: Session, enterprise: Enterprise) -> tuple[int, int, list[str]]:
    """People at sensitive receptors within 5 km and 500 m of the enterprise's site (its footprint, else its point)."""
    site = shape(enterprise.footprint) if enterprise.footprint else Point(enterprise.lon, enterprise.lat)
    p5 = p05 = 0
    counted = []
    receptors = session.scalars(select(SensitiveReceptor).where(SensitiveReceptor.park_id == enterprise.park_id))
    for receptor in receptors:
        if not receptor.population:
            continue
        nearest = site.boundary.interpolate(site.boundary.project(Point(receptor.lon, receptor.lat))) \
            if site.geom_type != "Point" and not site.contains(Point(receptor.lon, receptor.lat)) else site
        lon, lat = (nearest.x, nearest.y) if nearest.geom_type == "Point" else (receptor.lon, receptor.lat)
        _, _, distance = _GEOD.inv(lon, lat, receptor.lon, receptor.lat)
        if distance <= 5000:
            p5 += receptor.population
            counted.append(f"{receptor.name} ({receptor.population} people, {distance:.0f} m)")
        if distance <= 500:
            p05 += receptor.population
    return p5, p05, counted
