"""GeoJSON geometry checks on WGS84 lon/lat, with shapely.

Geometries are stored as GeoJSON geometry dicts. These helpers validate them (type,
coordinate ranges, polygon validity) and answer the containment questions the registry
asks: is an enterprise, outlet or monitoring point inside the park boundary?
"""

from __future__ import annotations

import json
from functools import lru_cache

import shapely
from pyproj import Geod
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

POLYGON_TYPES = ("Polygon", "MultiPolygon")
WGS84 = Geod(ellps="WGS84")
POINT_OR_POLYGON_TYPES = ("Point", "Polygon", "MultiPolygon")


def parse_geometry(geometry: object, allowed: tuple[str, ...]) -> BaseGeometry:
    """Turn a GeoJSON geometry dict into a valid shapely geometry or raise ValueError."""
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise ValueError("expected a GeoJSON geometry object with 'type' and 'coordinates'")
    if geometry["type"] not in allowed:
        raise ValueError(f"geometry type {geometry['type']!r} not allowed here, expected one of {list(allowed)}")
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise ValueError(f"malformed {geometry['type']} coordinates: {exc}") from None
    if geom.is_empty:
        raise ValueError("geometry is empty")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValueError("coordinates must be WGS84 longitude in [-180, 180] and latitude in [-90, 90]")
    if not geom.is_valid:
        raise ValueError(f"invalid {geometry['type']}: {shapely.is_valid_reason(geom)}")
    return geom


def check_polygon(geometry: dict) -> dict:
    parse_geometry(geometry, POLYGON_TYPES)
    return geometry


def check_point_or_polygon(geometry: dict) -> dict:
    parse_geometry(geometry, POINT_OR_POLYGON_TYPES)
    return geometry


def representative_lonlat(geometry: dict) -> tuple[float, float]:
    """A point guaranteed to lie on the geometry (the centroid when it does)."""
    geom = parse_geometry(geometry, POINT_OR_POLYGON_TYPES)
    point = geom.centroid if geom.contains(geom.centroid) or geom.geom_type == "Point" else geom.representative_point()
    return point.x, point.y


@lru_cache(maxsize=64)
def _prepared(boundary_key: str) -> BaseGeometry:
    geom = shape(json.loads(boundary_key))
    shapely.prepare(geom)
    return geom


def _boundary_shape(boundary: dict) -> BaseGeometry:
    return _prepared(json.dumps(boundary, sort_keys=True))


def lonlat_inside(boundary: dict, lon: float, lat: float) -> bool:
    """True when (lon, lat) lies inside or on the boundary polygon."""
    return _boundary_shape(boundary).covers(Point(lon, lat))


def geometry_inside(boundary: dict, geometry: dict) -> bool:
    return _boundary_shape(boundary).covers(shape(geometry))


def geodesic_area_m2(geometry: dict | BaseGeometry) -> float:
    """Area of a (Multi)Polygon on the WGS84 ellipsoid [m2], holes subtracted.

    Geodesic polygon area after Karney (2013), "Algorithms for geodesics", J. Geodesy 87,
    as implemented by PROJ's ``geod`` (``pyproj.Geod.geometry_area_perimeter``).
    """
    geom = geometry if isinstance(geometry, BaseGeometry) else shape(geometry)
    area, _ = WGS84.geometry_area_perimeter(geom)
    return abs(area)


def shared_area_m2(a: dict, b: dict) -> float:
    """Geodesic area [m2] that two polygon geometries have in common."""
    common = shape(a).intersection(shape(b))
    return 0.0 if common.is_empty else geodesic_area_m2(common)
