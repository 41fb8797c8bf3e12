"""Hourly meteorology for the dispersion engine: one aligned series of wind, temperature,
stability, mixing height and calms, read from a CSV file or built from the park weather station's
stored HJ 212 readings.

Conventions (every reader produces them, the engine relies on them):

- ``time_utc`` stamps the **start** of each hourly mean, in UTC (``datetime64[s]``), strictly
  increasing. ISC's hour 1 (hour ending 01:00) is our hour starting 00:00. The sun for Turner's
  method is taken at the middle of the hour (start + 30 min).
- ``wind_from_deg`` is where the wind blows **from**, clockwise from north (meteorological
  convention: 90 = an east wind, blowing towards the west), in [0, 360).
- **Calms** (ISC convention): an hour is calm when its wind speed is 0 or below
  ``calm_threshold_m_s``. Calm hours produce zero concentration; averages over periods that
  contain calms follow EPA's calms processing (see
  :mod:`parksteward.dispersion.statistics`): short-term means divide the sum of the non-calm hours
  by the number of non-calm hours or 75 % of the hours in the period, whichever is larger; period
  (annual) means divide by the number of non-calm hours. The default is ISC's own rule (calm only
  at 0 m/s; a non-calm wind below 1 m/s is raised to 1 m/s at the stack top by the plume
  calculation); ``calm_threshold_m_s=HJ22_CALM_THRESHOLD_M_S`` (0.5 m/s) applies HJ 2.2-2018's
  definition of 静风 (mean 10 m wind below 0.5 m/s — verify against the text).
- **Mixing height** comes from the data when given. When it is not, the regulatory *screening*
  rule of SCREEN3 is used and the series is labelled ``mixing_height_method="screening_320u"``:
  z_i = 320 · u (u = the observed wind, treated as the 10 m wind) for classes A–D, capped at
  10 000 m; z_i = 10 000 m (no lid) for E–F. The lower clamp z_i >= h_e + 1 m depends on the
  source and is applied by the plume calculation, not here. This is a screening convention, not a
  forecast of the real boundary layer.

CSV format (:func:`read_met_csv`): UTF-8 (a BOM is accepted), comma-separated, one header row,
one row per hour. Column names are case-insensitive:

============================  ========  =====================================================
column                        required  meaning
============================  ========  =====================================================
``time``                      yes       start of the hour, ISO 8601 **with** offset or ``Z``
                                        (``2024-01-01T08:00+08:00``, ``2024-01-01T00:00Z``)
``wind_speed_m_s``            yes       mean wind speed at the anemometer [m/s], >= 0
``wind_from_deg``             yes       direction the wind blows from [deg], 0–360
``temperature_c`` or
``temperature_k``             one       air temperature [°C] (−90…60) or [K] (183.15…333.15)
``cloud_cover_tenths``        (1)       total cloud cover [tenths], 0–10
``ceiling_height_m``          (1)       ceiling [m] > 0, or ``unlimited``; may be left empty
                                        when the cloud cover is 5/10 or less (not used then)
``stability``                 no        Pasquill–Gifford class A–F or 1–6 (G / 7 read as F)
``mixing_height_m``           no        mixing height [m] > 0
============================  ========  =====================================================

(1) required unless a ``stability`` column is given; with one, they are not used. When a
``stability`` or ``mixing_height_m`` column is present, every row must fill it. Other columns are
refused unless named in ``ignore_columns``.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from parksteward.dispersion._checks import STABILITY_CLASSES, stability_index
from parksteward.dispersion.errors import DispersionInputError
from parksteward.dispersion.solar import as_utc_datetime64
from parksteward.dispersion.stability import turner_stability

CALM_THRESHOLD_M_S = 0.0  # ISC: an hour is calm only at 0 m/s
HJ22_CALM_THRESHOLD_M_S = 0.5  # HJ 2.2-2018 definition of 静风 (10 m wind < 0.5 m/s); verify
ZI_SCREENING_FACTOR_S = 320.0  # z_i = 320 · u10 [m], classes A–D (dispersion-methods.md §3.1)
ZI_NO_LID_M = 10000.0  # "no lid" mixing height of the screening rule [m]
KELVIN_OFFSET = 273.15
TEMPERATURE_RANGE_C = (-90.0, 60.0)  # plausibility bounds; catches kelvin written in a °C column

STABILITY_METHODS = ("given", "turner_1964")
MIXING_HEIGHT_METHODS = ("given", "screening_320u")

# HJ 212-2017 Annex B meteorological factor codes and the units of their stored values, as in
# parksteward/hj212/data/factors.json (transcribed, verified: false there).
HJ212_WIND_SPEED = "a01007"  # 风速, m/s
HJ212_WIND_DIRECTION = "a01008"  # 风向, degrees
HJ212_TEMPERATURE = "a01001"  # 温度, °C
HJ212_PRESSURE = "a01006"  # 气压, kPa
HJ212_HUMIDITY = "a01002"  # 湿度, %
HJ212_MET_FACTORS = {
    HJ212_WIND_SPEED: "wind speed [m/s]",
    HJ212_WIND_DIRECTION: "wind direction [deg]",
    HJ212_TEMPERATURE: "air temperature [°C]",
    HJ212_PRESSURE: "air pressure [kPa]",
    HJ212_HUMIDITY: "relative humidity [%]",
}
HJ212_VALID_FLAG = "N"  # HJ 212-2017 Table 8: "N" = normal; any other flag makes the value unusable


@dataclass(frozen=True)
class MetProblem:
    """One thing wrong in met input: where (``line`` of a file, or a reading's index), which
    column or factor, and what was expected."""

    where: str
    column: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.column}: {self.message}" if self.column else f"{self.where}: {self.message}"


class MetDataError(DispersionInputError):
    """Met input with bad rows or readings; ``problems`` lists every one, in input order."""

    def __init__(self, parameter: str, problems: Sequence[MetProblem]):
        self.problems = tuple(problems)
        listing = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(parameter, f"{len(self.problems)} problem(s), nothing was read:\n{listing}")


class MetFileError(MetDataError):
    """A met file with bad rows: every bad row is listed with its line number (1 = header)."""


@dataclass(frozen=True, eq=False)
class HourlyMet:
    """Hourly meteorology as aligned arrays (one element per hour).

    Attributes
    ----------
    time_utc : numpy.ndarray
        Start of each hour, UTC, ``datetime64[s]``, strictly increasing [s].
    wind_speed_m_s : numpy.ndarray
        Mean wind speed at ``anemometer_height_m`` [m/s], >= 0.
    wind_from_deg : numpy.ndarray
        Direction the wind blows from, clockwise from north [deg], in [0, 360).
    temperature_k : numpy.ndarray
        Air temperature [K].
    stability : numpy.ndarray
        Pasquill–Gifford class [-], int8, 1–6 (A–F).
    mixing_height_m : numpy.ndarray
        Mixing height [m]; > 0 for every non-calm hour.
    calm : numpy.ndarray
        Calm hour [-], bool (zero concentration, see the module notes).
    anemometer_height_m : float
        Height of the wind measurement [m].
    stability_method : str
        ``"given"`` (from the data), ``"turner_1964"``, or both joined by ``+`` when hours differ.
    mixing_height_method : str
        ``"given"``, ``"screening_320u"``, or both joined by ``+``.
    pressure_pa : numpy.ndarray or None
        Station pressure [Pa], when known for every hour.
    relative_humidity_pct : numpy.ndarray or None
        Relative humidity [%], when known for every hour.
    """

    time_utc: np.ndarray
    wind_speed_m_s: np.ndarray
    wind_from_deg: np.ndarray
    temperature_k: np.ndarray
    stability: np.ndarray
    mixing_height_m: np.ndarray
    calm: np.ndarray
    anemometer_height_m: float = 10.0
    stability_method: str = "given"
    mixing_height_method: str = "given"
    pressure_pa: np.ndarray | None = None
    relative_humidity_pct: np.ndarray | None = None

    def __post_init__(self):
        times = as_utc_datetime64(self.time_utc, "time_utc")
        if times.ndim != 1 or times.size == 0:
            raise DispersionInputError("time_utc", "must be a non-empty 1-D series of hours")
        steps = np.diff(times.astype(np.int64))
        if np.any(steps <= 0):
            i = int(np.argmax(steps <= 0)) + 1
            raise DispersionInputError(
                "time_utc", f"must be strictly increasing (hour {i}: {times[i]} after {times[i - 1]})"
            )
        n = times.size
        _set(self, "time_utc", times)
        speed = _series(self.wind_speed_m_s, "wind_speed_m_s", n)
        _at_least(speed, "wind_speed_m_s", 0.0, "m/s")
        _set(self, "wind_speed_m_s", speed)
        direction = _series(self.wind_from_deg, "wind_from_deg", n)
        outside = (direction < 0) | (direction > 360)
        if np.any(outside):
            raise DispersionInputError("wind_from_deg", f"must be within 0..360 deg (hour {_first(outside)})")
        _set(self, "wind_from_deg", np.mod(direction, 360.0))
        temperature = _series(self.temperature_k, "temperature_k", n)
        _at_least(temperature, "temperature_k", KELVIN_OFFSET + TEMPERATURE_RANGE_C[0], "K")
        _set(self, "temperature_k", temperature)
        klass = stability_index(self.stability)  # 1-6 or A-F; anything else is refused by name
        if klass.shape != (n,):
            raise DispersionInputError("stability", f"must have one class per hour ({n}), got shape {klass.shape}")
        _set(self, "stability", klass)
        calm = np.asarray(self.calm)
        if calm.shape != (n,) or calm.dtype != bool:
            raise DispersionInputError("calm", f"must be {n} booleans")
        _set(self, "calm", calm.copy())
        zi = _series(self.mixing_height_m, "mixing_height_m", n)
        too_low = (zi < 0) | ((zi <= 0) & ~calm)
        if np.any(too_low):
            raise DispersionInputError("mixing_height_m", f"must be > 0 m for non-calm hours (hour {_first(too_low)})")
        _set(self, "mixing_height_m", zi)
        if not (math.isfinite(self.anemometer_height_m) and self.anemometer_height_m > 0):
            raise DispersionInputError("anemometer_height_m", f"must be > 0 m (found {self.anemometer_height_m!r})")
        for name, allowed in (("stability_method", STABILITY_METHODS), ("mixing_height_method", MIXING_HEIGHT_METHODS)):
            value = getattr(self, name)
            if not set(value.split("+")) <= set(allowed):
                raise ValueError(f"{name}: unknown method {value!r}, expected one of {', '.join(allowed)}")
        if self.pressure_pa is not None:
            pressure = _series(self.pressure_pa, "pressure_pa", n)
            _at_least(pressure, "pressure_pa", 1.0, "Pa")
            _set(self, "pressure_pa", pressure)
        if self.relative_humidity_pct is not None:
            humidity = _series(self.relative_humidity_pct, "relative_humidity_pct", n)
            if np.any((humidity < 0) | (humidity > 100)):
                raise DispersionInputError("relative_humidity_pct", "must be within 0..100 %")
            _set(self, "relative_humidity_pct", humidity)

    def __len__(self) -> int:
        return int(self.time_utc.size)

    def select(self, hours) -> HourlyMet:
        """The hours picked by ``hours`` (a boolean mask, a slice or increasing indices)."""
        def pick(array):
            return None if array is None else array[hours]

        return HourlyMet(
            time_utc=self.time_utc[hours], wind_speed_m_s=self.wind_speed_m_s[hours],
            wind_from_deg=self.wind_from_deg[hours], temperature_k=self.temperature_k[hours],
            stability=self.stability[hours], mixing_height_m=self.mixing_height_m[hours], calm=self.calm[hours],
            anemometer_height_m=self.anemometer_height_m, stability_method=self.stability_method,
            mixing_height_method=self.mixing_height_method, pressure_pa=pick(self.pressure_pa),
            relative_humidity_pct=pick(self.relative_humidity_pct),
        )


def _set(obj, name: str, array: np.ndarray) -> None:
    array = np.array(array, copy=True)
    array.flags.writeable = False  # a frozen record of arrays: nobody edits an hour in place
    object.__setattr__(obj, name, array)


def _series(value, name: str, n: int) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if array.shape != (n,):
        raise DispersionInputError(name, f"must have one value per hour ({n}), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise DispersionInputError(name, f"must be finite (hour {_first(~np.isfinite(array))} is not)")
    return array


def _at_least(array: np.ndarray, name: str, bound: float, unit: str) -> None:
    if np.any(array < bound):
        i = _first(array < bound)
        raise DispersionInputError(name, f"must be >= {bound:g} {unit} (hour {i}: {array[i]:g})")


def _first(mask) -> int:
    return int(np.argmax(mask))


def calm_hours(wind_speed_m_s, calm_threshold_m_s: float = CALM_THRESHOLD_M_S) -> np.ndarray:
    """ISC calm flag: wind speed 0, or below ``calm_threshold_m_s``.

    Parameters
    ----------
    wind_speed_m_s : array_like
        Wind speed [m/s].
    calm_threshold_m_s : float
        Speeds strictly below this are calm [m/s]; 0 gives ISC's own rule (calm only at 0 m/s).

    Returns
    -------
    numpy.ndarray
        Calm [-], bool.

    References
    ----------
    EPA (1995). *User's Guide for the ISC3 Dispersion Models*, EPA-454/B-95-003a (calm hours).
    HJ 2.2-2018, terms and definitions (静风, 10 m wind < 0.5 m/s) — verify.
    """
    speed = np.asarray(wind_speed_m_s, dtype=float)
    if not (math.isfinite(calm_threshold_m_s) and calm_threshold_m_s >= 0):
        raise DispersionInputError("calm_threshold_m_s", f"must be >= 0 m/s (found {calm_threshold_m_s!r})")
    return (speed == 0.0) | (speed < calm_threshold_m_s)


def screening_mixing_height(wind_speed_m_s, stability) -> np.ndarray:
    """Mixing height by the regulatory screening rule (SCREEN3), not an observed value.

    Parameters
    ----------
    wind_speed_m_s : array_like
        Wind speed, taken as the 10 m wind [m/s].
    stability : array_like
        Pasquill–Gifford class, 1–6 or A–F.

    Returns
    -------
    numpy.ndarray
        Mixing height [m].

    Notes
    -----
    z_i = min(320 · u₁₀, 10 000) for A–D; z_i = 10 000 m (no lid) for E–F. The lower clamp
    z_i >= h_e + 1 of the same rule depends on the source's effective height and belongs to the
    plume calculation.

    References
    ----------
    ParkSteward reference dispersion-methods.md §3.1 (SCREEN3 regulatory screening mixing height).
    """
    speed = np.asarray(wind_speed_m_s, dtype=float)
    klass = stability_index(stability)
    return np.where(klass <= 4, np.minimum(ZI_SCREENING_FACTOR_S * speed, ZI_NO_LID_M), ZI_NO_LID_M)


def hourly_met(
    time_utc,
    wind_speed_m_s,
    wind_from_deg,
    temperature_k,
    *,
    latitude: float | None = None,
    longitude: float | None = None,
    cloud_cover_tenths=None,
    ceiling_height_m=None,
    stability=None,
    mixing_height_m=None,
    anemometer_height_m: float = 10.0,
    calm_threshold_m_s: float = CALM_THRESHOLD_M_S,
    pressure_pa=None,
    relative_humidity_pct=None,
) -> HourlyMet:
    """Build :class:`HourlyMet` from arrays, deriving what is not given.

    Parameters
    ----------
    time_utc : array_like
        Start of each hour, UTC (see :func:`~parksteward.dispersion.solar.as_utc_datetime64`).
    wind_speed_m_s, wind_from_deg, temperature_k : array_like
        Wind speed [m/s], direction blown from [deg], temperature [K].
    latitude, longitude : float, optional
        Site [deg]; needed when the stability is derived.
    cloud_cover_tenths, ceiling_height_m : array_like, optional
        Total cloud [tenths] and ceiling [m] (``inf`` = none), for Turner's method.
    stability : array_like, optional
        Given classes (1–6 or A–F); otherwise Turner's method is applied.
    mixing_height_m : array_like, optional
        Given mixing heights [m]; otherwise the screening rule (:func:`screening_mixing_height`).
    anemometer_height_m : float
        Height of the wind measurement [m].
    calm_threshold_m_s : float
        Calm threshold [m/s] (:func:`calm_hours`).
    pressure_pa, relative_humidity_pct : array_like, optional
        Carried along when given [Pa], [%].

    Returns
    -------
    HourlyMet
    """
    times = as_utc_datetime64(time_utc)
    speed = np.asarray(wind_speed_m_s, dtype=float)
    if stability is not None:
        klass = stability_index(stability)
        stability_method = "given"
    else:
        if cloud_cover_tenths is None or ceiling_height_m is None or latitude is None or longitude is None:
            raise DispersionInputError(
                "stability",
                "not given: Turner's method needs cloud_cover_tenths, ceiling_height_m, latitude and longitude",
            )
        middle = times + np.timedelta64(1800, "s")  # the sun at the middle of the hour
        klass = turner_stability(middle, longitude, latitude, speed, cloud_cover_tenths, ceiling_height_m)
        stability_method = "turner_1964"
    if mixing_height_m is not None:
        zi = np.asarray(mixing_height_m, dtype=float)
        zi_method = "given"
    else:
        zi = screening_mixing_height(speed, klass)
        zi_method = "screening_320u"
    return HourlyMet(
        time_utc=times, wind_speed_m_s=speed, wind_from_deg=wind_from_deg, temperature_k=temperature_k,
        stability=klass, mixing_height_m=zi, calm=calm_hours(speed, calm_threshold_m_s),
        anemometer_height_m=anemometer_height_m, stability_method=stability_method, mixing_height_method=zi_method,
        pressure_pa=pressure_pa, relative_humidity_pct=relative_humidity_pct,
    )


# ---------------------------------------------------------------------------------------------
# CSV


CSV_REQUIRED = ("time", "wind_speed_m_s", "wind_from_deg")
CSV_TEMPERATURE = ("temperature_c", "temperature_k")
CSV_CLOUD = ("cloud_cover_tenths", "ceiling_height_m")
CSV_OPTIONAL = ("stability", "mixing_height_m")
CSV_COLUMNS = CSV_REQUIRED + CSV_TEMPERATURE + CSV_CLOUD + CSV_OPTIONAL
NO_CEILING = "unlimited"


def read_met_csv(
    path_or_file,
    *,
    latitude: float,
    longitude: float,
    anemometer_height_m: float = 10.0,
    calm_threshold_m_s: float = CALM_THRESHOLD_M_S,
    ignore_columns: Iterable[str] = (),
) -> HourlyMet:
    """Read an hourly met CSV (format in the module docstring) into :class:`HourlyMet`.

    Parameters
    ----------
    path_or_file : str, os.PathLike or text file
        The CSV file.
    latitude, longitude : float
        Site position [deg], for the solar elevation of Turner's method.
    anemometer_height_m : float
        Height of the wind measurement [m].
    calm_threshold_m_s : float
        Calm threshold [m/s] (:func:`calm_hours`).
    ignore_columns : iterable of str
        Extra columns the file may carry and that are to be ignored (e.g. ``relative_humidity``).

    Returns
    -------
    HourlyMet
        Stability from the ``stability`` column or, when absent, Turner's method with the sun at
        the middle of each hour; mixing height from ``mixing_height_m`` or the screening rule.

    Raises
    ------
    MetFileError
        Listing every bad row with its line number and what was wrong (header problems as line 1);
        nothing is returned from a file with any bad row.
    """
    name, text = _read_text(path_or_file)
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise MetFileError(name, [MetProblem("line 1", "", "empty file, expected a header row", 1)])
    columns = [h.strip().lower() for h in header]
    header_problems = _check_header(columns, {c.strip().lower() for c in ignore_columns})
    if header_problems:
        raise MetFileError(name, header_problems)
    index = {c: i for i, c in enumerate(columns)}
    has_stability = "stability" in index
    has_zi = "mixing_height_m" in index
    temperature_column = "temperature_c" if "temperature_c" in index else "temperature_k"

    problems: list[MetProblem] = []
    rows: list[tuple] = []
    lines: list[int] = []
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) != len(columns):
            message = f"has {len(cells)} cells, the header has {len(columns)}"
            problems.append(MetProblem(f"line {line}", "", message, line))
            continue
        row_problems: list[tuple[str, str]] = []

        def get(column: str, cells=cells) -> str:
            return cells[index[column]].strip()

        time = _parse_time(get("time"), row_problems)
        speed = _parse_number(get("wind_speed_m_s"), "wind_speed_m_s", row_problems, low=0.0, unit="m/s")
        direction = _parse_number(get("wind_from_deg"), "wind_from_deg", row_problems, low=0.0, high=360.0, unit="deg")
        if temperature_column == "temperature_c":
            low, high = TEMPERATURE_RANGE_C
        else:
            low, high = (t + KELVIN_OFFSET for t in TEMPERATURE_RANGE_C)
        temperature = _parse_number(get(temperature_column), temperature_column, row_problems, low=low, high=high)
        if temperature is not None and temperature_column == "temperature_c":
            temperature += KELVIN_OFFSET
        cloud = ceiling = klass = zi = None
        if has_stability:
            klass = _parse_stability(get("stability"), row_problems)
        else:
            cloud = _parse_number(
                get("cloud_cover_tenths"), "cloud_cover_tenths", row_problems, low=0.0, high=10.0, unit="tenths"
            )
            ceiling = _parse_ceiling(get("ceiling_height_m"), cloud, row_problems)
        if has_zi:
            zi = _parse_number(
                get("mixing_height_m"), "mixing_height_m", row_problems, low=0.0, open_low=True, unit="m"
            )
        if row_problems:
            problems.extend(MetProblem(f"line {line}", column, message, line) for column, message in row_problems)
            continue
        rows.append((time, speed, direction, temperature, cloud, ceiling, klass, zi))
        lines.append(line)

    # Order is checked among rows that parsed; a bad time is already reported above.
    for k in range(1, len(rows)):
        if rows[k][0] <= rows[k - 1][0]:
            what = "repeats" if rows[k][0] == rows[k - 1][0] else "is earlier than"
            problems.append(MetProblem(
                f"line {lines[k]}", "time",
                f"{rows[k][0]}Z {what} the previous row's hour (line {lines[k - 1]}); hours must increase", lines[k],
            ))
    if not rows and not problems:
        problems.append(MetProblem("line 2", "", "no data rows", 2))
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise MetFileError(name, problems)

    columns_of = list(zip(*rows))
    times = np.array(columns_of[0], dtype="datetime64[s]")
    return hourly_met(
        times, np.array(columns_of[1]), np.array(columns_of[2]), np.array(columns_of[3]),
        latitude=latitude, longitude=longitude,
        cloud_cover_tenths=None if has_stability else np.array(columns_of[4], dtype=float),
        ceiling_height_m=None if has_stability else np.array(columns_of[5], dtype=float),
        stability=np.array(columns_of[6], dtype=np.int8) if has_stability else None,
        mixing_height_m=np.array(columns_of[7], dtype=float) if has_zi else None,
        anemometer_height_m=anemometer_height_m, calm_threshold_m_s=calm_threshold_m_s,
    )


def _read_text(path_or_file) -> tuple[str, str]:
    if isinstance(path_or_file, (str, os.PathLike)):
        with open(path_or_file, encoding="utf-8-sig", newline="") as handle:
            return os.fspath(path_or_file), handle.read()
    text = path_or_file.read()
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    return getattr(path_or_file, "name", "met file"), text.lstrip("\ufeff")


def _check_header(columns: list[str], ignored: set[str]) -> list[MetProblem]:
    def problem(message):
        return MetProblem("line 1", "header", message, 1)

    found = []
    seen = set()
    for c in columns:
        if c in seen:
            found.append(problem(f"column {c!r} appears twice"))
        seen.add(c)
    for c in CSV_REQUIRED:
        if c not in seen:
            found.append(problem(f"missing column {c!r}"))
    temperatures = [c for c in CSV_TEMPERATURE if c in seen]
    if len(temperatures) != 1:
        found.append(problem("needs exactly one of 'temperature_c' [°C] or 'temperature_k' [K]"))
    if "stability" not in seen:
        for c in CSV_CLOUD:
            if c not in seen:
                found.append(problem(f"missing column {c!r} (needed by Turner's method without 'stability')"))
    unknown = [c for c in columns if c not in CSV_COLUMNS and c not in ignored]
    if unknown:
        found.append(problem(
            f"unknown column(s) {', '.join(map(repr, unknown))}; expected {', '.join(CSV_COLUMNS)} "
            "(pass ignore_columns to skip extra ones)"
        ))
    return found


def _parse_time(text: str, problems: list) -> np.datetime64 | None:
    if not text:
        problems.append(("time", "missing"))
        return None
    try:
        value = _dt.datetime.fromisoformat(text)
    except ValueError:
        problems.append(("time", f"{text!r} is not an ISO 8601 time"))
        return None
    if value.utcoffset() is None:
        problems.append(("time", f"{text!r} has no UTC offset (write e.g. {text}+08:00 or {text}Z)"))
        return None
    return np.datetime64(value.astimezone(_dt.timezone.utc).replace(tzinfo=None), "s")


def _parse_number(text, column, problems, *, low=None, high=None, open_low=False, unit=""):
    if text == "":
        problems.append((column, "missing"))
        return None
    try:
        value = float(text)
    except ValueError:
        problems.append((column, f"{text!r} is not a number"))
        return None
    unit = f" {unit}" if unit else ""
    if not math.isfinite(value):
        problems.append((column, f"must be a finite number (found {text!r})"))
        return None
    if low is not None and (value <= low if open_low else value < low):
        problems.append((column, f"must be {'>' if open_low else '>='} {low:g}{unit} (found {value:g})"))
        return None
    if high is not None and value > high:
        problems.append((column, f"must be <= {high:g}{unit} (found {value:g})"))
        return None
    return value


def _parse_ceiling(text, cloud, problems):
    if text.lower() == NO_CEILING:
        return math.inf
    if text == "":
        # A ceiling only enters Turner's rules when the total cover exceeds 5/10.
        if cloud is not None and cloud <= 5.0:
            return math.inf
        if cloud is not None:
            message = f"missing; needed when cloud cover > 5/10 (use {NO_CEILING!r} for none)"
            problems.append(("ceiling_height_m", message))
        return None
    return _parse_number(text, "ceiling_height_m", problems, low=0.0, open_low=True, unit="m")


def _parse_stability(text, problems):
    letter = text.upper()
    if letter in ("G", "7"):
        return 6  # Turner's G merged into F, as for regulatory modelling (EPA-454/R-99-005 §6.4.1)
    if letter in STABILITY_CLASSES:
        return STABILITY_CLASSES.index(letter) + 1
    if letter in ("1", "2", "3", "4", "5", "6"):
        return int(letter)
    problems.append(("stability", f"{text!r} is not a class A-F or 1-6" if text else "missing"))
    return None


# ---------------------------------------------------------------------------------------------
# Weather-station readings (HJ 212 factor codes)


@dataclass(frozen=True)
class IncompleteHour:
    """An hour left out of the series, with what it lacked (factor codes or data names)."""

    time_utc: np.datetime64
    missing: tuple[str, ...]


@dataclass(frozen=True)
class StationMet:
    """Hourly met built from station readings, and the hours that could not be used.

    Attributes
    ----------
    met : HourlyMet
        The complete hours.
    incomplete_hours : tuple of IncompleteHour
        Hours in the requested span lacking a required factor (never filled in).
    ignored_codes : tuple of str
        Factor codes in the readings that are not meteorological (e.g. pollutants).
    dropped_optional : tuple of str
        Optional factors (pressure, humidity) left out of ``met`` because some kept hour lacked them.
    """

    met: HourlyMet
    incomplete_hours: tuple[IncompleteHour, ...] = field(default=())
    ignored_codes: tuple[str, ...] = field(default=())
    dropped_optional: tuple[str, ...] = field(default=())


def met_from_station_readings(
    readings: Iterable[Sequence],
    *,
    latitude: float,
    longitude: float,
    clouds: Iterable[Sequence] | None = None,
    stability: Iterable[Sequence] | None = None,
    mixing_height: Iterable[Sequence] | None = None,
    start_utc=None,
    end_utc=None,
    anemometer_height_m: float = 10.0,
    calm_threshold_m_s: float = CALM_THRESHOLD_M_S,
) -> StationMet:
    """Build hourly met from a weather station's stored hourly readings (HJ 212 factor codes).

    Parameters
    ----------
    readings : iterable of (time, code, value) or (time, code, value, flag)
        Hourly values: ``time`` the start of the hour (aware ``datetime``, ISO string with offset,
        or ``numpy.datetime64`` taken as UTC), ``code`` an HJ 212-2017 factor code, ``value`` in the
        code's unit: a01007 wind speed [m/s], a01008 wind direction [deg], a01001 temperature
        [°C], a01006 pressure [kPa], a01002 relative humidity [%]. A ``flag`` other than ``"N"``
        (HJ 212-2017 Table 8) makes the value unusable. Other codes are ignored and listed.
    latitude, longitude : float
        Station position [deg].
    clouds : iterable of (time, cloud_cover_tenths, ceiling_height_m or None), optional
        Total cloud [tenths] and ceiling [m] per hour (None = no ceiling), for Turner's method.
        A station does not measure clouds; they come from the nearest manned weather station.
    stability : iterable of (time, class), optional
        Given stability per hour (A–F or 1–6); used in preference to ``clouds`` for that hour.
    mixing_height : iterable of (time, metres), optional
        Given mixing height per hour; when omitted, the screening rule is used for every hour.
    start_utc, end_utc : time, optional
        First and last hour expected; by default the first and last hour of ``readings``.
    anemometer_height_m : float
        Height of the wind sensor [m].
    calm_threshold_m_s : float
        Calm threshold [m/s] (:func:`calm_hours`).

    Returns
    -------
    StationMet
        The complete hours as :class:`HourlyMet`, and every hour of the span that lacked a required
        factor (wind speed, wind direction, temperature, a stability class or cloud observation,
        and — when ``mixing_height`` is given — a mixing height), with what it lacked.

    Raises
    ------
    MetDataError
        Listing every malformed reading or row (unreadable time, time not on the hour, non-numeric
        or out-of-range value, a factor given twice for one hour); nothing is returned then.
    DispersionInputError
        When no hour is complete.
    """
    problems: list[MetProblem] = []
    values: dict[str, dict[np.datetime64, float]] = {code: {} for code in HJ212_MET_FACTORS}
    flagged: dict[str, dict[np.datetime64, str]] = {code: {} for code in HJ212_MET_FACTORS}
    ignored: set[str] = set()
    for i, reading in enumerate(readings):
        where = f"reading {i}"
        if len(reading) not in (3, 4):
            problems.append(MetProblem(where, "", f"expected (time, code, value[, flag]), got {len(reading)} items"))
            continue
        time, code, value = reading[0], str(reading[1]).strip(), reading[2]
        flag = HJ212_VALID_FLAG if len(reading) == 3 or reading[3] is None else str(reading[3]).strip().upper()
        if code not in HJ212_MET_FACTORS:
            ignored.add(code)
            continue
        hour = _hour(time, where, code, problems)
        number = _reading_value(value, where, code, _READING_BOUNDS[code], problems)
        if hour is None or number is None:
            continue
        if hour in values[code] or hour in flagged[code]:
            problems.append(MetProblem(where, code, f"second value for the hour {hour}Z"))
        elif flag == HJ212_VALID_FLAG:
            values[code][hour] = number
        else:
            flagged[code][hour] = flag

    given_class = _hourly_rows(stability, "stability", 2, problems, _row_class) or {}
    given_cloud = _hourly_rows(clouds, "clouds", 3, problems, _row_cloud) or {}
    given_zi = _hourly_rows(mixing_height, "mixing_height", 2, problems, _row_zi)
    first = _hour(start_utc, "start_utc", "", problems) if start_utc is not None else None
    last = _hour(end_utc, "end_utc", "", problems) if end_utc is not None else None
    if problems:
        raise MetDataError("readings", problems)

    seen = sorted(set().union(*values.values(), *flagged.values()))
    if (first is None or last is None) and not seen:
        raise DispersionInputError("readings", "no meteorological readings (a01007, a01008, a01001)")
    first = seen[0] if first is None else first
    last = seen[-1] if last is None else last
    if last < first:
        raise DispersionInputError("end_utc", f"{last}Z is before start_utc {first}Z")
    span = np.arange(first, last + np.timedelta64(1, "h"), np.timedelta64(1, "h")).astype("datetime64[s]")

    keep: list[np.datetime64] = []
    incomplete: list[IncompleteHour] = []
    for hour in span:
        lacking = []
        for code in (HJ212_WIND_SPEED, HJ212_WIND_DIRECTION, HJ212_TEMPERATURE):
            if hour in flagged[code]:
                lacking.append(f"{code} {HJ212_MET_FACTORS[code]}: flag {flagged[code][hour]}")
            elif hour not in values[code]:
                lacking.append(f"{code} {HJ212_MET_FACTORS[code]}: missing")
        if hour not in given_class and hour not in given_cloud:
            lacking.append("stability or cloud observation: missing")
        if given_zi is not None and hour not in given_zi:
            lacking.append("mixing height: missing")
        if lacking:
            incomplete.append(IncompleteHour(hour, tuple(lacking)))
        else:
            keep.append(hour)
    if not keep:
        raise DispersionInputError("readings", f"no complete hour between {first}Z and {last}Z")

    times = np.array(keep, dtype="datetime64[s]")
    speed = np.array([values[HJ212_WIND_SPEED][h] for h in keep])
    direction = np.array([values[HJ212_WIND_DIRECTION][h] for h in keep])
    temperature_k = np.array([values[HJ212_TEMPERATURE][h] for h in keep]) + KELVIN_OFFSET
    from_turner = np.array([h not in given_class for h in keep])
    klass = np.array([given_class.get(h, 0) for h in keep], dtype=np.int8)
    if np.any(from_turner):
        turner_hours = [h for h, t in zip(keep, from_turner) if t]
        cloud = np.array([given_cloud[h][0] for h in turner_hours])
        ceiling = np.array([given_cloud[h][1] for h in turner_hours])
        middle = times[from_turner] + np.timedelta64(1800, "s")  # the sun at the middle of the hour
        klass[from_turner] = turner_stability(middle, longitude, latitude, speed[from_turner], cloud, ceiling)
    methods = [m for m, used in (("given", not np.all(from_turner)), ("turner_1964", np.any(from_turner))) if used]
    if given_zi is not None:
        zi = np.array([given_zi[h] for h in keep])
        zi_method = "given"
    else:
        zi = screening_mixing_height(speed, klass)
        zi_method = "screening_320u"

    optional = {}
    dropped = []
    for code, to_si in ((HJ212_PRESSURE, 1000.0), (HJ212_HUMIDITY, 1.0)):  # kPa -> Pa; % stays %
        have = [h in values[code] for h in keep]
        if all(have):
            optional[code] = np.array([values[code][h] for h in keep]) * to_si
        elif values[code] or flagged[code]:
            dropped.append(code)
    met = HourlyMet(
        time_utc=times, wind_speed_m_s=speed, wind_from_deg=direction, temperature_k=temperature_k,
        stability=klass, mixing_height_m=zi, calm=calm_hours(speed, calm_threshold_m_s),
        anemometer_height_m=anemometer_height_m, stability_method="+".join(methods), mixing_height_method=zi_method,
        pressure_pa=optional.get(HJ212_PRESSURE), relative_humidity_pct=optional.get(HJ212_HUMIDITY),
    )
    return StationMet(met, tuple(incomplete), tuple(sorted(ignored)), tuple(dropped))


_READING_BOUNDS = {
    HJ212_WIND_SPEED: (0.0, None), HJ212_WIND_DIRECTION: (0.0, 360.0), HJ212_TEMPERATURE: TEMPERATURE_RANGE_C,
    HJ212_PRESSURE: (0.0, None), HJ212_HUMIDITY: (0.0, 100.0),
}


def _hour(time, where, column, problems) -> np.datetime64 | None:
    try:
        value = as_utc_datetime64([time], "time")[0]
    except DispersionInputError as exc:
        problems.append(MetProblem(where, column, f"time: {exc.message}"))
        return None
    if value.astype(np.int64) % 3600 != 0:
        problems.append(MetProblem(where, column, f"time {value}Z is not on the hour (hourly readings start at :00)"))
        return None
    return value


def _reading_value(value, where, column, bounds, problems) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.append(MetProblem(where, column, f"{value!r} is not a number"))
        return None
    low, high = bounds
    if not math.isfinite(number) or (low is not None and number < low) or (high is not None and number > high):
        expected = f"within {low:g}..{high:g}" if high is not None else f">= {low:g}"
        problems.append(MetProblem(where, column, f"must be a finite number {expected} (found {value!r})"))
        return None
    return number


def _hourly_rows(rows, name, width, problems, parse) -> dict | None:
    if rows is None:
        return None
    out: dict[np.datetime64, object] = {}
    for i, row in enumerate(rows):
        where = f"{name}[{i}]"
        if len(row) != width:
            problems.append(MetProblem(where, "", f"expected {width} items, got {len(row)}"))
            continue
        hour = _hour(row[0], where, "", problems)
        value = parse(row[1:], where, problems)
        if hour is None or value is None:
            continue
        if hour in out:
            problems.append(MetProblem(where, "", f"second row for the hour {hour}Z"))
            continue
        out[hour] = value
    return out


def _row_class(items, where, problems):
    found: list[tuple[str, str]] = []
    klass = _parse_stability(str(items[0]).strip(), found)
    problems.extend(MetProblem(where, c, m) for c, m in found)
    return klass


def _row_cloud(items, where, problems):
    cloud = _reading_value(items[0], where, "cloud_cover_tenths", (0.0, 10.0), problems)
    if items[1] is None:
        return None if cloud is None else (cloud, math.inf)
    ceiling = _reading_value(items[1], where, "ceiling_height_m", (0.0, None), problems)
    if ceiling is not None and ceiling <= 0:
        message = f"must be > 0 m or None for no ceiling (found {ceiling:g})"
        problems.append(MetProblem(where, "ceiling_height_m", message))
        return None
    return None if cloud is None or ceiling is None else (cloud, ceiling)


def _row_zi(items, where, problems):
    zi = _reading_value(items[0], where, "mixing_height_m", (0.0, None), problems)
    if zi is not None and zi <= 0:
        problems.append(MetProblem(where, "mixing_height_m", f"must be > 0 m (found {zi:g})"))
        return None
    return zi
