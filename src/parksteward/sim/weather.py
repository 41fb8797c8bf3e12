"""A year of synthetic hourly weather for the demo park (lower Yangtze, monsoon climate).

Used by the demo and the dispersion benchmark where no observed year is at hand. The series
is built to look like a real station's, because a dispersion run's statistics depend on it:

- wind direction from a seasonal mixture of prevailing sectors (winter monsoon from the north
  and north-east, summer monsoon from the south-east, shifting sea/land-breeze-like diurnal
  swings), reported in whole degrees as stations report it;
- wind speed from a Weibull distribution (shape 2) with a daytime maximum, and a few calm hours;
- temperature with a seasonal and a diurnal cycle plus persistent (AR(1)) anomalies;
- total cloud cover (tenths) and ceiling from a persistent random process;
- Pasquill-Gifford stability by Turner's method from the sun's elevation, the wind and the
  clouds (:func:`parksteward.dispersion.stability.turner_stability`), so it follows the sun;
- mixing height growing through the day with the season's insolation, for A-D hours.

Every number comes from a seeded :class:`numpy.random.Generator`: the same seed gives the same
year. Climatological figures (Nanjing: mean wind 2-3 m/s, annual mean 15.5 °C, January 2-3 °C,
July 28 °C) are round values for realism, not data.
"""

from __future__ import annotations

import numpy as np

from parksteward.dispersion.meteorology import HourlyMet, hourly_met

# (month-centre weight of the sector, its centre [deg], spread [deg]): winter NE/N, summer SE.
_WINTER_SECTORS = ((0.45, 45.0, 25.0), (0.30, 0.0, 25.0), (0.15, 90.0, 30.0), (0.10, 270.0, 40.0))
_SUMMER_SECTORS = ((0.45, 135.0, 25.0), (0.25, 180.0, 30.0), (0.15, 90.0, 30.0), (0.15, 225.0, 40.0))


def synthetic_year(year: int = 2025, *, latitude: float = 32.26, longitude: float = 118.80, seed: int = 20261128,
                   calm_fraction: float = 0.03) -> HourlyMet:
    """8,760 (or 8,784) hours of plausible weather for a park at ``latitude``, ``longitude``.

    Parameters
    ----------
    year : int
        Calendar year (UTC hours from 1 January 00:00 to 31 December 23:00).
    latitude, longitude : float
        Where the sun is computed for [deg].
    seed : int
        Seed of the random generator.
    calm_fraction : float
        Share of hours that are calm (wind speed 0) [-].

    Returns
    -------
    HourlyMet
        With stability by Turner's method and mixing heights for every non-calm hour.
    """
    rng = np.random.default_rng(seed)
    start = np.datetime64(f"{year}-01-01T00:00:00")
    end = np.datetime64(f"{year + 1}-01-01T00:00:00")
    time_utc = np.arange(start, end, np.timedelta64(1, "h")).astype("datetime64[s]")
    n = len(time_utc)
    day_of_year = (time_utc - start).astype("timedelta64[h]").astype(float) / 24.0
    local_hour = (time_utc.astype("datetime64[h]").astype(np.int64) + longitude / 15.0) % 24
    summer = 0.5 - 0.5 * np.cos(2 * np.pi * (day_of_year - 15.0) / 365.25)  # 0 mid-January, 1 mid-July
    daytime = np.clip(np.sin(np.pi * (local_hour - 6.0) / 12.0), 0.0, None)  # 0 at night, 1 at noon

    direction = _directions(rng, summer, local_hour)
    mean_speed = 2.2 + 0.4 * (1.0 - summer) + 1.0 * daytime
    speed = np.round(mean_speed * rng.weibull(2.0, n) / 0.886, 1)  # Weibull k=2, mean 0.886 of the scale
    speed = np.clip(speed, 0.5, 15.0)
    calm = rng.random(n) < calm_fraction * (1.5 - daytime)
    speed[calm] = 0.0

    anomaly = _ar1(rng, n, phi=0.97, sigma=0.6)
    temperature_c = 15.5 - 12.5 * np.cos(2 * np.pi * (day_of_year - 20.0) / 365.25) + 4.0 * np.sin(
        np.pi * (local_hour - 9.0) / 12.0) + anomaly
    cloudiness = 1.0 / (1.0 + np.exp(-_ar1(rng, n, phi=0.95, sigma=0.45)))  # persistent, in (0, 1)
    cloud_cover = np.clip(np.round(10.0 * cloudiness + 1.5 * summer - 1.0), 0, 10)
    ceiling = np.where(cloud_cover > 5, np.round(300.0 + 3000.0 * rng.random(n), -1), np.inf)

    # Convective mixing height: grows after sunrise to an afternoon maximum set by the season,
    # lower under thick cloud; a shallow mechanical layer otherwise.
    peak = 800.0 + 900.0 * summer
    growth = np.clip(np.sin(np.pi * (local_hour - 7.0) / 11.0), 0.0, None)
    mixing_height = np.maximum(150.0 + 40.0 * speed, peak * growth * (1.0 - 0.04 * cloud_cover))
    mixing_height = np.round(mixing_height, -1)

    return hourly_met(time_utc, speed, direction, temperature_c + 273.15, latitude=latitude, longitude=longitude,
                      cloud_cover_tenths=cloud_cover, ceiling_height_m=ceiling, mixing_height_m=mixing_height,
                      calm_threshold_m_s=0.0)


def _directions(rng: np.random.Generator, summer: np.ndarray, local_hour: np.ndarray) -> np.ndarray:
    """Wind-from directions in whole degrees: a seasonal sector mixture, persistent from hour to hour."""
    n = len(summer)
    weights = np.array([w for w, _, _ in _WINTER_SECTORS])[None, :] * (1.0 - summer[:, None]) + np.array(
        [w for w, _, _ in _SUMMER_SECTORS])[None, :] * summer[:, None]
    centres = np.array([c for _, c, _ in _WINTER_SECTORS])[None, :] * (1.0 - summer[:, None]) + np.array(
        [c for _, c, _ in _SUMMER_SECTORS])[None, :] * summer[:, None]
    spreads = np.array([s for _, _, s in _WINTER_SECTORS])
    # A regime (sector) lasts a day or two: draw one every 18 h on average and hold it.
    regime = np.empty(n, dtype=np.intp)
    current = 0
    for hour in range(n):
        if hour == 0 or rng.random() < 1.0 / 18.0:
            current = rng.choice(weights.shape[1], p=weights[hour] / weights[hour].sum())
        regime[hour] = current
    centre = centres[np.arange(n), regime]
    swing = 20.0 * np.sin(2 * np.pi * (local_hour - 14.0) / 24.0)  # diurnal veering
    wander = _ar1(rng, n, phi=0.8, sigma=8.0) + rng.normal(0.0, spreads[regime] * 0.3)
    return np.round(centre + swing + wander) % 360


def _ar1(rng: np.random.Generator, n: int, *, phi: float, sigma: float) -> np.ndarray:
    """A stationary AR(1) series with lag-1 correlation ``phi`` and standard deviation ``sigma``."""
    shocks = rng.normal(0.0, sigma * np.sqrt(1.0 - phi * phi), n)
    out = np.empty(n)
    value = rng.normal(0.0, sigma)
    for i in range(n):
        value = phi * value + shocks[i]
        out[i] = value
    return out
