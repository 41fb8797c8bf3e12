"""A dispersion run's results as users read them: HJ 2.2-2018 statistics (JSON), receptor
values (CSV) and concentration contours (GeoJSON in WGS84)."""

from __future__ import annotations

import csv
import io
import math

import contourpy
import numpy as np

from parksteward.dispersion import statistics as stats
from parksteward.dispersion.engine import RunResult
from parksteward.modelling.inputs import RunInputs

AVERAGING = ("1h", "24h", "annual")
LIMIT_FRACTIONS = (0.1, 0.2, 0.5, 1.0)  # default contour levels, as fractions of the limit


def limits_of(pollutant: str, zone_class: int) -> dict[str, stats.AmbientLimit]:
    """The GB 3095-2012 limits of the pollutant that exist, by averaging time."""
    out = {}
    for averaging in AVERAGING:
        try:
            out[averaging] = stats.ambient_limit(pollutant, averaging, zone_class)
        except ValueError:
            continue
    return out


def pollutant_name(pollutant: str) -> str:
    """The GB 3095-2012 name of a pollutant given by name or HJ 212 code (``a21026`` -> ``SO2``)."""
    for limit in stats.GB3095_LIMITS:
        if pollutant in (limit.pollutant, limit.hj212_code):
            return limit.pollutant
    return pollutant


def percentile_daily(inputs: RunInputs, result: RunResult) -> tuple[float | None, np.ndarray | None]:
    """HJ 2.2-2018's percentile daily mean per receptor, where the pollutant has one."""
    name = pollutant_name(inputs.scenario.pollutant)
    rule = stats.DAILY_PERCENTILES.get(name)
    if rule is None or rule.averaging != "24h":
        return None, None
    return rule.p, stats.percentile_daily_mean(result.daily_mean_ug_m3, p=rule.p)


def _place(inputs: RunInputs, index: int) -> dict:
    return {"receptor": str(inputs.receptors.name[index]), "kind": str(inputs.receptors.kind[index]),
            "lon": round(float(inputs.receptor_lon[index]), 6), "lat": round(float(inputs.receptor_lat[index]), 6)}


def summary(inputs: RunInputs, result: RunResult) -> dict:
    """The statistics a report (and the console) shows, as plain JSON-ready data."""
    scenario, met = inputs.scenario, inputs.met
    limits = limits_of(scenario.pollutant, inputs.zone_class)
    out: dict = {
        "scenario": scenario.name, "park": inputs.park_name, "pollutant": scenario.pollutant,
        "zone_class": inputs.zone_class, "land": scenario.land, "timezone": inputs.timezone,
        "model": "ISC3 regulatory Gaussian plume: point, area and volume sources (flat terrain, no building "
                 "downwash), methods of SCREEN3",
        "stacks": len(inputs.stacks), "area_sources": len(inputs.fugitives.areas),
        "volume_sources": len(inputs.fugitives.volumes), "receptors": len(inputs.receptors.x_m),
        "hours": len(met), "calm_hours": int(result.calm_hours),
        "first_hour_utc": str(met.time_utc[0]) + "Z", "last_hour_utc": str(met.time_utc[-1]) + "Z",
        "stability": met.stability_method, "mixing_height": met.mixing_height_method,
        "limits": {k: {"value_ug_m3": v.value_ug_m3, "source": v.source, "verified": v.verified}
                   for k, v in limits.items()},
        "notes": list(inputs.notes),
    }
    i = int(np.argmax(result.max_1h_ug_m3))
    hour = int(result.max_1h_hour[i])
    out["max_1h"] = {"value_ug_m3": float(result.max_1h_ug_m3[i]), **_place(inputs, i),
                     "hour_utc": (str(met.time_utc[hour]) + "Z") if hour >= 0 else None}
    daily_max = result.max_24h_ug_m3  # -inf where no day has enough hours
    out["max_24h"] = None
    if np.any(np.isfinite(daily_max)):
        j = int(np.argmax(daily_max))
        day = int(np.argmax(np.nan_to_num(result.daily_mean_ug_m3[:, j], nan=-np.inf)))
        out["max_24h"] = {"value_ug_m3": float(daily_max[j]), **_place(inputs, j), "date": str(result.daily_dates[day])}
    else:
        out["notes"].append("no day has enough hours for a 24-h mean")
    k = int(np.argmax(result.annual_mean_ug_m3))
    out["max_annual"] = {"value_ug_m3": float(result.annual_mean_ug_m3[k]), **_place(inputs, k)}
    p, pct = percentile_daily(inputs, result)
    if pct is not None and np.any(np.isfinite(pct)):
        m = int(np.nanargmax(pct))
        out["max_percentile_daily"] = {"value_ug_m3": float(pct[m]), "percentile": p, **_place(inputs, m)}
    exceed = {}
    if "24h" in limits:
        days = np.nan_to_num(result.daily_mean_ug_m3, nan=-np.inf) > limits["24h"].value_ug_m3
        exceed["24h_days_max"] = int(days.sum(axis=0).max())
    if "annual" in limits:
        exceed["annual_receptors"] = int(np.sum(result.annual_mean_ug_m3 > limits["annual"].value_ug_m3))
    above = hours_above_1h(result)
    if "1h" in limits:
        exceed["1h_receptors_with_a_max_above"] = int(np.sum(result.max_1h_ug_m3 > limits["1h"].value_ug_m3))
        if above is not None:
            exceed["1h_hours_max"] = int(above.max())
    out["exceedances"] = exceed
    try:
        c0 = stats.screening_c0_ug_m3(pollutant_name(scenario.pollutant))
    except (ValueError, KeyError):
        c0 = None
    if c0 is not None:
        pmax = float(stats.max_ratio_pct(out["max_1h"]["value_ug_m3"], c0))
        d10 = d10_m(inputs, result, c0)
        grade = int(stats.assessment_grade(pmax))
        out["screening"] = {"c0_ug_m3": c0, "pmax_pct": pmax, "grade": grade, "d10_m": d10,
                            "d10_method": "farthest receptor from its nearest source whose highest 1-h value reaches "
                                          "10 % of C0 (receptor resolution)",
                            "assessment_range_side_m": float(stats.assessment_range_side_m(grade, d10))}
    protection = protection_zone(inputs, result, limits.get("1h"))
    if protection is not None:
        out["protection_distance"] = protection
    # which sources make the highest annual mean
    parts = result.source_annual_mean_ug_m3[:, k]
    order = np.argsort(parts)[::-1][:10]
    total = float(result.annual_mean_ug_m3[k]) or 1.0
    rows = inputs.source_rows
    out["top_sources_at_max_annual"] = [
        {"source": rows[s]["name"], "kind": rows[s]["kind"], "q_g_s": rows[s]["q_g_s"],
         "annual_ug_m3": float(parts[s]), "share": float(parts[s]) / total} for s in order if parts[s] > 0]
    out["sensitive_receptors"] = [
        {**_place(inputs, r), "max_1h_ug_m3": float(result.max_1h_ug_m3[r]),
         "max_24h_ug_m3": float(daily_max[r]) if np.isfinite(daily_max[r]) else None, "annual_ug_m3": float(result.annual_mean_ug_m3[r]),
         **({"percentile_daily_ug_m3": float(pct[r])} if pct is not None and np.isfinite(pct[r]) else {}),
         **({"hours_above_1h_limit": int(above[r])} if above is not None else {})}
        for r in point_receptors(inputs)]
    return out


def point_receptors(inputs: RunInputs) -> np.ndarray:
    """Indices of the receptors that are not grid nodes (sensitive and discrete ones)."""
    return np.array([r for r, kind in enumerate(inputs.receptors.kind) if not str(kind).startswith("grid")],
                    dtype=np.int64)


def hours_above_1h(result: RunResult) -> np.ndarray | None:
    """Hours above the 1-h limit per receptor, where the run counted them (its first threshold)."""
    return result.hours_above[0] if len(result.thresholds_ug_m3) else None


def source_xy(inputs: RunInputs) -> tuple[np.ndarray, np.ndarray]:
    """Every source's position (stacks, area centres, volumes) in local metres."""
    f = inputs.fugitives
    return (np.concatenate([inputs.stacks.x_m, f.areas.x_m, f.volumes.x_m]),
            np.concatenate([inputs.stacks.y_m, f.areas.y_m, f.volumes.y_m]))


def hourly_csv(inputs: RunInputs, result: RunResult) -> str:
    """The kept receptors' hourly values [ug/m3]: one row per hour (UTC), one column per receptor."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = [str(inputs.receptors.name[r]) for r in result.series_receptors]
    writer.writerow(["hour_utc", "calm", *names])
    for h, t in enumerate(inputs.met.time_utc):
        writer.writerow([str(t) + "Z", int(inputs.met.calm[h]), *(f"{v:.6g}" for v in result.series_ug_m3[h])])
    return buffer.getvalue()


def d10_m(inputs: RunInputs, result: RunResult, c0_ug_m3: float) -> float:
    """D10% over the run's receptors: the farthest distance from a receptor to its nearest source
    among the receptors whose highest 1-h value reaches 10 % of C0 (HJ 2.2-2018, standards.md §11)."""
    reached = result.max_1h_ug_m3 >= 0.1 * c0_ug_m3
    if not reached.any():
        return 0.0
    sx, sy = source_xy(inputs)
    dx = inputs.receptors.x_m[reached][:, None] - sx[None, :]
    dy = inputs.receptors.y_m[reached][:, None] - sy[None, :]
    return float(np.hypot(dx, dy).min(axis=1).max())


def protection_zone(inputs: RunInputs, result: RunResult, limit: stats.AmbientLimit | None) -> dict | None:
    """The atmospheric protection distance of the modelled plant(s), where the run allows one.

    Needs a short-term limit and a Cartesian grid of at most 50 m spacing; the boundary is the
    enterprise's footprint when the scenario models one enterprise that has one, else the park's.
    """
    grid = inputs.scenario.receptors.grid
    if limit is None or grid is None or grid.spacing_m > 50.0:
        return None
    boundary, what = inputs.boundary, "park boundary"
    if inputs.enterprise_footprint is not None:
        boundary, what = inputs.enterprise_footprint, "enterprise footprint"
    ring = np.asarray(boundary["coordinates"][0] if boundary["type"] == "Polygon" else boundary["coordinates"][0][0])
    bx, by = inputs.projection.to_local(ring[:, 0], ring[:, 1])
    zone = stats.protection_distance(inputs.receptors.x_m, inputs.receptors.y_m, result.max_1h_ug_m3,
                                     limit.value_ug_m3, np.asarray(bx), np.asarray(by), grid_spacing_m=grid.spacing_m)
    return {"distance_m": zone.distance_m, "from": what, "limit_1h_ug_m3": limit.value_ug_m3,
            "receptors_above": int(len(zone.exceeding)), "source": zone.source}


def receptor_csv(inputs: RunInputs, result: RunResult) -> str:
    """One row per receptor: where it is and its statistics [ug/m3]."""
    _, pct = percentile_daily(inputs, result)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["receptor", "kind", "x_m", "y_m", "lon", "lat", "z_flag_m", "max_1h_ug_m3", "max_24h_ug_m3",
                     "annual_ug_m3", "percentile_daily_ug_m3", "hours_above_1h_limit"])
    daily_max = result.max_24h_ug_m3
    above = hours_above_1h(result)
    r = inputs.receptors
    for i in range(len(r.x_m)):
        writer.writerow([r.name[i], r.kind[i], f"{r.x_m[i]:.1f}", f"{r.y_m[i]:.1f}", f"{inputs.receptor_lon[i]:.6f}",
                         f"{inputs.receptor_lat[i]:.6f}", f"{r.z_flag_m[i]:g}", f"{result.max_1h_ug_m3[i]:.6g}",
                         f"{daily_max[i]:.6g}" if np.isfinite(daily_max[i]) else "", f"{result.annual_mean_ug_m3[i]:.6g}",
                         "" if pct is None or not math.isfinite(pct[i]) else f"{pct[i]:.6g}",
                         "" if above is None else int(above[i])])
    return buffer.getvalue()


def contour_levels(values: np.ndarray, limit: float | None, given: list[float] | None) -> list[float]:
    """The levels asked for; else fractions of the limit; else five decades below the maximum."""
    if given:
        return sorted(given)
    if limit is not None:
        return [f * limit for f in LIMIT_FRACTIONS]
    top = float(np.nanmax(values)) if np.size(values) else 0.0
    if top <= 0:
        return []
    return [top * 10.0 ** -k for k in range(4, -1, -1)][:-1] + [top * 0.5]


def contours(inputs: RunInputs, result: RunResult) -> dict:
    """Filled-band outlines of the grid's statistics as a GeoJSON FeatureCollection (lon/lat).

    Each feature is the area where a statistic is at or above a level (a MultiPolygon with
    holes), with ``statistic``, ``level_ug_m3`` and, where there is a limit, ``fraction_of_limit``.
    """
    r = inputs.receptors
    features: list[dict] = []
    if r.grid_shape is None or r.kind[0] != "grid_cartesian":
        return {"type": "FeatureCollection", "features": features}  # only Cartesian grids are contoured
    ny, nx = r.grid_shape
    xs = r.x_m[:nx]
    ys = r.y_m[:r.grid_size:nx]
    limits = limits_of(inputs.scenario.pollutant, inputs.zone_class)
    fields = {"max_1h": (result.max_1h_ug_m3, limits.get("1h")), "annual": (result.annual_mean_ug_m3, limits.get("annual"))}
    if np.all(np.isfinite(result.max_24h_ug_m3)):
        fields["max_24h"] = (result.max_24h_ug_m3, limits.get("24h"))
    for statistic, (values, limit) in fields.items():
        grid = np.asarray(r.grid_values(values), dtype=float)
        generator = contourpy.contour_generator(xs, ys, grid, fill_type=contourpy.FillType.OuterOffset)
        for level in contour_levels(grid, limit.value_ug_m3 if limit else None, inputs.scenario.outputs.contour_levels_ug_m3):
            polygons = _filled(generator, level, inputs)
            if not polygons:
                continue
            properties = {"statistic": statistic, "level_ug_m3": level}
            if limit is not None:
                properties["fraction_of_limit"] = level / limit.value_ug_m3
            features.append({"type": "Feature", "properties": properties,
                             "geometry": {"type": "MultiPolygon", "coordinates": polygons}})
    return {"type": "FeatureCollection", "features": features}


def _filled(generator, level: float, inputs: RunInputs) -> list:
    points, offsets = generator.filled(level, np.inf)
    polygons = []
    for pts, offs in zip(points, offsets):
        rings = []
        for start, end in zip(offs[:-1], offs[1:]):
            lon, lat = inputs.projection.to_lonlat(pts[start:end, 0], pts[start:end, 1])
            rings.append([[round(float(a), 6), round(float(b), 6)] for a, b in zip(np.atleast_1d(lon), np.atleast_1d(lat))])
        if rings:
            polygons.append(rings)
    return polygons
