"""Solar position for the stability scheme: the sun's elevation from UTC time and location.

Turner's stability method (:mod:`parksteward.dispersion.stability`) needs the solar altitude of
every hour, and its night rule needs to know where sunrise and sunset fall. This module computes
the sun's declination, the equation of time and the geometric elevation with the equations of the
NOAA Solar Calculator, which are the low-accuracy solar coordinates of Meeus (*Astronomical
Algorithms*, ch. 25) and his equation of time (ch. 28). They are good to about 0.01 deg between
1900 and 2100, far finer than Turner's insolation classes (15 / 35 / 60 deg) need.

Times are UTC. Arrays of ``numpy.datetime64`` are taken as UTC by definition; Python
``datetime`` objects and ISO strings must carry a UTC offset (a naive local time is refused,
because a Chinese station's clock is usually Beijing time, eight hours off).
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

from parksteward.dispersion._checks import finite
from parksteward.dispersion.errors import DispersionInputError

JULIAN_DAY_UNIX_EPOCH = 2440587.5  # JD of 1970-01-01T00:00 UTC
JULIAN_DAY_J2000 = 2451545.0  # JD of 2000-01-01T12:00 (epoch J2000.0)
DAYS_PER_JULIAN_CENTURY = 36525.0
SUNRISE_ELEVATION_DEG = -0.8333  # geometric elevation of the sun's centre at rise/set (refraction + semi-diameter)


def as_utc_datetime64(time_utc, name: str = "time_utc") -> np.ndarray:
    """Times as a ``datetime64[s]`` array in UTC.

    Parameters
    ----------
    time_utc : array_like
        ``numpy.datetime64`` values (taken as UTC), timezone-aware ``datetime.datetime`` objects,
        or ISO 8601 strings with an offset (``2024-01-01T08:00+08:00``, ``...Z``).
    name : str
        Parameter name used in error messages.

    Returns
    -------
    numpy.ndarray
        ``datetime64[s]`` array of the same shape [s].

    Raises
    ------
    DispersionInputError
        For NaT, a naive ``datetime``/string (no offset), or anything that is not a time.
    """
    array = np.asarray(time_utc)
    if array.dtype.kind == "M":
        out = array.astype("datetime64[s]")
    else:
        flat = array.ravel()
        out = np.empty(flat.shape, dtype="datetime64[s]")
        for i, value in enumerate(flat):
            out[i] = _one_utc(value, name, i)
        out = out.reshape(array.shape)
    if np.any(np.isnat(out)):
        raise DispersionInputError(name, "contains NaT (not a time)")
    return out


def _one_utc(value, name: str, index: int) -> np.datetime64:
    if isinstance(value, np.datetime64):
        return value.astype("datetime64[s]")
    if isinstance(value, str):
        try:
            value = _dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise DispersionInputError(name, f"element {index}: {value!r} is not an ISO 8601 time") from None
    if not isinstance(value, _dt.datetime):
        raise DispersionInputError(name, f"element {index}: {value!r} is not a time")
    if value.tzinfo is None or value.utcoffset() is None:
        raise DispersionInputError(
            name, f"element {index}: {value.isoformat()} has no UTC offset (write e.g. +08:00 or Z)"
        )
    utc = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    return np.datetime64(utc, "s")


def julian_day(time_utc) -> np.ndarray:
    """Julian day number of UTC times.

    Parameters
    ----------
    time_utc : array_like
        Times, see :func:`as_utc_datetime64`.

    Returns
    -------
    numpy.ndarray
        Julian day [d].

    Notes
    -----
    JD = t / 86400 + 2440587.5, t = seconds since 1970-01-01T00:00 UTC. UTC is used in place of
    Terrestrial Time (they differ by about a minute), as the NOAA calculator does; the resulting
    error in the sun's position is below 0.001 deg.

    References
    ----------
    Meeus, J. (1998). *Astronomical Algorithms*, 2nd ed., ch. 7.
    """
    seconds = as_utc_datetime64(time_utc).astype(np.int64).astype(float)
    return seconds / 86400.0 + JULIAN_DAY_UNIX_EPOCH


def _sun(jd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Apparent declination [deg] and equation of time [min] at Julian days ``jd``."""
    t = (jd - JULIAN_DAY_J2000) / DAYS_PER_JULIAN_CENTURY  # Meeus eq. 25.1
    l0 = np.mod(280.46646 + t * (36000.76983 + 0.0003032 * t), 360.0)  # eq. 25.2, geometric mean longitude
    m = 357.52911 + t * (35999.05029 - 0.0001537 * t)  # eq. 25.3, mean anomaly
    e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t)  # eq. 25.4, orbit eccentricity
    m_rad = np.radians(m)
    c = (  # equation of the centre, Meeus ch. 25
        np.sin(m_rad) * (1.914602 - t * (0.004817 + 0.000014 * t))
        + np.sin(2 * m_rad) * (0.019993 - 0.000101 * t)
        + np.sin(3 * m_rad) * 0.000289
    )
    true_longitude = l0 + c
    omega = np.radians(125.04 - 1934.136 * t)
    apparent_longitude = np.radians(true_longitude - 0.00569 - 0.00478 * np.sin(omega))
    mean_obliquity = 23.0 + (26.0 + (21.448 - t * (46.8150 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0  # eq. 22.2
    obliquity = np.radians(mean_obliquity + 0.00256 * np.cos(omega))  # eq. 25.8, apparent obliquity
    declination = np.degrees(np.arcsin(np.sin(obliquity) * np.sin(apparent_longitude)))  # eq. 25.7
    y = np.tan(obliquity / 2.0) ** 2
    l0_rad = np.radians(l0)
    eot_rad = (  # Meeus eq. 28.3
        y * np.sin(2 * l0_rad)
        - 2 * e * np.sin(m_rad)
        + 4 * e * y * np.sin(m_rad) * np.cos(2 * l0_rad)
        - 0.5 * y * y * np.sin(4 * l0_rad)
        - 1.25 * e * e * np.sin(2 * m_rad)
    )
    return declination, 4.0 * np.degrees(eot_rad)  # 1 deg of hour angle = 4 min of time


def solar_declination(time_utc) -> np.ndarray:
    """Apparent declination of the sun.

    Parameters
    ----------
    time_utc : array_like
        Times, see :func:`as_utc_datetime64`.

    Returns
    -------
    numpy.ndarray
        Declination [deg], positive north.

    Notes
    -----
    δ = asin(sin ε · sin λ), with λ the apparent longitude and ε the apparent obliquity
    (Meeus eqs. 25.2–25.8).

    References
    ----------
    Meeus, J. (1998). *Astronomical Algorithms*, 2nd ed., ch. 25 (low accuracy).
    NOAA Global Monitoring Laboratory, Solar Calculator (spreadsheet equations after Meeus).
    """
    return _sun(julian_day(time_utc))[0]


def equation_of_time(time_utc) -> np.ndarray:
    """Equation of time: apparent minus mean solar time.

    Parameters
    ----------
    time_utc : array_like
        Times, see :func:`as_utc_datetime64`.

    Returns
    -------
    numpy.ndarray
        Equation of time [min]; positive when the sundial is ahead of the clock.

    Notes
    -----
    E = y sin 2L₀ − 2e sin M + 4ey sin M cos 2L₀ − ½y² sin 4L₀ − (5/4)e² sin 2M, y = tan²(ε/2)
    (Meeus eq. 28.3, radians; ×4·180/π for minutes).

    References
    ----------
    Meeus, J. (1998). *Astronomical Algorithms*, 2nd ed., eq. 28.3.
    """
    return _sun(julian_day(time_utc))[1]


def solar_elevation(time_utc, longitude, latitude) -> np.ndarray:
    """Geometric elevation of the sun's centre above the horizon (no refraction).

    Parameters
    ----------
    time_utc : array_like
        Times, see :func:`as_utc_datetime64`.
    longitude : float or array_like
        Longitude, east positive [deg], -180 to 180; broadcasts against ``time_utc``.
    latitude : float or array_like
        Latitude, north positive [deg], -90 to 90; broadcasts against ``time_utc``.

    Returns
    -------
    numpy.ndarray
        Solar elevation [deg], -90 to 90; negative below the horizon.

    Notes
    -----
    Hour angle H = 15·(t_UTC − 12 h) + λ + E/4 (t_UTC in hours, λ longitude, E equation of time in
    minutes); sin h = sin φ sin δ + cos φ cos δ cos H. Atmospheric refraction (up to about 0.6 deg at
    the horizon) is not added: Turner's classes do not need it, and the sunrise criterion
    (:data:`SUNRISE_ELEVATION_DEG`, -0.8333 deg) already allows for it.

    References
    ----------
    Meeus, J. (1998). *Astronomical Algorithms*, 2nd ed., chs. 13, 25, 28.
    NOAA Global Monitoring Laboratory, Solar Calculator (NOAA_Solar_Calculations_day.xls).
    """
    lon = finite("longitude", longitude)
    lat = finite("latitude", latitude)
    if np.any(np.abs(lon) > 180.0):
        raise DispersionInputError("longitude", f"must be within -180..180 deg (found {float(np.max(np.abs(lon))):g})")
    if np.any(np.abs(lat) > 90.0):
        raise DispersionInputError("latitude", f"must be within -90..90 deg (found {float(np.max(np.abs(lat))):g})")
    jd = julian_day(time_utc)
    declination, eot_min = _sun(jd)
    utc_hours = np.mod(jd - 0.5, 1.0) * 24.0  # JD days start at noon
    hour_angle = np.radians(15.0 * (utc_hours - 12.0) + lon + eot_min / 4.0)
    lat_rad = np.radians(lat)
    dec_rad = np.radians(declination)
    sin_h = np.sin(lat_rad) * np.sin(dec_rad) + np.cos(lat_rad) * np.cos(dec_rad) * np.cos(hour_angle)
    return np.degrees(np.arcsin(np.clip(sin_h, -1.0, 1.0)))
