"""Pasquill–Gifford stability class from routine surface observations, by Turner's method.

Turner (1964) estimates the net radiation at the ground from the solar altitude, the total cloud
cover and the ceiling height (a "net radiation index", NRI, from +4 on a clear summer noon to −2
on a clear night) and reads the stability class from a table of wind speed against NRI. This is
the scheme of EPA's RAMMET/PCRAMMET preprocessor for ISC3, and the one set out in EPA's
*Meteorological Monitoring Guidance for Regulatory Modeling Applications* (EPA-454/R-99-005),
§6.4.1, Tables 6-4 to 6-6.

Classes are returned as integers 1–6 (A–F). Turner's class 7 (G, extremely stable) is merged into
6 (F), as EPA does for regulatory modelling ("stability categories 6 and 7 (F and G) are combined
and considered category 6", EPA-454/R-99-005 §6.4.1) and as ISC3 expects (it has no class G).

Not implemented: RAMMET's limit on the hour-to-hour change of class, and the Chinese
GB/T 3840-91 variant of the Pasquill scheme (total/low cloud and solar altitude); both can be added
as a ``method=`` option.
"""

from __future__ import annotations

import numpy as np

from parksteward.dispersion._checks import finite, non_negative
from parksteward.dispersion.errors import DispersionInputError
from parksteward.dispersion.solar import SUNRISE_ELEVATION_DEG, as_utc_datetime64, solar_elevation

KNOT_M_S = 1852.0 / 3600.0  # 1 international knot [m/s]
FOOT_M = 0.3048  # 1 international foot [m]
CEILING_LOW_FT = 7000.0  # EPA-454/R-99-005 Table 6-6, steps 1 and 3.c(1)
CEILING_MID_FT = 16000.0  # EPA-454/R-99-005 Table 6-6, step 3.c(2)

# Upper bounds of Turner's wind-speed rows [knots]. Turner's table is in whole knots (NWS reports);
# a speed in m/s falls in a row as if rounded to the nearest knot, which reproduces the m/s column
# of EPA-454/R-99-005 Table 6-4 (0–0.7, 0.8–1.8, 1.9–2.8, 2.9–3.3, 3.4–3.8, 3.9–4.8, 4.9–5.4,
# 5.5–5.9, >= 6.0 m/s) at 0.1 m/s resolution.
WIND_ROW_UPPER_KNOTS = (1.5, 3.5, 5.5, 6.5, 7.5, 9.5, 10.5, 11.5)

# EPA-454/R-99-005 Table 6-4 (Turner 1964): class 1–7 (A–G) by wind-speed row (knots 0-1, 2-3, 4-5,
# 6, 7, 8-9, 10, 11, >= 12) and net radiation index (columns 4, 3, 2, 1, 0, -1, -2).
TURNER_TABLE = np.array(
    [
        [1, 1, 2, 3, 4, 6, 7],
        [1, 2, 2, 3, 4, 6, 7],
        [1, 2, 3, 4, 4, 5, 6],
        [2, 2, 3, 4, 4, 5, 6],
        [2, 2, 3, 4, 4, 4, 5],
        [2, 3, 3, 4, 4, 4, 5],
        [3, 3, 4, 4, 4, 4, 5],
        [3, 3, 4, 4, 4, 4, 4],
        [3, 4, 4, 4, 4, 4, 4],
    ],
    dtype=np.int8,
)
TURNER_NRI_COLUMNS = (4, 3, 2, 1, 0, -1, -2)


def insolation_class(solar_elevation_deg) -> np.ndarray:
    """Turner's insolation class number from the solar altitude.

    Parameters
    ----------
    solar_elevation_deg : float or array_like
        Solar elevation [deg].

    Returns
    -------
    numpy.ndarray
        Insolation class [-], int8: 4 strong (> 60 deg), 3 moderate (35–60), 2 slight (15–35),
        1 weak (<= 15).

    References
    ----------
    EPA-454/R-99-005, Table 6-5; Turner (1964).
    """
    elevation = finite("solar_elevation_deg", solar_elevation_deg)
    # Each bound is exclusive below, inclusive above: 60 < h -> 4; 35 < h <= 60 -> 3; 15 < h <= 35 -> 2.
    return (1 + (elevation > 15.0).astype(np.int8) + (elevation > 35.0) + (elevation > 60.0)).astype(np.int8)


def net_radiation_index(solar_elevation_deg, cloud_cover_tenths, ceiling_height_m, night) -> np.ndarray:
    """Turner's net radiation index (NRI).

    Parameters
    ----------
    solar_elevation_deg : float or array_like
        Solar elevation [deg] (used in daytime only).
    cloud_cover_tenths : float or array_like
        Total cloud cover [tenths], 0–10.
    ceiling_height_m : float or array_like
        Ceiling height (base of the lowest broken or overcast layer) [m]; ``numpy.inf`` for no
        ceiling.
    night : bool or array_like
        True from one hour before sunset to one hour after sunrise (see :func:`turner_night`).

    Returns
    -------
    numpy.ndarray
        Net radiation index [-], int8, −2 to 4.

    Notes
    -----
    EPA-454/R-99-005 Table 6-6:

    1. Total cover 10/10 and ceiling < 7000 ft: NRI = 0, day or night.
    2. Night: NRI = −2 if total cover <= 4/10, else −1.
    3. Day: start from the insolation class (Table 6-5). If total cover <= 5/10, NRI = class.
       Otherwise subtract 2 if the ceiling < 7000 ft, 1 if 7000 ft <= ceiling < 16000 ft, and a
       further 1 if the total cover is 10/10 (only reached with ceilings >= 7000 ft, since lower
       ones fall under rule 1); never below 1.

    The ceiling is compared in feet (1 ft = 0.3048 m).

    References
    ----------
    EPA (2000). *Meteorological Monitoring Guidance for Regulatory Modeling Applications*,
    EPA-454/R-99-005, §6.4.1, Table 6-6.
    Turner, D. B. (1964). A diffusion model for an urban area. *J. Appl. Meteor.* 3, 83–91.
    """
    cloud = non_negative("cloud_cover_tenths", cloud_cover_tenths, "tenths")
    if np.any(cloud > 10.0):
        raise DispersionInputError(
            "cloud_cover_tenths", f"must be within 0..10 tenths (found {float(np.max(cloud)):g})"
        )
    ceiling = np.asarray(ceiling_height_m, dtype=float)
    if np.any(np.isnan(ceiling)) or np.any(ceiling <= 0) or np.any(np.isneginf(ceiling)):
        raise DispersionInputError("ceiling_height_m", "must be > 0 m, or inf for no ceiling")
    night = np.asarray(night, dtype=bool)
    insolation = insolation_class(solar_elevation_deg)
    cloud, ceiling, night, insolation = np.broadcast_arrays(cloud, ceiling, night, insolation)
    ceiling_ft = np.round(ceiling / FOOT_M, 6)  # 2133.6 m is 7000 ft, not 6999.999999 ft
    overcast = cloud >= 10.0
    cloudy = cloud > 5.0
    low = ceiling_ft < CEILING_LOW_FT

    day = insolation.astype(np.int16)
    day = day - np.where(cloudy & low, 2, 0)  # step 3.c(1)
    day = day - np.where(cloudy & ~low & (ceiling_ft < CEILING_MID_FT), 1, 0)  # step 3.c(2)
    day = day - np.where(cloudy & overcast, 1, 0)  # step 3.c(3)
    day = np.maximum(day, 1)  # step 3.c(5)
    at_night = np.where(cloud <= 4.0, -2, -1)  # step 2
    nri = np.where(night, at_night, day)
    nri = np.where(overcast & low, 0, nri)  # step 1, day or night
    return nri.astype(np.int8)


def wind_speed_row(wind_speed_m_s) -> np.ndarray:
    """Row of Turner's table for a wind speed: 0 for 0–1 kt, ..., 8 for >= 12 kt.

    Parameters
    ----------
    wind_speed_m_s : float or array_like
        Wind speed at the anemometer [m/s], >= 0.

    Returns
    -------
    numpy.ndarray
        Row index [-], int8, 0–8.

    References
    ----------
    EPA-454/R-99-005, Table 6-4 (knot rows; 1 kt = 1852/3600 m/s).
    """
    speed_kt = non_negative("wind_speed_m_s", wind_speed_m_s, "m/s") / KNOT_M_S
    return np.searchsorted(np.asarray(WIND_ROW_UPPER_KNOTS), speed_kt, side="right").astype(np.int8)


def turner_class(wind_speed_m_s, net_radiation_index, *, merge_g_into_f: bool = True) -> np.ndarray:
    """Stability class from wind speed and net radiation index (Turner's key).

    Parameters
    ----------
    wind_speed_m_s : float or array_like
        Wind speed [m/s], >= 0.
    net_radiation_index : int or array_like
        Net radiation index [-], −2 to 4 (see :func:`net_radiation_index`).
    merge_g_into_f : bool
        Map class 7 (G) to 6 (F), the EPA/ISC3 regulatory convention (default). With False the
        raw Turner class 1–7 is returned.

    Returns
    -------
    numpy.ndarray
        Stability class [-], int8: 1–6 (A–F), or 1–7 with ``merge_g_into_f=False``.

    References
    ----------
    EPA-454/R-99-005, §6.4.1 and Table 6-4; Turner (1964).
    """
    nri = np.asarray(net_radiation_index)
    if nri.dtype.kind not in "iu" or np.any((nri < -2) | (nri > 4)):
        raise DispersionInputError("net_radiation_index", "must be an integer from -2 to 4")
    row = wind_speed_row(wind_speed_m_s)
    row, nri = np.broadcast_arrays(row, nri)
    column = 4 - nri.astype(np.int64)  # NRI 4 -> column 0, ..., NRI -2 -> column 6
    klass = TURNER_TABLE[row.astype(np.int64), column]
    if merge_g_into_f:
        klass = np.minimum(klass, 6)
    return klass.astype(np.int8)


def turner_night(time_utc, longitude, latitude) -> np.ndarray:
    """Turner's "night": from one hour before sunset to one hour after sunrise.

    Parameters
    ----------
    time_utc : array_like
        Times at which the class applies, see :func:`~parksteward.dispersion.solar.as_utc_datetime64`.
    longitude, latitude : float
        Site position [deg].

    Returns
    -------
    numpy.ndarray
        True at night [-], bool.

    Notes
    -----
    A time t is at night when the sun is below the rise/set elevation (−0.8333 deg) at t − 1 h
    (before sunrise + 1 h) or at t + 1 h (after sunset − 1 h). This needs no sunrise table and
    holds for polar day and night as well.

    References
    ----------
    EPA-454/R-99-005, Table 6-6, step 2.
    """
    times = as_utc_datetime64(time_utc)
    hour = np.timedelta64(3600, "s")
    before = solar_elevation(times - hour, longitude, latitude) <= SUNRISE_ELEVATION_DEG
    after = solar_elevation(times + hour, longitude, latitude) <= SUNRISE_ELEVATION_DEG
    return before | after


def turner_stability(
    time_utc, longitude, latitude, wind_speed_m_s, cloud_cover_tenths, ceiling_height_m
) -> np.ndarray:
    """Pasquill–Gifford class (1–6 = A–F) by Turner's method, from time, place and observations.

    Parameters
    ----------
    time_utc : array_like
        Times at which to evaluate the sun, see
        :func:`~parksteward.dispersion.solar.as_utc_datetime64` (for an hourly mean, its middle).
    longitude, latitude : float
        Site position [deg].
    wind_speed_m_s : array_like
        Wind speed [m/s].
    cloud_cover_tenths : array_like
        Total cloud cover [tenths], 0–10.
    ceiling_height_m : array_like
        Ceiling height [m]; ``numpy.inf`` for no ceiling.

    Returns
    -------
    numpy.ndarray
        Stability class [-], int8, 1–6 (Turner's G merged into F).

    References
    ----------
    EPA-454/R-99-005, §6.4.1, Tables 6-4 to 6-6; Turner (1964).
    """
    elevation = solar_elevation(time_utc, longitude, latitude)
    night = turner_night(time_utc, longitude, latitude)
    nri = net_radiation_index(elevation, cloud_cover_tenths, ceiling_height_m, night)
    return turner_class(wind_speed_m_s, nri)
