"""Turn a :class:`~parksteward.modelling.scenario.Scenario` into the dispersion engine's inputs.

Sources and sensitive receptors come from the registry (read through the actor's scope, so an
enterprise user models only what it may see), meteorology from a CSV file, the weather
station's stored hourly data or the synthetic demo year; everything is projected onto a local
metric plane centred on the park (:class:`~parksteward.dispersion.receptors.LocalProjection`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from shapely.geometry import Polygon, shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from parksteward.access.actor import SYSTEM, Actor
from parksteward.access.scope import scoped
from parksteward.dispersion import engine, fugitive
from parksteward.dispersion.errors import DispersionInputError
from parksteward.dispersion.meteorology import HourlyMet, met_from_station_readings, read_met_csv
from parksteward.dispersion.receptors import LocalProjection, Receptors, cartesian_grid, discrete_lonlat, polar_grid
from parksteward.errors import InvalidInput, NotFound
from parksteward.ingest.tables import Rollup
from parksteward.modelling.scenario import Scenario
from parksteward.registry.tables import Device, EmissionSource, Enterprise, Park, SensitiveReceptor, WeatherStation

MET_CODES = ("a01007", "a01008", "a01001", "a01006", "a01002")  # wind speed, direction, temperature, pressure, RH


@dataclass
class RunInputs:
    """Everything a run needs, in the engine's terms, plus what maps its results back to the park."""

    scenario: Scenario
    park_id: int
    park_name: str
    timezone: str
    zone_class: int
    projection: LocalProjection
    stacks: engine.Stacks
    source_rows: list[dict]  # name, kind, enterprise, source code, lon, lat, q_g_s per source (stacks first)
    met: HourlyMet
    receptors: Receptors
    receptor_lon: np.ndarray
    receptor_lat: np.ndarray
    boundary: dict = field(default_factory=dict)  # the park boundary (GeoJSON)
    notes: list[str] = field(default_factory=list)
    enterprise_footprint: dict | None = None  # when the scenario models one enterprise that has one
    fugitives: fugitive.Fugitives = field(default_factory=fugitive.Fugitives)  # area and volume sources


def build_inputs(session: Session, scenario: Scenario, *, base_dir: Path = Path("."), park_id: int | None = None,
                 actor: Actor = SYSTEM) -> RunInputs:
    """Resolve the scenario against the store. Bad or missing inputs raise :class:`InvalidInput`."""
    park = _the_park(session, park_id, actor)
    centre = shape(park.boundary).centroid
    projection = LocalProjection(centre.x, centre.y)
    notes: list[str] = []
    stacks, fugitives, rows = _sources(session, scenario, park, projection, actor, notes)
    met = _met(session, scenario, park, centre, base_dir, actor, notes)
    receptors, lon, lat = _receptors(session, scenario, park, projection, actor)
    footprint = None
    given = scenario.sources.stacks or scenario.sources.areas or scenario.sources.volumes
    if scenario.sources.enterprises and len(scenario.sources.enterprises) == 1 and not given:
        footprint = session.scalars(scoped(select(Enterprise.footprint).where(
            Enterprise.credit_code == scenario.sources.enterprises[0]), Enterprise, actor)).first()
    return RunInputs(scenario, park.id, park.name, scenario.timezone or park.timezone,
                     scenario.zone_class or park.air_quality_zone_class, projection, stacks, rows, met, receptors, lon,
                     lat, park.boundary, notes, footprint, fugitives)


def _the_park(session: Session, park_id: int | None, actor: Actor) -> Park:
    stmt = scoped(select(Park).order_by(Park.id), Park, actor)
    if park_id is not None:
        park = session.scalars(stmt.where(Park.id == park_id)).first()
        if park is None:
            raise NotFound(f"park {park_id} not found")
        return park
    parks = session.scalars(stmt).all()
    if len(parks) != 1:
        raise InvalidInput.single("park_id", f"the store holds {len(parks)} parks: say which one to model")
    return parks[0]


def _sources(session, scenario: Scenario, park: Park, projection: LocalProjection, actor: Actor, notes: list[str]):
    """Stacks, area and volume sources, and one row per source (stacks, then areas, then volumes)."""
    spec = scenario.sources
    stack_rows: list[dict] = []
    area_rows: list[dict] = []
    known = set()
    if spec.registry:
        kinds = ("stack", "fugitive_area") if spec.fugitive_areas else ("stack",)
        stmt = (select(EmissionSource, Enterprise.credit_code).join(Enterprise, Enterprise.id == EmissionSource.enterprise_id)
                .where(Enterprise.park_id == park.id, EmissionSource.kind.in_(kinds)).order_by(EmissionSource.id))
        if spec.enterprises:
            stmt = stmt.where(Enterprise.credit_code.in_(spec.enterprises))
        for source, enterprise_code in session.execute(scoped(stmt, EmissionSource, actor)).all():
            key = f"{enterprise_code}/{source.code}"
            known.add(key)
            rate = spec.rates_g_s.get(key, spec.emission_g_s)
            if source.kind == "fugitive_area":
                area_rows.append(_registry_area(source, key, enterprise_code, rate, projection, notes))
                continue
            missing = [name for name in ("stack_height_m", "stack_inner_diameter_m", "exit_velocity_m_s",
                                         "exit_temperature_k") if getattr(source, name) is None]
            if missing:
                raise InvalidInput.single("sources.registry", f"stack {key} lacks {', '.join(missing)} in the registry")
            stack_rows.append({"name": key, "kind": "stack", "enterprise": enterprise_code, "source": source.code,
                               "lon": source.lon, "lat": source.lat, "stack_height_m": source.stack_height_m,
                               "diameter_m": source.stack_inner_diameter_m, "exit_velocity_m_s": source.exit_velocity_m_s,
                               "exit_temperature_k": source.exit_temperature_k, "q_g_s": rate})
        unknown = sorted(set(spec.rates_g_s) - known)
        if unknown:
            raise InvalidInput.single("sources.rates_g_s", f"no registry source named {', '.join(unknown)} "
                                      "(keys are 'credit code/source code')")
    for stack in spec.stacks:
        stack_rows.append({"name": stack.name, "kind": "stack", "enterprise": None, "source": None, "lon": stack.lon,
                           "lat": stack.lat, "stack_height_m": stack.stack_height_m, "diameter_m": stack.diameter_m,
                           "exit_velocity_m_s": stack.exit_velocity_m_s, "exit_temperature_k": stack.exit_temperature_k,
                           "q_g_s": stack.emission_g_s})
    for area in spec.areas:
        x, y = projection.to_local(area.lon, area.lat)
        area_rows.append({"name": area.name, "kind": "area", "enterprise": None, "source": None, "lon": area.lon,
                          "lat": area.lat, "x_m": float(x), "y_m": float(y), "length_m": area.length_m,
                          "width_m": area.width_m, "bearing_deg": area.bearing_deg,
                          "release_height_m": area.release_height_m, "q_g_s": area.emission_g_s})
    volume_rows = [{"name": v.name, "kind": "volume", "enterprise": None, "source": None, "lon": v.lon, "lat": v.lat,
                    "release_height_m": v.release_height_m, "sigma_y0_m": v.sigma_y0_m, "sigma_z0_m": v.sigma_z0_m,
                    "q_g_s": v.emission_g_s} for v in spec.volumes]
    if not (stack_rows or area_rows or volume_rows):
        raise InvalidInput.single("sources", "the scenario selects no source")
    try:
        stacks = engine.no_stacks()
        if stack_rows:
            x, y = projection.to_local(np.array([r["lon"] for r in stack_rows]), np.array([r["lat"] for r in stack_rows]))
            stacks = engine.stacks([r["name"] for r in stack_rows], x, y, *(
                [r[k] for r in stack_rows] for k in ("stack_height_m", "diameter_m", "exit_velocity_m_s",
                                                     "exit_temperature_k", "q_g_s")))
        areas = fugitive.no_areas()
        if area_rows:
            areas = fugitive.area_sources(*([r[k] for r in area_rows] for k in (
                "name", "x_m", "y_m", "release_height_m", "length_m", "width_m", "bearing_deg", "q_g_s")))
        volumes = fugitive.no_volumes()
        if volume_rows:
            vx, vy = projection.to_local(np.array([r["lon"] for r in volume_rows]),
                                         np.array([r["lat"] for r in volume_rows]))
            volumes = fugitive.volume_sources([r["name"] for r in volume_rows], vx, vy, *(
                [r[k] for r in volume_rows] for k in ("release_height_m", "sigma_y0_m", "sigma_z0_m", "q_g_s")))
    except DispersionInputError as exc:
        raise InvalidInput.single("sources", str(exc)) from None
    return stacks, fugitive.Fugitives(areas, volumes), stack_rows + area_rows + volume_rows


#: A registry polygon whose area differs from its minimum rotated rectangle by more than this is
#: modelled as an equal-area rectangle of the same orientation and proportions (with a note).
RECTANGLE_TOLERANCE = 0.02


def _registry_area(source: EmissionSource, key: str, enterprise_code: str, rate: float, projection: LocalProjection,
                   notes: list[str]) -> dict:
    """A registry fugitive area (a GeoJSON polygon) as the rectangle area.py integrates over."""
    if source.area is None:
        raise InvalidInput.single("sources.registry", f"fugitive area {key} has no polygon in the registry")
    if source.release_height_m is None:
        raise InvalidInput.single("sources.registry", f"fugitive area {key} lacks release_height_m in the registry")
    ring = np.asarray(shape(source.area).exterior.coords)
    x, y = projection.to_local(ring[:, 0], ring[:, 1])
    polygon = Polygon(np.column_stack([x, y]))
    rectangle = polygon.minimum_rotated_rectangle
    corners = np.asarray(rectangle.exterior.coords)[:3]
    side_a, side_b = corners[1] - corners[0], corners[2] - corners[1]
    length_vec, width_vec = (side_a, side_b) if np.hypot(*side_a) >= np.hypot(*side_b) else (side_b, side_a)
    length, width = float(np.hypot(*length_vec)), float(np.hypot(*width_vec))
    if abs(polygon.area - rectangle.area) > RECTANGLE_TOLERANCE * rectangle.area:
        scale = math.sqrt(polygon.area / rectangle.area)
        length, width = length * scale, width * scale
        notes.append(f"fugitive area {key} is not a rectangle: modelled as one of equal area ({length:.0f} m x "
                     f"{width:.0f} m) with its orientation")
    centre = rectangle.centroid
    lon, lat = projection.to_lonlat(centre.x, centre.y)
    return {"name": key, "kind": "area", "enterprise": enterprise_code, "source": source.code, "lon": float(lon),
            "lat": float(lat), "x_m": centre.x, "y_m": centre.y, "length_m": length, "width_m": width,
            "bearing_deg": math.degrees(math.atan2(length_vec[0], length_vec[1])) % 180.0,
            "release_height_m": source.release_height_m, "q_g_s": rate}


def _met(session, scenario: Scenario, park: Park, centre, base_dir: Path, actor: Actor, notes: list[str]) -> HourlyMet:
    spec = scenario.meteorology
    try:
        if spec.synthetic_year is not None:
            from parksteward.sim.weather import synthetic_year

            met = synthetic_year(spec.synthetic_year, latitude=centre.y, longitude=centre.x)
        elif spec.csv is not None:
            met = read_met_csv(base_dir / spec.csv, latitude=centre.y, longitude=centre.x)
        else:
            met = _station_met(session, spec, park, base_dir, actor, notes)
    except DispersionInputError as exc:
        raise InvalidInput.single("meteorology", str(exc)) from None
    if spec.hours is not None:
        met = met.select(np.arange(min(spec.hours, len(met))))
    return met


def _station_met(session, spec, park: Park, base_dir: Path, actor: Actor, notes: list[str]) -> HourlyMet:
    station = session.scalars(scoped(select(WeatherStation).where(WeatherStation.park_id == park.id,
                                                                  WeatherStation.name == spec.station),
                                     WeatherStation, actor)).first()
    if station is None:
        raise InvalidInput.single("meteorology.station", f"no weather station named {spec.station!r} in the park")
    if station.point_id is None:
        raise InvalidInput.single("meteorology.station", f"weather station {station.name!r} has no monitoring point")
    devices = session.scalars(select(Device.id).where(Device.point_id == station.point_id)).all()
    stmt = (select(Rollup.t, Rollup.factor, Rollup.mean, Rollup.valid)
            .where(Rollup.device_id.in_(devices), Rollup.interval == "hour", Rollup.factor.in_(MET_CODES))
            .order_by(Rollup.t))
    if spec.start:
        stmt = stmt.where(Rollup.t >= int(datetime.fromisoformat(spec.start).timestamp()))
    if spec.end:
        stmt = stmt.where(Rollup.t <= int(datetime.fromisoformat(spec.end).timestamp()))
    readings = [(np.datetime64(t, "s"), factor, mean, "N" if valid else "I")
                for t, factor, mean, valid in session.execute(stmt).all()]
    if not readings:
        raise InvalidInput.single("meteorology.station", f"weather station {station.name!r} has no hourly data "
                                  "in the period")
    clouds = spec.clouds if spec.clouds is not None else _clouds_csv(base_dir / spec.clouds_csv)
    result = met_from_station_readings(readings, latitude=station.lat, longitude=station.lon, clouds=clouds,
                                       start_utc=spec.start, end_utc=spec.end,
                                       anemometer_height_m=station.anemometer_height_m)
    if len(result.incomplete_hours):
        notes.append(f"{len(result.incomplete_hours)} station hours lacked a factor or a valid value and were "
                     "left out")
    return result.met


def _clouds_csv(path: Path) -> list[tuple]:
    """``time,cloud_cover_tenths,ceiling_height_m`` rows (ceiling blank or 'unlimited' for none)."""
    import csv

    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise InvalidInput.single("meteorology.clouds_csv", f"cannot read {path}: {exc.strerror}") from None
    out = []
    for line, row in enumerate(rows, start=2):
        try:
            ceiling = row.get("ceiling_height_m", "").strip()
            out.append((row["time"], float(row["cloud_cover_tenths"]),
                        None if ceiling in ("", "unlimited") else float(ceiling)))
        except (KeyError, ValueError) as exc:
            raise InvalidInput.single("meteorology.clouds_csv", f"line {line}: {exc}") from None
    return out


def _receptors(session, scenario: Scenario, park: Park, projection: LocalProjection, actor: Actor):
    spec = scenario.receptors
    parts: list[Receptors] = []
    if spec.grid is not None:
        g = spec.grid
        cx, cy = 0.0, 0.0
        if g.centre_lon is not None and g.centre_lat is not None:
            cx, cy = projection.to_local(g.centre_lon, g.centre_lat)
        half_x, half_y = (g.nx - 1) * g.spacing_m / 2, (g.ny - 1) * g.spacing_m / 2
        parts.append(cartesian_grid(float(cx) - half_x, float(cy) - half_y, g.nx, g.ny, g.spacing_m))
    elif spec.polar is not None:
        parts.append(polar_grid(0.0, 0.0, spec.polar.distances_m, spec.polar.directions_deg))
    points = []
    if spec.sensitive:
        stmt = scoped(select(SensitiveReceptor).where(SensitiveReceptor.park_id == park.id)
                      .order_by(SensitiveReceptor.id), SensitiveReceptor, actor)
        points += [(r.name, r.lon, r.lat) for r in session.scalars(stmt).all()]
    points += [(p.name, p.lon, p.lat, p.z_flag_m) for p in spec.discrete]
    if points:
        parts.append(discrete_lonlat(points, projection))
    if not parts:
        raise InvalidInput.single("receptors", "the scenario selects no receptor")
    receptors = parts[0]
    for part in parts[1:]:
        receptors = receptors.append(part)
    lon, lat = projection.to_lonlat(receptors.x_m, receptors.y_m)
    return receptors, np.asarray(lon), np.asarray(lat)
