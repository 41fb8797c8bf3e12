"""HJ 2.2-2018 statistics of hourly concentrations: the numbers an EIA (环评) reports.

Input is a block of hourly concentrations ``conc_ug_m3`` shaped ``(hours, receptors)``, or
``(hours, sources, receptors)``, which is summed over sources first, with ``time_utc`` stamping
the start of each hour. NaN marks an hour without a result (missing meteorology). From it:

- the maximum 1-h value and where and when it occurs (:func:`max_hourly`);
- daily (24-h) means in the park's local calendar (:func:`daily_means`), their maximum
  (:func:`max_daily`), the annual (period) mean (:func:`annual_mean`);
- the percentile daily mean 保证率日平均质量浓度 (:func:`percentile_daily_mean`);
- exceedance counts against GB 3095-2012 (:data:`GB3095_LIMITS`, :func:`count_exceedances`,
  :func:`exceedance_counts`);
- the screening grade from Pmax and D10% (:func:`assessment_grade`, :func:`d10_distance_m`,
  :func:`assessment_range_side_m`, :func:`screening`);
- the atmospheric environmental protection distance 大气环境防护距离 (:func:`protection_distance`).

**Calms.** Calm hours (``calm``, see :mod:`parksteward.dispersion.meteorology`) contribute zero and
are averaged by EPA's calms processing (ISC3, AERMOD): a short-term (24-h) mean is the sum over the
non-calm hours divided by the number of non-calm hours or by 18 (75 % of 24), whichever is larger;
the period (annual) mean divides by the number of non-calm hours. ``calm_rule="zero"`` instead
counts calm hours as zero values in an ordinary mean.

**Valid days.** A local day is reported only when it has at least 20 hours with a result (calm
hours count, they are valid meteorology): GB 3095-2012's data-validity rule for 24-h means of SO₂,
NO₂, CO, PM10, PM2.5 and NOₓ (reference standards.md §1, marked *verify*). Other days, and the
partial first and last days of a UTC series, are NaN.

Every table here carries ``source`` and ``verified``: ``"checked"`` (matches an independent
transcription; still to be confirmed against the official text) or ``"verify"`` (recalled, not
cross-checked), after the reference standards.md.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from parksteward.dispersion.errors import DispersionInputError
from parksteward.dispersion.solar import as_utc_datetime64

CALM_RULES = ("epa", "zero")
EPA_SHORT_TERM_FRACTION = 0.75  # ISC3/AERMOD calms processing: divide by >= 75 % of the period's hours
HOURS_PER_DAY = 24


@dataclass(frozen=True)
class DataValidityRule:
    """A minimum-data rule, with where it comes from and how sure we are of it."""

    name: str
    value: int
    source: str
    verified: str


# GB 3095-2012 data validity (standards.md §1: "verify").
DAILY_MIN_VALID_HOURS = DataValidityRule(
    "24-h mean: minimum hourly values per day (SO2, NO2, CO, PM10, PM2.5, NOx)", 20,
    "GB 3095-2012 §8 data validity table", "verify",
)
ANNUAL_MIN_DAYS = DataValidityRule("annual mean: minimum daily means per year", 324, "GB 3095-2012 §8", "verify")
MONTHLY_MIN_DAYS = DataValidityRule("annual mean: minimum daily means per month", 27, "GB 3095-2012 §8", "verify")
FEBRUARY_MIN_DAYS = DataValidityRule("annual mean: minimum daily means in February", 25, "GB 3095-2012 §8", "verify")


@dataclass(frozen=True)
class AmbientLimit:
    """One GB 3095-2012 concentration limit.

    Attributes
    ----------
    pollutant : str
        ``"SO2"``, ``"NO2"``, ``"CO"``, ``"O3"``, ``"PM10"``, ``"PM2.5"``, ``"TSP"``, ``"NOx"``,
        ``"Pb"``, ``"BaP"``.
    hj212_code : str
        HJ 212-2017 factor code (join key to readings).
    averaging : str
        ``"1h"``, ``"8h"`` (O₃ daily maximum 8-h mean), ``"24h"``, ``"quarterly"``, ``"annual"``.
    zone_class : int
        1 (一类区) or 2 (二类区; industrial parks are normally class 2).
    value_ug_m3 : float
        Limit [ug/m3] (CO converted from mg/m³).
    printed : str
        The value and unit as printed in the standard.
    reference_state : str
        Conditions the value refers to (2018 amendment).
    source, verified : str
        Where the number is printed; ``"checked"`` or ``"verify"``.
    """

    pollutant: str
    hj212_code: str
    averaging: str
    zone_class: int
    value_ug_m3: float
    printed: str
    reference_state: str
    source: str
    verified: str


_GAS_STATE = "298.15 K, 1013.25 hPa (GB 3095-2012 2018 amendment; verify)"
_PM_STATE = "actual conditions (GB 3095-2012 2018 amendment; verify)"

# (pollutant, code, table, state, {averaging: (class 1, class 2)}, unit) — standards.md §1 ("checked").
_LIMIT_ROWS = (
    ("SO2", "a21026", "Table 1", _GAS_STATE, {"annual": (20, 60), "24h": (50, 150), "1h": (150, 500)}, "µg/m³"),
    ("NO2", "a21004", "Table 1", _GAS_STATE, {"annual": (40, 40), "24h": (80, 80), "1h": (200, 200)}, "µg/m³"),
    ("CO", "a21005", "Table 1", _GAS_STATE, {"24h": (4, 4), "1h": (10, 10)}, "mg/m³"),
    ("O3", "a05024", "Table 1", _GAS_STATE, {"8h": (100, 160), "1h": (160, 200)}, "µg/m³"),
    ("PM10", "a34002", "Table 1", _PM_STATE, {"annual": (40, 70), "24h": (50, 150)}, "µg/m³"),
    ("PM2.5", "a34004", "Table 1", _PM_STATE, {"annual": (15, 35), "24h": (35, 75)}, "µg/m³"),
    ("TSP", "a34001", "Table 2", _PM_STATE, {"annual": (80, 200), "24h": (120, 300)}, "µg/m³"),
    ("NOx", "a21002", "Table 2", _GAS_STATE, {"annual": (50, 50), "24h": (100, 100), "1h": (250, 250)}, "µg/m³"),
    ("Pb", "a20043", "Table 2", _PM_STATE, {"annual": (0.5, 0.5), "quarterly": (1, 1)}, "µg/m³"),
    ("BaP", "a25044", "Table 2", _PM_STATE, {"annual": (0.001, 0.001), "24h": (0.0025, 0.0025)}, "µg/m³"),
)
GB3095_LIMITS: tuple[AmbientLimit, ...] = tuple(
    AmbientLimit(
        pollutant, code, averaging, zone, float(values[zone - 1]) * (1000.0 if unit == "mg/m³" else 1.0),
        f"{values[zone - 1]:g} {unit}", state, f"GB 3095-2012 {table}", "checked",
    )
    for pollutant, code, table, state, by_averaging, unit in _LIMIT_ROWS
    for averaging, values in by_averaging.items()
    for zone in (1, 2)
)


def ambient_limit(pollutant: str, averaging: str, zone_class: int = 2) -> AmbientLimit:
    """The GB 3095-2012 limit for a pollutant, averaging time and zone class.

    Parameters
    ----------
    pollutant : str
        Name (``"SO2"``, ``"PM2.5"``, ...) or HJ 212 code (``"a21026"``).
    averaging : str
        ``"1h"``, ``"8h"``, ``"24h"``, ``"quarterly"`` or ``"annual"``.
    zone_class : int
        1 or 2.

    Returns
    -------
    AmbientLimit

    Raises
    ------
    ValueError
        Naming the valid pollutants / averaging times when there is no such limit.
    """
    for limit in GB3095_LIMITS:
        if pollutant in (limit.pollutant, limit.hj212_code) and limit.averaging == averaging:
            if limit.zone_class == zone_class:
                return limit
    names = sorted({lim.pollutant for lim in GB3095_LIMITS})
    if not any(pollutant in (lim.pollutant, lim.hj212_code) for lim in GB3095_LIMITS):
        raise ValueError(f"pollutant: no GB 3095-2012 limit for {pollutant!r}; known: {', '.join(names)}")
    if zone_class not in (1, 2):
        raise ValueError(f"zone_class: must be 1 or 2 (found {zone_class!r})")
    times = sorted({lim.averaging for lim in GB3095_LIMITS if pollutant in (lim.pollutant, lim.hj212_code)})
    raise ValueError(f"averaging: GB 3095-2012 sets no {averaging!r} limit for {pollutant}; it has {', '.join(times)}")


@dataclass(frozen=True)
class PercentileRule:
    """Which percentile of the daily values HJ 2.2-2018 reports for a pollutant."""

    pollutant: str
    averaging: str
    p: float
    source: str
    verified: str


# standards.md §11 (the whole section is "verify"): HJ 663-2013 percentiles, used by HJ 2.2-2018.
DAILY_PERCENTILES: dict[str, PercentileRule] = {
    rule.pollutant: rule
    for rule in (
        PercentileRule("SO2", "24h", 0.98, "HJ 663-2013, via HJ 2.2-2018 (保证率日平均质量浓度)", "verify"),
        PercentileRule("NO2", "24h", 0.98, "HJ 663-2013, via HJ 2.2-2018 (保证率日平均质量浓度)", "verify"),
        PercentileRule("CO", "24h", 0.95, "HJ 663-2013, via HJ 2.2-2018 (保证率日平均质量浓度)", "verify"),
        PercentileRule("PM10", "24h", 0.95, "HJ 663-2013, via HJ 2.2-2018 (保证率日平均质量浓度)", "verify"),
        PercentileRule("PM2.5", "24h", 0.95, "HJ 663-2013, via HJ 2.2-2018 (保证率日平均质量浓度)", "verify"),
        PercentileRule("O3", "8h", 0.90, "HJ 663-2013, via HJ 2.2-2018 (daily maximum 8-h mean)", "verify"),
    )
}


# ---------------------------------------------------------------------------------------------
# Input handling


def total_concentration(conc_ug_m3) -> np.ndarray:
    """Hourly concentrations as ``(hours, receptors)``, summing a sources axis if present.

    Parameters
    ----------
    conc_ug_m3 : array_like
        ``(hours, receptors)`` or ``(hours, sources, receptors)`` [ug/m3]; NaN = no result.

    Returns
    -------
    numpy.ndarray
        ``(hours, receptors)`` [ug/m3]; an hour-receptor is NaN when any source is NaN there.
    """
    conc = np.asarray(conc_ug_m3, dtype=float)
    if conc.ndim == 3:
        conc = conc.sum(axis=1)
    if conc.ndim != 2 or conc.shape[0] == 0:
        raise DispersionInputError(
            "conc_ug_m3", f"must be (hours, receptors) or (hours, sources, receptors) with hours >= 1, got {conc.shape}"
        )
    if np.any(np.isinf(conc)):
        raise DispersionInputError("conc_ug_m3", "contains infinity")
    if np.any(conc < 0):
        raise DispersionInputError("conc_ug_m3", f"must be >= 0 ug/m3 (found {float(np.nanmin(conc)):g})")
    return conc


def _calm_mask(calm, n_hours: int) -> np.ndarray:
    if calm is None:
        return np.zeros(n_hours, dtype=bool)
    mask = np.asarray(calm)
    if mask.shape != (n_hours,) or mask.dtype != bool:
        raise DispersionInputError("calm", f"must be {n_hours} booleans, one per hour")
    return mask


def _check_rule(calm_rule: str) -> None:
    if calm_rule not in CALM_RULES:
        raise ValueError(f"calm_rule: unknown rule {calm_rule!r}, expected one of {', '.join(CALM_RULES)}")


# ---------------------------------------------------------------------------------------------
# Maxima and means


@dataclass(frozen=True)
class Peak:
    """The largest value of a statistic and where it occurs.

    Attributes
    ----------
    value_ug_m3 : float
        The maximum [ug/m3].
    period_index : int
        Index of the hour (1-h) or day (24-h) along the time axis.
    receptor_index : int
        Index of the receptor.
    period_start : numpy.datetime64
        Start of that hour (UTC) or that local day (a ``datetime64[D]`` date).
    """

    value_ug_m3: float
    period_index: int
    receptor_index: int
    period_start: np.datetime64


def max_hourly(conc_ug_m3, time_utc=None, *, calm=None) -> Peak:
    """Maximum 1-h concentration, its hour and its receptor.

    Parameters
    ----------
    conc_ug_m3 : array_like
        ``(hours, receptors)`` or ``(hours, sources, receptors)`` [ug/m3].
    time_utc : array_like, optional
        Start of each hour; when omitted ``period_start`` is NaT.
    calm : array_like of bool, optional
        Calm hours; their values are ignored (they are zero by the ISC convention).

    Returns
    -------
    Peak
        The first occurrence (lowest hour, then lowest receptor) when the maximum repeats.

    References
    ----------
    HJ 2.2-2018 (maximum short-term contribution of a new source) — verify clause.
    """
    conc = total_concentration(conc_ug_m3)
    calm = _calm_mask(calm, conc.shape[0])
    usable = np.where(calm[:, None], np.nan, conc)
    if not np.any(np.isfinite(usable)):
        raise DispersionInputError("conc_ug_m3", "has no hour with a result")
    flat = int(np.nanargmax(usable))
    hour, receptor = divmod(flat, conc.shape[1])
    start = as_utc_datetime64(time_utc)[hour] if time_utc is not None else np.datetime64("NaT", "s")
    return Peak(float(usable[hour, receptor]), hour, receptor, start)


@dataclass(frozen=True, eq=False)
class DailyMeans:
    """24-h means per local calendar day.

    Attributes
    ----------
    date_local : numpy.ndarray
        Local calendar dates, ``datetime64[D]`` (days,).
    mean_ug_m3 : numpy.ndarray
        Daily means [ug/m3] (days, receptors); NaN for days with too few valid hours.
    valid_hours : numpy.ndarray
        Hours with a result, calm hours included [-] (days, receptors).
    noncalm_hours : numpy.ndarray
        Of those, the non-calm hours [-] (days, receptors).
    valid : numpy.ndarray
        ``valid_hours >= min_valid_hours`` [-], bool (days, receptors).
    min_valid_hours : int
        The rule applied [-].
    calm_rule : str
        ``"epa"`` or ``"zero"``.
    """

    date_local: np.ndarray
    mean_ug_m3: np.ndarray
    valid_hours: np.ndarray
    noncalm_hours: np.ndarray
    valid: np.ndarray
    min_valid_hours: int
    calm_rule: str


def local_dates(time_utc, tz: str | float = "Asia/Shanghai") -> np.ndarray:
    """Local calendar date of each UTC time.

    Parameters
    ----------
    time_utc : array_like
        Times (UTC).
    tz : str or float
        IANA zone name (``"Asia/Shanghai"``) or a fixed offset from UTC [h] (``8``).

    Returns
    -------
    numpy.ndarray
        ``datetime64[D]`` dates.
    """
    times = as_utc_datetime64(time_utc)
    seconds = times.astype(np.int64)
    if isinstance(tz, str):
        try:
            zone = ZoneInfo(tz)
        except Exception:  # ZoneInfoNotFoundError, ValueError for malformed keys
            raise DispersionInputError("tz", f"unknown time zone {tz!r}") from None
        # The offset at each UTC instant (not at a wall-clock time), so DST changes fall right.
        offsets = np.array(
            [_dt.datetime.fromtimestamp(int(s), zone).utcoffset().total_seconds() for s in seconds.ravel()]
        ).reshape(seconds.shape)
    else:
        hours = float(tz)
        if not (math.isfinite(hours) and -14 <= hours <= 14):
            raise DispersionInputError("tz", f"offset must be within -14..14 h (found {tz!r})")
        offsets = hours * 3600.0
    return ((seconds + offsets) // 86400).astype(np.int64).astype("datetime64[D]")


def daily_means(
    conc_ug_m3,
    time_utc,
    *,
    tz: str | float = "Asia/Shanghai",
    calm=None,
    min_valid_hours: int = DAILY_MIN_VALID_HOURS.value,
    calm_rule: str = "epa",
) -> DailyMeans:
    """24-h means over the park's local calendar days.

    Parameters
    ----------
    conc_ug_m3 : array_like
        ``(hours, receptors)`` or ``(hours, sources, receptors)`` [ug/m3]; NaN = no result.
    time_utc : array_like
        Start of each hour (UTC), strictly increasing.
    tz : str or float
        Park time zone (IANA name) or fixed UTC offset [h]; default Asia/Shanghai (UTC+8).
    calm : array_like of bool, optional
        Calm hours.
    min_valid_hours : int
        Minimum hours with a result for a valid day [-]; default 20 (GB 3095-2012, verify).
    calm_rule : str
        ``"epa"`` (default) or ``"zero"``, see Notes.

    Returns
    -------
    DailyMeans

    Notes
    -----
    An hour belongs to the local date on which it starts. With n_v valid hours and n_c non-calm
    valid hours in a day and S the sum over the non-calm hours:

    - ``"epa"``: mean = S / max(n_c, 0.75·24) — EPA calms processing (ISC3, AERMOD);
    - ``"zero"``: mean = S / n_v — calm hours counted as zeros.

    The day is NaN unless n_v >= ``min_valid_hours``.

    References
    ----------
    GB 3095-2012 §8 (data validity, 24-h mean >= 20 hourly values) — verify.
    EPA (1995). *User's Guide for the ISC3 Dispersion Models*, EPA-454/B-95-003a (calms processing).
    """
    _check_rule(calm_rule)
    conc = total_concentration(conc_ug_m3)
    times = as_utc_datetime64(time_utc)
    if times.shape != (conc.shape[0],):
        raise DispersionInputError("time_utc", f"must have one time per hour ({conc.shape[0]}), got {times.shape}")
    if np.any(np.diff(times.astype(np.int64)) <= 0):
        raise DispersionInputError("time_utc", "must be strictly increasing")
    if isinstance(min_valid_hours, bool) or int(min_valid_hours) != min_valid_hours or not 1 <= min_valid_hours <= 25:
        raise DispersionInputError("min_valid_hours", f"must be a whole number 1-25 (found {min_valid_hours!r})")
    calm = _calm_mask(calm, conc.shape[0])
    dates = local_dates(times, tz)
    starts = np.flatnonzero(np.r_[True, dates[1:] != dates[:-1]])  # increasing times: each date is one run

    present = np.isfinite(conc) | calm[:, None]
    noncalm = np.isfinite(conc) & ~calm[:, None]
    total = np.add.reduceat(np.where(noncalm, conc, 0.0), starts, axis=0)
    n_valid = np.add.reduceat(present.astype(np.int64), starts, axis=0)
    n_noncalm = np.add.reduceat(noncalm.astype(np.int64), starts, axis=0)
    if calm_rule == "epa":
        divisor = np.maximum(n_noncalm, EPA_SHORT_TERM_FRACTION * HOURS_PER_DAY)
    else:
        divisor = np.maximum(n_valid, 1)
    valid = n_valid >= int(min_valid_hours)
    mean = np.where(valid, total / divisor, np.nan)
    return DailyMeans(dates[starts], mean, n_valid, n_noncalm, valid, int(min_valid_hours), calm_rule)


def max_daily(daily: DailyMeans) -> Peak:
    """Maximum valid 24-h mean, its local date and receptor.

    Returns
    -------
    Peak
        ``period_start`` is the local date (``datetime64[D]``).
    """
    if not np.any(np.isfinite(daily.mean_ug_m3)):
        raise DispersionInputError("daily", "has no valid day")
    flat = int(np.nanargmax(daily.mean_ug_m3))
    day, receptor = divmod(flat, daily.mean_ug_m3.shape[1])
    return Peak(float(daily.mean_ug_m3[day, receptor]), day, receptor, daily.date_local[day])


def annual_mean(conc_ug_m3, *, calm=None, calm_rule: str = "epa") -> np.ndarray:
    """Period (annual) mean per receptor.

    Parameters
    ----------
    conc_ug_m3 : array_like
        ``(hours, receptors)`` or ``(hours, sources, receptors)`` [ug/m3]; NaN = no result.
    calm : array_like of bool, optional
        Calm hours.
    calm_rule : str
        ``"epa"``: sum over non-calm hours / number of non-calm hours (EPA period average);
        ``"zero"``: calm hours count as zeros.

    Returns
    -------
    numpy.ndarray
        Mean [ug/m3] (receptors,); NaN for a receptor without any usable hour.

    Notes
    -----
    This is the model's period average over hours (as AERMOD reports it). GB 3095-2012 defines
    the annual mean of monitoring data as the mean of the daily means; check the data completeness
    of a monitored year with :func:`annual_data_valid`.
    """
    _check_rule(calm_rule)
    conc = total_concentration(conc_ug_m3)
    calm = _calm_mask(calm, conc.shape[0])
    noncalm = np.isfinite(conc) & ~calm[:, None]
    total = np.where(noncalm, conc, 0.0).sum(axis=0)
    count = noncalm.sum(axis=0) if calm_rule == "epa" else (np.isfinite(conc) | calm[:, None]).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def annual_data_valid(daily: DailyMeans) -> np.ndarray:
    """GB 3095-2012 completeness of a year of daily means, per receptor (verify).

    Returns
    -------
    numpy.ndarray
        bool (receptors,): at least 324 valid days, and at least 27 in every month (25 in
        February), over the calendar months present in ``daily``.

    References
    ----------
    GB 3095-2012 §8 (data validity) — values from standards.md §1, marked verify.
    """
    valid = daily.valid
    enough_days = valid.sum(axis=0) >= ANNUAL_MIN_DAYS.value
    months = daily.date_local.astype("datetime64[M]")
    ok = enough_days.copy()
    # Every calendar month of the period counts, also one with no day at all in ``daily``.
    for month in np.arange(months.min(), months.max() + np.timedelta64(1, "M")):
        in_month = months == month
        need = FEBRUARY_MIN_DAYS.value if (month.astype(int) % 12) == 1 else MONTHLY_MIN_DAYS.value
        ok &= valid[in_month].sum(axis=0) >= need
    return ok


# ---------------------------------------------------------------------------------------------
# Percentile daily mean (保证率日平均质量浓度)


def percentile_rank(n: int, p: float) -> float:
    """HJ 663-2013 rank of the p-th percentile among n values sorted ascending (1-based).

    Notes
    -----
    m = 1 + (n − 1)·p.
    """
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise DispersionInputError("n", f"must be a whole number >= 1 (found {n!r})")
    if not 0.0 <= p <= 1.0:
        raise DispersionInputError("p", f"must be within 0..1 (found {p!r})")
    return 1.0 + (int(n) - 1) * float(p)


def percentile_daily_mean(daily_mean_ug_m3, *, pollutant: str | None = None, p: float | None = None) -> np.ndarray:
    """The p-th percentile of the valid daily means, per receptor, per HJ 663-2013.

    Parameters
    ----------
    daily_mean_ug_m3 : array_like or DailyMeans
        Daily means (days, receptors) [ug/m3]; NaN days are left out (n counts valid days only).
    pollutant : str, optional
        Take p from :data:`DAILY_PERCENTILES` (SO₂, NO₂ 0.98; CO, PM10, PM2.5 0.95; O₃ 0.90).
    p : float, optional
        The fraction, 0–1, when no pollutant is named.

    Returns
    -------
    numpy.ndarray
        Percentile daily mean [ug/m3] (receptors,); NaN for a receptor without valid days.

    Notes
    -----
    Sort the n values ascending, X(1) <= ... <= X(n); rank m = 1 + (n − 1)·p; with s = ⌊m⌋,
    value = X(s) + (m − s)·(X(s+1) − X(s)) (X(n+1) taken as X(n)). This equals numpy's default
    ("linear") percentile. Example: n = 365, p = 0.98 -> m = 358.72, between the 358th and 359th
    values.

    References
    ----------
    HJ 663-2013 (percentile statistic), used by HJ 2.2-2018 for 保证率日平均质量浓度 — verify clauses.
    """
    if (pollutant is None) == (p is None):
        raise ValueError("give exactly one of pollutant or p")
    if pollutant is not None:
        if pollutant not in DAILY_PERCENTILES:
            raise ValueError(f"pollutant: no percentile rule for {pollutant!r}; known: {', '.join(DAILY_PERCENTILES)}")
        p = DAILY_PERCENTILES[pollutant].p
    if not 0.0 <= float(p) <= 1.0:
        raise DispersionInputError("p", f"must be within 0..1 (found {p!r})")
    values = daily_mean_ug_m3.mean_ug_m3 if isinstance(daily_mean_ug_m3, DailyMeans) else daily_mean_ug_m3
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2:
        raise DispersionInputError("daily_mean_ug_m3", f"must be (days, receptors), got {values.shape}")
    ordered = np.sort(values, axis=0)  # NaN sorts last
    n = np.isfinite(values).sum(axis=0)
    m = 1.0 + (np.maximum(n, 1) - 1) * float(p)
    s = np.floor(m).astype(np.int64)  # 1-based rank of the lower neighbour
    columns = np.arange(values.shape[1])
    lower = ordered[np.clip(s - 1, 0, None), columns]
    upper = ordered[np.clip(np.minimum(s, n - 1), 0, None), columns]
    result = lower + (m - s) * (upper - lower)
    return np.where(n > 0, result, np.nan)


# ---------------------------------------------------------------------------------------------
# Exceedances


def count_exceedances(values_ug_m3, limit_ug_m3) -> np.ndarray:
    """Number of values above a limit, per receptor.

    Parameters
    ----------
    values_ug_m3 : array_like
        Concentrations (periods, receptors) or (periods,) [ug/m3] — hourly values, daily means,
        or one annual value per receptor as (1, receptors); NaN are not counted.
    limit_ug_m3 : float or AmbientLimit
        The limit [ug/m3].

    Returns
    -------
    numpy.ndarray
        Count of values strictly greater than the limit [-] (receptors,), or a 0-d count for 1-D input.

    Notes
    -----
    A value equal to the limit meets it: GB 3095-2012 limits are maxima ("不超过"), an exceedance
    (超标) is a value above the limit.
    """
    limit = limit_ug_m3.value_ug_m3 if isinstance(limit_ug_m3, AmbientLimit) else float(limit_ug_m3)
    if not (math.isfinite(limit) and limit > 0):
        raise DispersionInputError("limit_ug_m3", f"must be > 0 ug/m3 (found {limit!r})")
    values = np.asarray(values_ug_m3, dtype=float)
    with np.errstate(invalid="ignore"):
        return (values > limit).sum(axis=0)


def exceedance_counts(
    conc_ug_m3,
    time_utc,
    pollutant: str,
    *,
    zone_class: int = 2,
    tz: str | float = "Asia/Shanghai",
    calm=None,
    calm_rule: str = "epa",
) -> dict[str, np.ndarray]:
    """Exceedances of every GB 3095-2012 1-h, 24-h and annual limit of a pollutant, per receptor.

    Parameters
    ----------
    conc_ug_m3 : array_like
        ``(hours, receptors)`` or ``(hours, sources, receptors)`` [ug/m3].
    time_utc : array_like
        Start of each hour (UTC).
    pollutant : str
        GB 3095-2012 pollutant name or HJ 212 code.
    zone_class : int
        1 or 2.
    tz, calm, calm_rule
        As for :func:`daily_means`.

    Returns
    -------
    dict
        ``{"1h": hours above, "24h": valid days above, "annual": 0 or 1}`` [-], each (receptors,),
        for the averaging times the pollutant has a limit for. The O₃ 8-h limit (daily maximum of
        running 8-h means) is not evaluated here.
    """
    conc = total_concentration(conc_ug_m3)
    calm_mask = _calm_mask(calm, conc.shape[0])
    counts = {}
    for averaging in ("1h", "24h", "annual"):
        try:
            limit = ambient_limit(pollutant, averaging, zone_class)
        except ValueError:
            known = any(pollutant in (lim.pollutant, lim.hj212_code) for lim in GB3095_LIMITS)
            if not known or zone_class not in (1, 2):
                raise
            continue  # this pollutant has no limit for this averaging time
        if averaging == "1h":
            counts["1h"] = count_exceedances(np.where(calm_mask[:, None], 0.0, conc), limit)
        elif averaging == "24h":
            daily = daily_means(conc, time_utc, tz=tz, calm=calm_mask, calm_rule=calm_rule)
            counts["24h"] = count_exceedances(daily.mean_ug_m3, limit)
        else:
            counts["annual"] = count_exceedances(annual_mean(conc, calm=calm_mask, calm_rule=calm_rule)[None, :], limit)
    return counts


# ---------------------------------------------------------------------------------------------
# Screening grade (评价等级), D10% and the assessment range


GRADE_NAMES = {1: "一级", 2: "二级", 3: "三级"}
GRADE_SOURCE = "HJ 2.2-2018 §5.3 (Pmax >= 10 % 一级; 1 % <= Pmax < 10 % 二级; < 1 % 三级) — verify"
C0_MULTIPLIERS = {"1h": 1.0, "8h": 2.0, "24h": 3.0, "annual": 6.0}  # HJ 2.2-2018 §5.3 (standards.md §11, verify)
RANGE_MIN_SIDE_M = 5000.0
RANGE_MAX_SIDE_M = 50000.0

# HJ 2.2-2018 Annex D reference concentrations [ug/m3] for pollutants without a GB 3095 limit
# (standards.md §11, verify): averaging -> value.
HJ22_ANNEX_D = {
    "NH3": {"1h": 200.0}, "H2S": {"1h": 10.0}, "Cl2": {"1h": 100.0, "24h": 30.0}, "benzene": {"1h": 110.0},
    "toluene": {"1h": 200.0}, "xylene": {"1h": 200.0}, "formaldehyde": {"1h": 50.0},
    "HCl": {"1h": 50.0, "24h": 15.0}, "methanol": {"1h": 3000.0, "24h": 1000.0}, "H2SO4": {"1h": 300.0, "24h": 100.0},
    "TVOC": {"8h": 600.0},
}
HJ22_ANNEX_D_SOURCE = "HJ 2.2-2018 Annex D (standards.md §11)"
HJ22_ANNEX_D_VERIFIED = "verify"


def screening_c0_ug_m3(pollutant: str) -> float:
    """C₀ for the screening ratio Pᵢ: the 1-h class-2 limit, or 2×/3×/6× the 8-h/24-h/annual one.

    Parameters
    ----------
    pollutant : str
        A GB 3095-2012 pollutant (name or HJ 212 code) or an HJ 2.2-2018 Annex D name.

    Returns
    -------
    float
        C₀ [ug/m3].

    References
    ----------
    HJ 2.2-2018 §5.3 and Annex D (standards.md §11, verify).
    """
    for averaging in ("1h", "8h", "24h", "annual"):
        for limit in GB3095_LIMITS:
            named = pollutant in (limit.pollutant, limit.hj212_code)
            if named and limit.zone_class == 2 and limit.averaging == averaging:
                return limit.value_ug_m3 * C0_MULTIPLIERS[averaging]
        if pollutant in HJ22_ANNEX_D and averaging in HJ22_ANNEX_D[pollutant]:
            return HJ22_ANNEX_D[pollutant][averaging] * C0_MULTIPLIERS[averaging]
    known = sorted({lim.pollutant for lim in GB3095_LIMITS} | set(HJ22_ANNEX_D))
    raise ValueError(f"pollutant: no C0 for {pollutant!r}; known: {', '.join(known)} (or give c0_ug_m3)")


def max_ratio_pct(cmax_ug_m3, c0_ug_m3) -> np.ndarray:
    """Pᵢ = Cᵢ / C₀ᵢ × 100 %.

    Parameters
    ----------
    cmax_ug_m3 : float or array_like
        Maximum 1-h ground-level concentration [ug/m3].
    c0_ug_m3 : float or array_like
        Reference concentration [ug/m3].

    Returns
    -------
    numpy.ndarray
        Pᵢ [%].
    """
    c = np.asarray(cmax_ug_m3, dtype=float)
    c0 = np.asarray(c0_ug_m3, dtype=float)
    if np.any(~np.isfinite(c)) or np.any(c < 0):
        raise DispersionInputError("cmax_ug_m3", "must be finite and >= 0 ug/m3")
    if np.any(~np.isfinite(c0)) or np.any(c0 <= 0):
        raise DispersionInputError("c0_ug_m3", "must be finite and > 0 ug/m3")
    return c * 100.0 / c0  # multiply first: 50 ug/m3 of 500 gives exactly 10 %


def assessment_grade(pmax_pct) -> np.ndarray:
    """HJ 2.2-2018 atmospheric assessment grade from Pmax.

    Parameters
    ----------
    pmax_pct : float or array_like
        Largest Pᵢ over the project's pollutants [%].

    Returns
    -------
    numpy.ndarray
        Grade [-], int8: 1 (一级) for Pmax >= 10 %, 2 (二级) for 1 % <= Pmax < 10 %, 3 (三级) below 1 %.

    Notes
    -----
    The standard's special cases (upgrades for multi-source projects of energy-intensive industries
    with a report-form EIA, and others) are not applied here.

    References
    ----------
    HJ 2.2-2018 §5.3 (standards.md §11, verify).
    """
    p = np.asarray(pmax_pct, dtype=float)
    if np.any(~np.isfinite(p)) or np.any(p < 0):
        raise DispersionInputError("pmax_pct", "must be finite and >= 0 %")
    return np.where(p >= 10.0, 1, np.where(p >= 1.0, 2, 3)).astype(np.int8)


def d10_distance_m(distance_m, conc_ug_m3, c0_ug_m3) -> float:
    """D10%: the farthest distance at which the concentration reaches 10 % of C₀.

    Parameters
    ----------
    distance_m : array_like
        Downwind distances, strictly increasing [m].
    conc_ug_m3 : array_like
        Maximum 1-h concentration at each distance (over all meteorology) [ug/m3].
    c0_ug_m3 : float
        Reference concentration [ug/m3].

    Returns
    -------
    float
        D10% [m]: 0 when the concentration never reaches 0.1·C₀; ``inf`` when it still does at the
        last distance (extend the distances to find it).

    Notes
    -----
    With k the last sample at or above 0.1·C₀, the crossing between samples k and k+1 is placed by
    linear interpolation of C in x.

    References
    ----------
    HJ 2.2-2018 §5.3 (standards.md §11, verify).
    """
    x = np.asarray(distance_m, dtype=float)
    c = np.asarray(conc_ug_m3, dtype=float)
    if x.ndim != 1 or x.shape != c.shape or x.size == 0:
        raise DispersionInputError("distance_m", "must be a 1-D array matching conc_ug_m3")
    if np.any(~np.isfinite(x)) or np.any(np.diff(x) <= 0) or x[0] < 0:
        raise DispersionInputError("distance_m", "must be finite, >= 0 and strictly increasing")
    if np.any(~np.isfinite(c)) or np.any(c < 0):
        raise DispersionInputError("conc_ug_m3", "must be finite and >= 0 ug/m3")
    c0 = float(c0_ug_m3)
    if not (math.isfinite(c0) and c0 > 0):
        raise DispersionInputError("c0_ug_m3", f"must be > 0 ug/m3 (found {c0_ug_m3!r})")
    threshold = 0.1 * c0
    above = np.flatnonzero(c >= threshold)
    if above.size == 0:
        return 0.0
    k = int(above[-1])
    if k == x.size - 1:
        return math.inf
    return float(x[k] + (c[k] - threshold) / (c[k] - c[k + 1]) * (x[k + 1] - x[k]))


def assessment_range_side_m(grade: int, d10_m: float) -> float:
    """Side of the square assessment range (评价范围).

    Parameters
    ----------
    grade : int
        1, 2 or 3.
    d10_m : float
        Largest D10% over the project's pollutants [m] (used for grade 1).

    Returns
    -------
    float
        Side [m]: grade 1 → 2·D10% clamped to 5–50 km; grade 2 → 5 km; grade 3 → 0 (no range
        required).

    Notes
    -----
    The standard extends D10% outward *from the plant boundary*; the square of side 2·D10% centred
    on the plant (standards.md §11) is the same thing for a plant small against D10%. For a large
    plant add the plant's extent to the side.

    References
    ----------
    HJ 2.2-2018 §5.4 (standards.md §11, verify).
    """
    if grade not in (1, 2, 3):
        raise DispersionInputError("grade", f"must be 1, 2 or 3 (found {grade!r})")
    if grade == 3:
        return 0.0
    if grade == 2:
        return RANGE_MIN_SIDE_M
    d10 = float(d10_m)
    if math.isnan(d10) or d10 < 0:
        raise DispersionInputError("d10_m", f"must be >= 0 m (found {d10_m!r})")
    return min(max(2.0 * d10, RANGE_MIN_SIDE_M), RANGE_MAX_SIDE_M)


@dataclass(frozen=True)
class Screening:
    """Result of the HJ 2.2-2018 screening.

    Attributes
    ----------
    p_pct : dict
        Pᵢ per pollutant [%].
    pmax_pct : float
        The largest Pᵢ [%].
    controlling_pollutant : str
        The pollutant giving Pmax.
    grade : int
        1, 2 or 3.
    grade_name : str
        一级 / 二级 / 三级.
    d10_m : float
        Largest D10% over the pollutants [m] (0 when none reaches 10 %).
    range_side_m : float
        Side of the assessment range [m].
    source : str
        Where the rules come from, and their verification status.
    """

    p_pct: dict[str, float]
    pmax_pct: float
    controlling_pollutant: str
    grade: int
    grade_name: str
    d10_m: float
    range_side_m: float
    source: str = GRADE_SOURCE


def screening(
    cmax_ug_m3: Mapping[str, float],
    *,
    d10_m: Mapping[str, float] | None = None,
    c0_ug_m3: Mapping[str, float] | None = None,
) -> Screening:
    """Screening grade of a project from its pollutants' maximum 1-h concentrations.

    Parameters
    ----------
    cmax_ug_m3 : mapping
        Pollutant → maximum 1-h ground-level concentration [ug/m3] (AERSCREEN-type worst case).
    d10_m : mapping, optional
        Pollutant → D10% [m] (:func:`d10_distance_m`); missing pollutants count as 0.
    c0_ug_m3 : mapping, optional
        Pollutant → C₀ [ug/m3], overriding :func:`screening_c0_ug_m3`.

    Returns
    -------
    Screening
    """
    if not cmax_ug_m3:
        raise DispersionInputError("cmax_ug_m3", "needs at least one pollutant")
    c0_given = dict(c0_ug_m3 or {})
    p = {
        name: float(max_ratio_pct(c, c0_given[name] if name in c0_given else screening_c0_ug_m3(name)))
        for name, c in cmax_ug_m3.items()
    }
    controlling = max(p, key=p.get)
    grade = int(assessment_grade(p[controlling]))
    d10 = max([float(v) for v in (d10_m or {}).values()] + [0.0])
    side = assessment_range_side_m(grade, d10)
    return Screening(p, p[controlling], controlling, grade, GRADE_NAMES[grade], d10, side)


# ---------------------------------------------------------------------------------------------
# Atmospheric environmental protection distance (大气环境防护距离)


PROTECTION_GRID_MAX_SPACING_M = 50.0  # HJ 2.2-2018: prediction grid outside the boundary <= 50 m (verify)


@dataclass(frozen=True)
class ProtectionDistance:
    """HJ 2.2-2018 atmospheric environmental protection distance.

    Attributes
    ----------
    distance_m : float
        Farthest distance from the plant boundary to a receptor outside it whose short-term
        contribution exceeds the limit [m]; 0 when none does (no protection zone needed).
    receptor_index : int or None
        The receptor setting that distance.
    exceeding : numpy.ndarray
        Indices of all receptors outside the boundary above the limit.
    source : str
        Rule and verification status.
    """

    distance_m: float
    receptor_index: int | None
    exceeding: np.ndarray
    source: str = "HJ 2.2-2018 大气环境防护距离 (standards.md §11) — verify"


def protection_distance(
    x_m, y_m, short_term_ug_m3, limit_ug_m3, boundary_x_m, boundary_y_m, *, grid_spacing_m: float | None = None
) -> ProtectionDistance:
    """Atmospheric protection distance from short-term contributions on a grid around the plant.

    Parameters
    ----------
    x_m, y_m : array_like
        Receptor positions [m] (receptors,).
    short_term_ug_m3 : array_like
        The whole plant's maximum short-term contribution at each receptor [ug/m3] — e.g. the
        maximum 1-h value compared with the 1-h limit; run once per averaging time and pollutant
        and keep the largest distance.
    limit_ug_m3 : float or AmbientLimit
        Ambient short-term limit [ug/m3].
    boundary_x_m, boundary_y_m : array_like
        Vertices of the plant boundary polygon (厂界), in order, closed or not [m].
    grid_spacing_m : float, optional
        Spacing of the receptor grid [m]; checked against the standard's <= 50 m.

    Returns
    -------
    ProtectionDistance

    Notes
    -----
    Receptors inside the boundary (even–odd rule) are ignored. For each receptor outside with a
    contribution above the limit, the distance to the boundary is the shortest distance to any
    boundary edge (the perpendicular distance where the foot falls on the edge); the protection
    distance is the largest of these (自厂界起至超标区域的最远垂直距离). The grid must reach beyond
    the exceeding area, or the result is only a lower bound.

    References
    ----------
    HJ 2.2-2018, atmospheric environmental protection distance (standards.md §11, verify).
    """
    x = np.asarray(x_m, dtype=float)
    y = np.asarray(y_m, dtype=float)
    c = np.asarray(short_term_ug_m3, dtype=float)
    if x.ndim != 1 or x.shape != y.shape or x.shape != c.shape:
        raise DispersionInputError("x_m", "x_m, y_m and short_term_ug_m3 must be 1-D arrays of equal length")
    if np.any(~np.isfinite(x)) or np.any(~np.isfinite(y)):
        i = int(np.argmax(~(np.isfinite(x) & np.isfinite(y))))
        raise DispersionInputError(f"receptor {i}", "coordinates must be finite")
    limit = limit_ug_m3.value_ug_m3 if isinstance(limit_ug_m3, AmbientLimit) else float(limit_ug_m3)
    if not (math.isfinite(limit) and limit > 0):
        raise DispersionInputError("limit_ug_m3", f"must be > 0 ug/m3 (found {limit_ug_m3!r})")
    if grid_spacing_m is not None and not (0 < float(grid_spacing_m) <= PROTECTION_GRID_MAX_SPACING_M):
        raise DispersionInputError(
            "grid_spacing_m",
            f"must be > 0 and <= {PROTECTION_GRID_MAX_SPACING_M:g} m (HJ 2.2-2018; found {grid_spacing_m!r})",
        )
    bx = np.asarray(boundary_x_m, dtype=float)
    by = np.asarray(boundary_y_m, dtype=float)
    if bx.ndim != 1 or bx.shape != by.shape or np.any(~np.isfinite(bx)) or np.any(~np.isfinite(by)):
        raise DispersionInputError("boundary_x_m", "boundary vertices must be finite 1-D arrays of equal length")
    if bx.size > 1 and bx[0] == bx[-1] and by[0] == by[-1]:
        bx, by = bx[:-1], by[:-1]
    if bx.size < 3:
        raise DispersionInputError("boundary_x_m", "the boundary needs at least 3 distinct vertices")

    with np.errstate(invalid="ignore"):
        above = c > limit
    outside = ~_inside_polygon(x, y, bx, by)
    exceeding = np.flatnonzero(above & outside)
    if exceeding.size == 0:
        return ProtectionDistance(0.0, None, exceeding)
    distance = _distance_to_polygon(x[exceeding], y[exceeding], bx, by)
    k = int(np.argmax(distance))
    return ProtectionDistance(float(distance[k]), int(exceeding[k]), exceeding)


def _inside_polygon(x, y, bx, by) -> np.ndarray:
    """Even–odd (ray casting) test, vectorised over points and edges."""
    x1, y1 = bx[None, :], by[None, :]
    x2, y2 = np.roll(bx, -1)[None, :], np.roll(by, -1)[None, :]
    px, py = x[:, None], y[:, None]
    straddles = (y1 > py) != (y2 > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_cross = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
    crossings = straddles & (px < x_cross)
    return (crossings.sum(axis=1) % 2) == 1


def _distance_to_polygon(x, y, bx, by) -> np.ndarray:
    """Shortest distance from each point to the polygon's edges [m]."""
    x1, y1 = bx[None, :], by[None, :]
    dx, dy = (np.roll(bx, -1) - bx)[None, :], (np.roll(by, -1) - by)[None, :]
    px, py = x[:, None], y[:, None]
    length2 = dx * dx + dy * dy
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(length2 > 0, ((px - x1) * dx + (py - y1) * dy) / length2, 0.0)
    t = np.clip(t, 0.0, 1.0)  # the foot of the perpendicular, kept on the edge
    return np.hypot(px - (x1 + t * dx), py - (y1 + t * dy)).min(axis=1)
