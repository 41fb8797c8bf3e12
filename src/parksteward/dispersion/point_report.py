"""The single-stack report behind ``parksteward disperse point``: plain numbers, JSON-ready."""

from __future__ import annotations

from parksteward.dispersion import point
from parksteward.dispersion._checks import STABILITY_CLASSES
from parksteward.dispersion.errors import DispersionInputError


def point_report(*, q: float, hs: float, d: float, vs: float, ts: float, ta: float, x: list[float], stability: str,
                 land: str = "rural", zr: float = 0.0, u10: float | None = None) -> dict:
    """Concentrations at the distances ``x`` and the maximum between the smallest and largest.

    ``stability`` is a class A-F (then ``u10`` is required) or ``"full"``: SCREEN3's full
    meteorology, each distance reporting its worst case over the screening classes and wind
    speeds (with the per-class wind caps) and naming the controlling class and wind.

    Returns
    -------
    dict
        ``results``: one dict per distance, in the order given (``x_m``, ``c_ugm3``, ``he_m``,
        ``sigma_y_m``, ``sigma_z_m``, ``us_ms``, ``zi_m``, ``stability``, ``u10_ms``); ``max``:
        ``x_m``, ``c_ugm3``, ``stability``, ``u10_ms``, ``he_m``. Concentrations are 1-h means
        [ug/m3] for ``q`` [g/s].
    """
    if not x:
        raise DispersionInputError("x", "give at least one downwind distance")
    full = stability.strip().lower() == "full"
    if not full and u10 is None:
        raise DispersionInputError("u10", f"needed with --stability {stability} (only 'full' searches wind speeds)")
    stack = (q, hs, d, vs, ts, ta)
    common = dict(receptor_height_m=zr, land=land)
    if full:
        rows = point.screen_full_meteorology(*stack, x, u10_m_s=u10, **common)
        us = rows.us_m_s
    else:
        rows = point.point_source(*stack, x, stability=stability, u10_m_s=u10, **common)
        us = rows.us_m_s
    results = []
    for i, distance in enumerate(x):
        results.append({
            "x_m": float(distance), "c_ugm3": float(rows.c_ug_m3[i]), "he_m": float(rows.he_m[i]),
            "sigma_y_m": float(rows.sigma_y_m[i]), "sigma_z_m": float(rows.sigma_z_m[i]), "us_ms": float(us[i]),
            "zi_m": float(rows.zi_m[i]), "stability": _letter(rows.stability[i]), "u10_ms": float(rows.u10_m_s[i]),
        })
    top = point.max_concentration(*stack, xmin_m=min(x), xmax_m=max(x), stability=None if full else stability,
                                  u10_m_s=u10, **common)
    return {
        "results": results,
        "max": {"x_m": float(top.x_m), "c_ugm3": float(top.c_ug_m3), "stability": _letter(top.stability),
                "u10_ms": float(top.u10_m_s), "he_m": float(top.he_m)},
        "method": rows.method, "verified": bool(rows.verified),
    }


def _letter(klass) -> str:
    return STABILITY_CLASSES[int(klass) - 1]
