"""An accidental-release assessment as plain JSON-ready data (the command line and the API)."""

from __future__ import annotations

import math

from parksteward.dispersion.receptors import LocalProjection
from parksteward.release.scenario import ScenarioAssessment, WeatherAssessment, threat_zones_geojson


def _number(value: float, digits: int = 4):
    return None if value is None or not math.isfinite(value) else float(f"{value:.{digits}g}")


def weather_summary(result: WeatherAssessment) -> dict:
    w = result.weather
    test = result.choice.heavy_gas_test
    return {
        "weather": {"label": w.label, "wind_speed_m_s": w.wind_speed_m_s, "wind_from_deg": w.wind_from_deg,
                    "stability": w.stability, "temperature_k": w.temperature_k},
        "model": {"models": list(result.choice.models), "reason": result.choice.reason,
                  "richardson": _number(test.richardson), "threshold": test.threshold, "heavy": test.heavy,
                  "mode": test.mode},
        "zones": [{"endpoint": z.endpoint, "threshold_mg_m3": z.threshold_mg_m3,
                   "downwind_distance_m": _number(z.downwind_distance_m), "max_width_m": _number(z.max_width_m),
                   "truncated": z.truncated, "model": z.model} for z in result.zones],
        "receptors": [{"name": r.name, "peak_mg_m3": _number(r.peak_mg_m3), "arrival_time_s": _number(r.arrival_time_s),
                       "time_of_peak_s": _number(r.time_of_peak_s), "model": r.model,
                       "exceeds_endpoint_1": r.exceeds_endpoint_1, "exceeds_endpoint_2": r.exceeds_endpoint_2}
                      for r in result.receptors],
        "notes": list(result.notes),
    }


def summary(assessment: ScenarioAssessment, projection: LocalProjection | None = None) -> dict:
    """The scenario, the chemical's endpoints, and each weather's model, zones and receptor impacts.

    With ``projection`` (the park's, or one centred on the source) the zones are added as GeoJSON.
    """
    scenario = assessment.scenario
    chem = scenario.chemical
    out = {
        "chemical": {"name": chem.name_en, "name_zh": chem.name_zh, "cas": chem.cas,
                     "endpoint_1_mg_m3": chem.endpoint_1_mg_m3, "endpoint_2_mg_m3": chem.endpoint_2_mg_m3},
        "release": {"rate_kg_s": scenario.rate_kg_s, "duration_s": scenario.duration_s,
                    "height_m": scenario.release_height_m},
        "given": weather_summary(assessment.given),
        "worst_case": weather_summary(assessment.worst_case) if assessment.worst_case is not None else None,
        "limits": "flat terrain without obstacles, no calms (wind >= 1 m/s), one constant weather for the whole "
                  "release, nothing beyond 10 km, results within about 100 m of the source indicative only",
    }
    if projection is not None:
        out["given"]["geojson"] = threat_zones_geojson(assessment.given, projection)
        if assessment.worst_case is not None:
            out["worst_case"]["geojson"] = threat_zones_geojson(assessment.worst_case, projection)
    return out
