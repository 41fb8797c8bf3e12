"""Local metric layout of the demo park: a metric frame, rectangles and enterprise plots.

Geometry is laid out in a local azimuthal-equidistant frame in metres (x east, y north)
around the park centre and converted to WGS84 once, when an object is written
(:class:`LocalFrame`). :class:`Rect` is an axis-parallel rectangle of that frame with the
small helpers the builder places things with (fractions, insets, grids of points), and
:class:`Plot` is an enterprise's cell of the road grid with the zones inside its footprint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

from pyproj import CRS, Transformer


class LocalFrame:
    """Local azimuthal-equidistant metres around the park centre, converted to WGS84."""

    def __init__(self, lon0: float, lat0: float):
        local = CRS.from_proj4(f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m +no_defs")
        self._to_wgs84 = Transformer.from_crs(local, "EPSG:4326", always_xy=True)

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        lon, lat = self._to_wgs84.transform(x, y)
        return round(lon, 7), round(lat, 7)

    def ring(self, points) -> list[list[float]]:
        coords = [list(self.lonlat(x, y)) for x, y in points]
        return coords + [coords[0]]

    def polygon(self, points, holes=()) -> dict:
        return {"type": "Polygon", "coordinates": [self.ring(points), *(self.ring(h) for h in holes)]}

    def shape(self, geometry) -> dict:
        """A shapely Polygon or MultiPolygon of the local frame as a GeoJSON geometry (WGS84)."""
        def rings(polygon) -> list:
            return [self.ring(polygon.exterior.coords[:-1]), *(self.ring(h.coords[:-1]) for h in polygon.interiors)]

        if geometry.geom_type == "Polygon":
            return {"type": "Polygon", "coordinates": rings(geometry)}
        return {"type": "MultiPolygon", "coordinates": [rings(p) for p in geometry.geoms]}

    def point(self, x: float, y: float) -> dict:
        return {"type": "Point", "coordinates": list(self.lonlat(x, y))}


@dataclass(frozen=True)
class Rect:
    """An axis-parallel rectangle of the local frame [m]."""

    x0: float
    y0: float
    x1: float
    y1: float

    def at(self, fx: float, fy: float) -> tuple[float, float]:
        return self.x0 + fx * (self.x1 - self.x0), self.y0 + fy * (self.y1 - self.y0)

    def part(self, fx0: float, fy0: float, fx1: float, fy1: float) -> Rect:
        (x0, y0), (x1, y1) = self.at(fx0, fy0), self.at(fx1, fy1)
        return Rect(x0, y0, x1, y1)

    def inset(self, d: float) -> Rect:
        return Rect(self.x0 + d, self.y0 + d, self.x1 - d, self.y1 - d)

    def scaled(self, f: float) -> Rect:
        """The rectangle shrunk about its centre to ``f`` of its width and height."""
        return self.part((1 - f) / 2, (1 - f) / 2, (1 + f) / 2, (1 + f) / 2)

    @property
    def corners(self) -> tuple[tuple[float, float], ...]:
        return (self.x0, self.y0), (self.x1, self.y0), (self.x1, self.y1), (self.x0, self.y1)

    def grid(self, n: int) -> list[tuple[float, float]]:
        """``n`` well-spread points: centres of a near-square grid of sub-cells."""
        if n == 0:
            return []
        cols = math.ceil(math.sqrt(n))
        rows = math.ceil(n / cols)
        return [self.at((i % cols + 0.5) / cols, (i // cols + 0.5) / rows) for i in range(n)]


@dataclass
class Plot:
    """An enterprise's cell of the road grid, its footprint and the zones inside it."""

    column: int
    row: int
    cell: Rect
    footprint: Rect | None = None

    @cached_property
    def tank_farm(self) -> Rect:
        return self.footprint.part(0.05, 0.05, 0.40, 0.45)

    @cached_property
    def process(self) -> Rect:
        return self.footprint.part(0.45, 0.40, 0.95, 0.95)

    @cached_property
    def stores(self) -> Rect:
        return self.footprint.part(0.05, 0.55, 0.40, 0.95)

    @cached_property
    def utilities(self) -> Rect:
        return self.footprint.part(0.45, 0.05, 0.95, 0.33)
