"""``parksteward release``: an accidental release's threat zones, given and worst-case weather."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer


def release(
    chemical: Annotated[str, typer.Option("--chemical", help="Name (中文 or English), formula or CAS number.")],
    rate: Annotated[float, typer.Option("--rate", help="Release rate into the air [kg/s].")],
    duration: Annotated[float, typer.Option("--duration", help="Release duration [s] (HJ 169: 600 with "
                                                              "emergency isolation, 1800 without).")],
    wind: Annotated[Optional[float], typer.Option("--wind", help="10 m wind speed [m/s] (default: the worst "
                                                                 "case only, 1.5).")] = None,
    direction: Annotated[float, typer.Option("--direction", help="Direction the wind blows FROM [deg].")] = 0.0,
    stability: Annotated[Optional[str], typer.Option("--stability", help="Pasquill class A-F (with --wind).")] = None,
    temperature: Annotated[float, typer.Option("--temperature", help="Air temperature [degC].")] = 25.0,
    height: Annotated[float, typer.Option("--height", help="Release height [m].")] = 0.0,
    receptor: Annotated[Optional[list[str]], typer.Option(
        "--receptor", help="NAME,X,Y: a receptor X m east and Y m north of the source (repeatable).")] = None,
    lon: Annotated[Optional[float], typer.Option("--lon", help="Source longitude: adds the zones as GeoJSON.")] = None,
    lat: Annotated[Optional[float], typer.Option("--lat", help="Source latitude.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
):
    """Threat zones (HJ 169 endpoint-1 and -2), peak and arrival time at receptors, beside the worst case (F, 1.5 m/s)."""
    from parksteward import cli as root
    from parksteward.dispersion.receptors import LocalProjection
    from parksteward.release.errors import ReleaseInputError
    from parksteward.release.report import summary
    from parksteward.release.scenario import ReleaseScenario, Weather, assess, worst_case_weather

    try:
        points = []
        for text in receptor or []:
            name, x, y = text.rsplit(",", 2)
            points.append((name, float(x), float(y)))
    except ValueError:
        root._fail(f"--receptor {text!r}: expected NAME,X,Y with X and Y in metres")
    if (wind is None) != (stability is None):
        root._fail("give --wind and --stability together (or neither, for the worst case only)")
    if (lon is None) != (lat is None):
        root._fail("give --lon and --lat together")
    try:
        scenario = ReleaseScenario(chemical, rate, duration, release_height_m=height, name=chemical)
        if wind is None:
            weather = worst_case_weather(direction)
        else:
            weather = Weather(wind, direction, stability, temperature_k=temperature + 273.15)
        result = assess(scenario, weather, points or None, worst_case=wind is not None)
    except (ReleaseInputError, ValueError) as exc:
        root._fail(str(exc))
    report = summary(result, LocalProjection(lon, lat) if lon is not None else None)
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    console = root.console
    console.print(f"{report['chemical']['name_zh']} {report['chemical']['name']} (CAS {report['chemical']['cas']}): "
                  f"{rate:g} kg/s for {duration:g} s; endpoint-1 {report['chemical']['endpoint_1_mg_m3']:g} mg/m3, "
                  f"endpoint-2 {report['chemical']['endpoint_2_mg_m3']:g} mg/m3")
    for label in ("given", "worst_case"):
        part = report[label]
        if part is None:
            continue
        w = part["weather"]
        console.print(f"[bold]{w['label']}[/]: {w['wind_speed_m_s']:g} m/s from {w['wind_from_deg']:g} deg, class "
                      f"{w['stability']}; model {', '.join(part['model']['models'])} ({part['model']['reason']})")
        for zone in part["zones"]:
            console.print(f"  {zone['endpoint']} ({zone['threshold_mg_m3']:g} mg/m3): {zone['downwind_distance_m']} m "
                          f"downwind, {zone['max_width_m']} m wide" + (" (at least: truncated)" if zone["truncated"]
                                                                       else ""))
        for r in part["receptors"]:
            console.print(f"  {r['name']}: peak {r['peak_mg_m3']} mg/m3, arrives after {r['arrival_time_s']} s")
