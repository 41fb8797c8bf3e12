"""`parksteward release`: one JSON object with both weathers, and bad input named."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from parksteward.cli import app


def test_release_json_has_the_given_and_the_worst_case_weather():
    result = CliRunner().invoke(app, ["release", "--chemical", "chlorine", "--rate", "2", "--duration", "600",
                                      "--wind", "3", "--direction", "270", "--stability", "D",
                                      "--receptor", "village,1500,0", "--lon", "118.8", "--lat", "32.25", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["chemical"]["cas"] == "7782-50-5"
    assert report["given"]["weather"]["stability"] == "D" and report["worst_case"]["weather"]["stability"] == "F"
    assert report["worst_case"]["weather"]["wind_speed_m_s"] == 1.5
    assert report["given"]["model"]["heavy"] and "britter_mcquaid" in report["given"]["model"]["models"]
    zones = {z["endpoint"]: z for z in report["given"]["zones"]}
    assert 0 < zones["endpoint_1"]["downwind_distance_m"] < zones["endpoint_2"]["downwind_distance_m"]
    [village] = report["given"]["receptors"]
    assert village["peak_mg_m3"] > 0 and village["arrival_time_s"] > 0
    # wind from the west: the zones lie east of the source
    for feature in report["given"]["geojson"]["features"]:
        ring = feature["geometry"]["coordinates"][0] if feature["geometry"]["type"] == "Polygon" \
            else feature["geometry"]["coordinates"][0][0]
        assert max(lon for lon, _ in ring) > 118.81


def test_bad_release_input_is_named():
    runner = CliRunner()
    unknown = runner.invoke(app, ["release", "--chemical", "unobtainium", "--rate", "1", "--duration", "600"])
    assert unknown.exit_code == 1 and "unobtainium" in unknown.output and "chlorine" in unknown.output.lower()
    negative = runner.invoke(app, ["release", "--chemical", "ammonia", "--rate", "-1", "--duration", "600"])
    assert negative.exit_code == 1 and "rate_kg_s" in negative.output
    lonely = runner.invoke(app, ["release", "--chemical", "ammonia", "--rate", "1", "--duration", "600", "--wind", "3"])
    assert lonely.exit_code == 1 and "--stability" in lonely.output
