"""Threat zones (毒性终点浓度影响范围): the ground area where a release's peak concentration exceeds an endpoint.

A zone is built in the wind's own frame -- downwind distance s along the direction the wind blows to,
crosswind offset n -- from a half-width profile w(s) (the crosswind distance within which the peak
concentration at ground level is above the threshold), then turned into the park's local east/north
metres around the source (:func:`from_wind_frame`) as a shapely polygon, and into GeoJSON in WGS84
longitude/latitude through :class:`parksteward.dispersion.receptors.LocalProjection`
(:func:`zones_to_geojson`).

Wind direction is meteorological: the direction the wind blows FROM, degrees clockwise from north; a
north wind (0 deg) carries the cloud south.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.ops import unary_union

from parksteward.dispersion.receptors import LocalProjection
from parksteward.release import _checks

#: Endpoint keys as used in HJ 169-2018 Table H.1 (大气毒性终点浓度-1, -2).
ENDPOINTS = ("endpoint_1", "endpoint_2")


@dataclass(frozen=True)
class ThreatZone:
    """The ground area where the peak concentration exceeds one threshold.

    Attributes
    ----------
    endpoint : str
        ``"endpoint_1"`` or ``"endpoint_2"`` (or a caller's label).
    threshold_mg_m3 : float
        The concentration it encloses [mg/m3].
    geometry : shapely.geometry.base.BaseGeometry
        Polygon or MultiPolygon in local metres (x east, y north); empty when nothing exceeds.
    downwind_distance_m : float
        Furthest downwind reach from the source [m] (0 when empty).
    max_width_m : float
        Largest crosswind width, twice the largest half-width [m].
    truncated : bool
        True when the threshold is still exceeded at the end of the computed range: the zone is at
        least this long.
    model : str
        Which model produced it.
    """

    endpoint: str
    threshold_mg_m3: float
    geometry: object
    downwind_distance_m: float
    max_width_m: float
    truncated: bool
    model: str

    @property
    def empty(self) -> bool:
        """True when no point exceeds the threshold."""
        return self.geometry.is_empty

    @property
    def area_m2(self) -> float:
        """Area of the zone [m2]."""
        return float(self.geometry.area)


def wind_axes(wind_from_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors (east, north) of the downwind direction and of the crosswind direction 90 deg to its left.

    Parameters
    ----------
    wind_from_deg : float
        Direction the wind blows from, clockwise from north [deg].
    """
    theta = math.radians(_checks.number("wind_from_deg", wind_from_deg))
    downwind = np.array([-math.sin(theta), -math.cos(theta)])
    crosswind = np.array([-downwind[1], downwind[0]])
    return downwind, crosswind


def to_wind_frame(x_m, y_m, *, source_x_m: float, source_y_m: float, wind_from_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Local (x east, y north) [m] to (downwind s, crosswind n) [m] relative to the source."""
    d, c = wind_axes(wind_from_deg)
    dx = np.asarray(x_m, dtype=float) - source_x_m
    dy = np.asarray(y_m, dtype=float) - source_y_m
    return dx * d[0] + dy * d[1], dx * c[0] + dy * c[1]


def from_wind_frame(s_m, n_m, *, source_x_m: float, source_y_m: float, wind_from_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """(downwind s, crosswind n) [m] to local (x east, y north) [m]."""
    d, c = wind_axes(wind_from_deg)
    s = np.asarray(s_m, dtype=float)
    n = np.asarray(n_m, dtype=float)
    return source_x_m + s * d[0] + n * c[0], source_y_m + s * d[1] + n * c[1]


def zone_from_profile(
    distances_m,
    half_widths_m,
    *,
    endpoint: str,
    threshold_mg_m3: float,
    downwind_distance_m: float,
    truncated: bool,
    model: str,
    source_x_m: float = 0.0,
    source_y_m: float = 0.0,
    wind_from_deg: float = 0.0,
) -> ThreatZone:
    """A :class:`ThreatZone` from a half-width profile along the downwind axis.

    Parameters
    ----------
    distances_m : array_like
        Increasing downwind distances s [m] (negative upwind).
    half_widths_m : array_like
        Crosswind half-width w(s) >= 0 within which the threshold is exceeded; 0 where it is not [m].
    endpoint, threshold_mg_m3, truncated, model
        Stored on the zone.
    downwind_distance_m : float
        Exact reach (where the centreline peak falls to the threshold); a tip point of zero width is
        added there when it lies beyond the last sampled distance with w > 0.
    source_x_m, source_y_m, wind_from_deg
        Placement in local metres.

    Returns
    -------
    ThreatZone
        Each run of consecutive w > 0 becomes one polygon (upper edge out, lower edge back).
    """
    s = np.asarray(distances_m, dtype=float)
    w = np.asarray(half_widths_m, dtype=float)
    inside = w > 0
    polygons = []
    if np.any(inside):
        edges = np.flatnonzero(np.diff(np.concatenate([[0], inside.astype(int), [0]])))
        runs = list(zip(edges[::2], edges[1::2]))
        for i, (start, stop) in enumerate(runs):
            ss, ww = s[start:stop], w[start:stop]
            if i == len(runs) - 1 and downwind_distance_m > ss[-1]:  # the far tip, between two samples
                ss, ww = np.append(ss, downwind_distance_m), np.append(ww, 0.0)
            if ss.size == 1:  # a single sample: a thin sliver one metre long
                ss, ww = np.array([ss[0] - 0.5, ss[0] + 0.5]), np.array([ww[0], ww[0]])
            upper = np.column_stack([ss, ww])
            lower = np.column_stack([ss[::-1], -ww[::-1]])
            ring = np.vstack([upper, lower])
            x, y = from_wind_frame(ring[:, 0], ring[:, 1], source_x_m=source_x_m, source_y_m=source_y_m, wind_from_deg=wind_from_deg)
            polygon = Polygon(np.column_stack([x, y]))
            if not polygon.is_valid:
                polygon = shapely.make_valid(polygon)
            polygons.append(polygon)
    geometry = unary_union(polygons) if polygons else Polygon()
    reach = float(downwind_distance_m) if polygons else 0.0
    width = 2.0 * float(np.max(w)) if polygons else 0.0
    return ThreatZone(endpoint, float(threshold_mg_m3), geometry, reach, width, bool(truncated and polygons), model)


def union_zones(zones: Iterable[ThreatZone], *, model: str) -> ThreatZone:
    """One zone covering several of the same endpoint (e.g. dense and passive near the Ri threshold)."""
    zones = list(zones)
    geometry = unary_union([z.geometry for z in zones if not z.empty]) if any(not z.empty for z in zones) else Polygon()
    return ThreatZone(
        zones[0].endpoint, zones[0].threshold_mg_m3, geometry,
        max(z.downwind_distance_m for z in zones), max(z.max_width_m for z in zones),
        any(z.truncated for z in zones), model,
    )


def zones_to_geojson(
    zones: Iterable[ThreatZone], projection: LocalProjection, *, properties: Mapping | None = None
) -> dict:
    """A GeoJSON FeatureCollection of the zones in WGS84 longitude/latitude (RFC 7946 axis order).

    Parameters
    ----------
    zones : iterable of ThreatZone
        Zones in the projection's local metres; empty zones become features with a null geometry.
    projection : LocalProjection
        The park's local projection.
    properties : mapping, optional
        Extra properties copied onto every feature (scenario, weather label...).

    Returns
    -------
    dict
        ``{"type": "FeatureCollection", "features": [...]}``; each feature's properties carry the
        endpoint, threshold, reach, width, area, truncation flag and model.
    """
    extra = dict(properties or {})
    features = []

    def to_lonlat(xy: np.ndarray) -> np.ndarray:
        lon, lat = projection.to_lonlat(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    for zone in zones:
        geometry = None
        if not zone.empty:
            geom = shapely.transform(zone.geometry, to_lonlat)
            if isinstance(geom, (Polygon, MultiPolygon)):
                geometry = mapping(geom)
            else:  # make_valid may return a collection; keep its polygons
                parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
                geometry = mapping(unary_union(parts)) if parts else None
        features.append(
            {
                "type": "Feature",
                "geometry": _plain(geometry),
                "properties": {
                    **extra,
                    "endpoint": zone.endpoint,
                    "threshold_mg_m3": zone.threshold_mg_m3,
                    "downwind_distance_m": zone.downwind_distance_m,
                    "max_width_m": zone.max_width_m,
                    "area_m2": zone.area_m2,
                    "truncated": zone.truncated,
                    "model": zone.model,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _plain(value):
    """shapely's mapping uses tuples; GeoJSON consumers (and json.dumps round trips) expect lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
