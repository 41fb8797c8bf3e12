"""Receptors: where concentrations are computed, in the park's local metric coordinates.

The registry stores WGS84 longitude/latitude; the plume works in metres. :class:`LocalProjection`
maps between them with an azimuthal equidistant projection centred on the park origin (pyproj /
PROJ ``aeqd`` on the WGS84 ellipsoid): distances and bearings from the origin are exact geodesic
ones, and the scale error elsewhere stays below 1e-5 within 50 km, a few decimetres at most.

A :class:`Receptors` set holds x, y, flagpole height, a name and a kind per receptor. Grids
(:func:`cartesian_grid`, :func:`polar_grid`) come first and remember their shape, so a vector of
results can be reshaped back for contouring (:meth:`Receptors.grid_values`); discrete receptors
(:func:`discrete`, :func:`discrete_lonlat`, e.g. the registry's sensitive receptors 环境敏感点)
can be appended after a grid.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from pyproj import CRS, Transformer

from parksteward.dispersion._checks import finite, non_negative, positive
from parksteward.dispersion.errors import DispersionInputError

RECEPTOR_KINDS = ("grid_cartesian", "grid_polar", "discrete", "sensitive")


class LocalProjection:
    """WGS84 lon/lat <-> local x (east), y (north) in metres around the park origin.

    Parameters
    ----------
    lon0, lat0 : float
        Park origin [deg]; it maps to (0, 0).

    Notes
    -----
    PROJ string ``+proj=aeqd +lat_0=lat0 +lon_0=lon0 +x_0=0 +y_0=0 +ellps=WGS84 +units=m``: the
    azimuthal equidistant projection, whose distance from the origin equals the ellipsoidal
    geodesic distance. The transformer is rebuilt on unpickling, so an instance can be shipped to
    worker processes.

    References
    ----------
    Snyder, J. P. (1987). *Map Projections — A Working Manual*, USGS PP 1395, §25 (azimuthal
    equidistant). PROJ documentation, "aeqd".
    """

    def __init__(self, lon0: float, lat0: float):
        lon0 = float(finite("lon0", lon0))
        lat0 = float(finite("lat0", lat0))
        if abs(lon0) > 180.0:
            raise DispersionInputError("lon0", f"must be within -180..180 deg (found {lon0:g})")
        if abs(lat0) > 89.0:  # the azimuthal projection's origin must not sit on a pole
            raise DispersionInputError("lat0", f"must be within -89..89 deg (found {lat0:g})")
        self.lon0 = lon0
        self.lat0 = lat0
        self.crs = CRS.from_proj4(f"+proj=aeqd +lat_0={lat0!r} +lon_0={lon0!r} +x_0=0 +y_0=0 +ellps=WGS84 +units=m")
        self._forward = Transformer.from_crs(CRS.from_epsg(4326), self.crs, always_xy=True)
        self._inverse = Transformer.from_crs(self.crs, CRS.from_epsg(4326), always_xy=True)

    def __reduce__(self):
        return (LocalProjection, (self.lon0, self.lat0))

    def __repr__(self) -> str:
        return f"LocalProjection(lon0={self.lon0!r}, lat0={self.lat0!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, LocalProjection) and (self.lon0, self.lat0) == (other.lon0, other.lat0)

    def __hash__(self) -> int:
        return hash((self.lon0, self.lat0))

    def to_local(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Longitude/latitude [deg] to local x (east), y (north) [m]."""
        lon = finite("lon", lon)
        lat = finite("lat", lat)
        if np.any(np.abs(lat) > 90.0):
            raise DispersionInputError("lat", "must be within -90..90 deg")
        x, y = self._forward.transform(lon, lat)
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    def to_lonlat(self, x_m, y_m) -> tuple[np.ndarray, np.ndarray]:
        """Local x, y [m] to longitude, latitude [deg]."""
        x = finite("x_m", x_m)
        y = finite("y_m", y_m)
        lon, lat = self._inverse.transform(x, y)
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


@dataclass(frozen=True, eq=False)
class Receptors:
    """A set of receptors in local coordinates.

    Attributes
    ----------
    x_m, y_m : numpy.ndarray
        Position east and north of the park origin [m].
    z_flag_m : numpy.ndarray
        Flagpole height: receptor height above ground [m], >= 0.
    name : numpy.ndarray
        Receptor names (str).
    kind : numpy.ndarray
        One of :data:`RECEPTOR_KINDS` per receptor (str).
    grid_shape : tuple of int or None
        Shape of the grid occupying the first ``prod(grid_shape)`` receptors, rows first:
        ``(ny, nx)`` for a Cartesian grid (x varies fastest), ``(n_directions, n_distances)`` for a
        polar grid (distance varies fastest). None when there is no grid.
    """

    x_m: np.ndarray
    y_m: np.ndarray
    z_flag_m: np.ndarray
    name: np.ndarray
    kind: np.ndarray
    grid_shape: tuple[int, int] | None = None

    def __post_init__(self):
        name = np.asarray(self.name, dtype=str)
        if name.ndim != 1:
            raise DispersionInputError("name", "must be a 1-D array of receptor names")
        n = name.size
        arrays = {}
        for field_name in ("x_m", "y_m", "z_flag_m"):
            array = np.asarray(getattr(self, field_name), dtype=float)
            if array.shape != (n,):
                raise DispersionInputError(field_name, f"must have one value per receptor ({n}), got {array.shape}")
            bad = ~np.isfinite(array)
            if np.any(bad):
                i = int(np.argmax(bad))
                message = f"{field_name} is {float(array[i])!r}, must be finite"
                raise DispersionInputError(f"receptor {i} {str(name[i])!r}", message)
            arrays[field_name] = array
        if np.any(arrays["z_flag_m"] < 0):
            i = int(np.argmax(arrays["z_flag_m"] < 0))
            found = arrays["z_flag_m"][i]
            raise DispersionInputError(f"receptor {i} {str(name[i])!r}", f"z_flag_m must be >= 0 m (found {found:g})")
        kind = np.asarray(self.kind, dtype=str)
        if kind.shape != (n,) or not set(kind.tolist()) <= set(RECEPTOR_KINDS):
            raise DispersionInputError("kind", f"must be {n} values from {', '.join(RECEPTOR_KINDS)}")
        if self.grid_shape is not None:
            shape = tuple(int(s) for s in self.grid_shape)
            if len(shape) != 2 or min(shape) < 1 or math.prod(shape) > n:
                raise DispersionInputError("grid_shape", f"{self.grid_shape!r} does not fit {n} receptors")
            object.__setattr__(self, "grid_shape", shape)
        for field_name, array in (*arrays.items(), ("name", name), ("kind", kind)):
            array = np.array(array, copy=True)
            array.flags.writeable = False
            object.__setattr__(self, field_name, array)

    def __len__(self) -> int:
        return int(self.x_m.size)

    @property
    def grid_size(self) -> int:
        """Number of grid receptors at the start of the set (0 without a grid)."""
        return 0 if self.grid_shape is None else math.prod(self.grid_shape)

    def grid_values(self, values) -> np.ndarray:
        """Reshape per-receptor values (receptors on the last axis) onto the grid.

        Parameters
        ----------
        values : array_like
            Shape ``(..., len(self))``.

        Returns
        -------
        numpy.ndarray
            Shape ``(..., *grid_shape)``: the grid receptors' values, rows first.
        """
        if self.grid_shape is None:
            raise DispersionInputError("receptors", "this set has no grid")
        values = np.asarray(values)
        if values.shape[-1:] != (len(self),):
            raise DispersionInputError("values", f"last axis must have {len(self)} receptors, got shape {values.shape}")
        return values[..., : self.grid_size].reshape(*values.shape[:-1], *self.grid_shape)

    def append(self, other: Receptors) -> Receptors:
        """This set followed by ``other`` (which must have no grid); the grid shape is kept."""
        if other.grid_shape is not None:
            raise DispersionInputError("other", "a grid can only come first; append discrete receptors to it")
        return Receptors(
            x_m=np.concatenate([self.x_m, other.x_m]), y_m=np.concatenate([self.y_m, other.y_m]),
            z_flag_m=np.concatenate([self.z_flag_m, other.z_flag_m]), name=np.concatenate([self.name, other.name]),
            kind=np.concatenate([self.kind, other.kind]), grid_shape=self.grid_shape,
        )


def cartesian_grid(x0: float, y0: float, nx: int, ny: int, spacing_m: float, *, z_flag_m: float = 0.0) -> Receptors:
    """A regular Cartesian grid, ISC ``GRIDCART`` style.

    Parameters
    ----------
    x0, y0 : float
        South-west corner, the first receptor [m].
    nx, ny : int
        Number of columns (along x, east) and rows (along y, north) [-].
    spacing_m : float
        Spacing in both directions [m].
    z_flag_m : float
        Flagpole height of every receptor [m].

    Returns
    -------
    Receptors
        ``nx·ny`` receptors, row by row from the south, x fastest; ``grid_shape = (ny, nx)``;
        names ``"G{row}_{column}"``.
    """
    x0 = float(finite("x0", x0))
    y0 = float(finite("y0", y0))
    spacing = float(positive("spacing_m", spacing_m, "m"))
    nx, ny = _count("nx", nx), _count("ny", ny)
    columns, rows = np.meshgrid(np.arange(nx), np.arange(ny))  # rows first: shape (ny, nx)
    names = np.char.add(np.char.add("G", rows.ravel().astype(str)), np.char.add("_", columns.ravel().astype(str)))
    return Receptors(
        x_m=x0 + spacing * columns.ravel(), y_m=y0 + spacing * rows.ravel(),
        z_flag_m=np.full(nx * ny, float(non_negative("z_flag_m", z_flag_m, "m"))), name=names,
        kind=np.full(nx * ny, "grid_cartesian"), grid_shape=(ny, nx),
    )


def polar_grid(x0: float, y0: float, distances_m, directions_deg, *, z_flag_m: float = 0.0) -> Receptors:
    """A polar grid around a centre, ISC ``GRIDPOLR`` style.

    Parameters
    ----------
    x0, y0 : float
        Centre [m].
    distances_m : array_like
        Ring distances [m], > 0, strictly increasing.
    directions_deg : array_like
        Radial directions, clockwise from north [deg], in [0, 360), strictly increasing.
    z_flag_m : float
        Flagpole height of every receptor [m].

    Returns
    -------
    Receptors
        One receptor per (direction, distance), direction by direction, distance fastest;
        ``grid_shape = (n_directions, n_distances)``; names ``"P{direction}deg_{distance}m"``.

    Notes
    -----
    x = x0 + r·sin θ, y = y0 + r·cos θ (θ clockwise from north).
    """
    x0 = float(finite("x0", x0))
    y0 = float(finite("y0", y0))
    distances = positive("distances_m", np.atleast_1d(distances_m), "m")
    directions = finite("directions_deg", np.atleast_1d(directions_deg))
    if distances.ndim != 1 or np.any(np.diff(distances) <= 0):
        raise DispersionInputError("distances_m", "must be a 1-D list of strictly increasing distances")
    if directions.ndim != 1 or np.any(np.diff(directions) <= 0) or np.any((directions < 0) | (directions >= 360)):
        raise DispersionInputError("directions_deg", "must be strictly increasing directions within [0, 360)")
    theta = np.radians(directions)[:, None]
    x = x0 + distances[None, :] * np.sin(theta)
    y = y0 + distances[None, :] * np.cos(theta)
    d_grid, r_grid = np.meshgrid(directions, distances, indexing="ij")
    names = [f"P{d:g}deg_{r:g}m" for d, r in zip(d_grid.ravel(), r_grid.ravel())]
    n = x.size
    return Receptors(
        x_m=x.ravel(), y_m=y.ravel(), z_flag_m=np.full(n, float(non_negative("z_flag_m", z_flag_m, "m"))),
        name=names, kind=np.full(n, "grid_polar"), grid_shape=(directions.size, distances.size),
    )


def discrete(points: Iterable[Sequence], *, kind: str = "discrete") -> Receptors:
    """Discrete receptors from ``(name, x_m, y_m)`` or ``(name, x_m, y_m, z_flag_m)`` rows.

    Parameters
    ----------
    points : iterable of sequences
        Name, x [m], y [m] and optionally flagpole height [m] per receptor.
    kind : str
        ``"discrete"`` or ``"sensitive"``.

    Returns
    -------
    Receptors

    Raises
    ------
    DispersionInputError
        Naming the receptor (index and name) whose coordinate is NaN, infinite or missing.
    """
    if kind not in ("discrete", "sensitive"):
        raise ValueError(f"kind: unknown kind {kind!r}, expected 'discrete' or 'sensitive'")
    names, xs, ys, zs = [], [], [], []
    for i, point in enumerate(points):
        if len(point) not in (3, 4):
            raise DispersionInputError(f"points[{i}]", "expected (name, x_m, y_m) or (name, x_m, y_m, z_flag_m)")
        name = str(point[0])
        values = []
        for label, value in zip(("x_m", "y_m", "z_flag_m"), (*point[1:], 0.0)):
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise DispersionInputError(f"receptor {i} {name!r}", f"{label} is {value!r}, not a number") from None
            if not math.isfinite(number):
                raise DispersionInputError(f"receptor {i} {name!r}", f"{label} is {value!r}, must be finite")
            values.append(number)
        names.append(name)
        xs.append(values[0])
        ys.append(values[1])
        zs.append(values[2])
    return Receptors(x_m=np.array(xs, dtype=float), y_m=np.array(ys, dtype=float), z_flag_m=np.array(zs, dtype=float),
                     name=np.array(names, dtype=str), kind=np.full(len(names), kind))


def discrete_lonlat(points: Iterable[Sequence], projection: LocalProjection, *, kind: str = "sensitive") -> Receptors:
    """Discrete receptors from ``(name, lon, lat)`` or ``(name, lon, lat, z_flag_m)`` rows [deg].

    Suited to the registry's sensitive receptors (环境敏感点), stored in WGS84.

    Raises
    ------
    DispersionInputError
        Naming the receptor whose longitude or latitude is NaN, infinite or out of range.
    """
    rows = []
    for i, point in enumerate(points):
        if len(point) not in (3, 4):
            raise DispersionInputError(f"points[{i}]", "expected (name, lon, lat) or (name, lon, lat, z_flag_m)")
        name = str(point[0])
        for label, value, bound in (("lon", point[1], 180.0), ("lat", point[2], 90.0)):
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise DispersionInputError(f"receptor {i} {name!r}", f"{label} is {value!r}, not a number") from None
            if not (math.isfinite(number) and abs(number) <= bound):
                raise DispersionInputError(f"receptor {i} {name!r}", f"{label} is {value!r}, must be within ±{bound:g}")
        rows.append(point)
    if not rows:
        return discrete([], kind=kind)
    x, y = projection.to_local([float(p[1]) for p in rows], [float(p[2]) for p in rows])
    return discrete([(p[0], xi, yi, *p[3:]) for p, xi, yi in zip(rows, x, y)], kind=kind)


def wind_axes(source_x_m, source_y_m, receptors: Receptors, wind_from_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Downwind x and crosswind y (to the left of the wind) [m] of every receptor from every source.

    Shape (sources, receptors). The plume travels towards ``wind_from_deg`` + 180 deg
    (meteorological convention: the direction the wind blows from, clockwise from north).
    """
    theta = math.radians(wind_from_deg)
    sin_t, cos_t = math.sin(theta), math.cos(theta)
    dx = receptors.x_m[None, :] - np.asarray(source_x_m)[:, None]
    dy = receptors.y_m[None, :] - np.asarray(source_y_m)[:, None]
    return -(dx * sin_t + dy * cos_t), dx * cos_t - dy * sin_t  # along (sin, cos) of the direction blown towards


def _count(name: str, value) -> int:
    if isinstance(value, bool) or int(value) != value or int(value) < 1:
        raise DispersionInputError(name, f"must be a whole number >= 1 (found {value!r})")
    return int(value)
