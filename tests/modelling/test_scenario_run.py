"""Dispersion scenarios: reading them, resolving them against the registry, running, reporting."""

from __future__ import annotations

import json

import pytest
from pyproj import Geod
from typer.testing import CliRunner

from parksteward.cli import app
from parksteward.errors import InvalidInput
from parksteward.modelling import report
from parksteward.modelling.scenario import load_scenario, parse_scenario
from parksteward.modelling.service import run_scenario, write_outputs
from tests.factories import CREDIT_A, CREDIT_B, build_world

# The factories' park is the square 118.78-118.82 E, 32.23-32.27 N: its centroid is (118.80, 32.25).
CENTRE = (118.80, 32.25)


@pytest.fixture
def world(session):
    built = build_world(session)
    session.commit()
    return built


def _one_hour_csv(path, *, speed=5.0, direction=180.0, klass="D", mixing=1600.0, temperature_c=19.85):
    path.write_text("time,wind_speed_m_s,wind_from_deg,temperature_c,stability,mixing_height_m\n"
                    f"2025-06-01T04:00:00Z,{speed},{direction},{temperature_c},{klass},{mixing}\n", encoding="utf-8")


def test_reference_example_through_a_scenario(session, world, tmp_path):
    # dispersion-methods §4: no-rise stack h_s = 50 m, Q = 100 g/s, rural D, u10 = 5 m/s, z_i = 1600 m,
    # T_s = T_a = 293 K; ground-level centreline receptor 1 km downwind: C = 680.6 ug/m3.
    _one_hour_csv(tmp_path / "met.csv")
    lon, lat, _ = Geod(ellps="WGS84").fwd(*CENTRE, 0.0, 1000.0)  # 1 km due north of the stack
    scenario = parse_scenario({
        "name": "worked example", "pollutant": "SO2",
        "sources": {"registry": False, "stacks": [{
            "name": "S", "lon": CENTRE[0], "lat": CENTRE[1], "stack_height_m": 50, "diameter_m": 0.01,
            "exit_velocity_m_s": 0.01, "exit_temperature_k": 293.0, "emission_g_s": 100.0}]},
        "meteorology": {"csv": "met.csv"},
        "receptors": {"grid": None, "sensitive": False, "discrete": [{"name": "north 1 km", "lon": lon, "lat": lat}]},
    })
    outcome = run_scenario(session, scenario, base_dir=tmp_path)
    assert outcome.summary["max_1h"]["value_ug_m3"] == pytest.approx(680.6, rel=3e-4)
    assert outcome.summary["max_1h"]["receptor"] == "north 1 km"
    assert outcome.summary["max_1h"]["hour_utc"] == "2025-06-01T04:00:00Z"
    # SO2 1-h limit (GB 3095-2012 Table 1, class 2) is 500 ug/m3: one receptor's maximum is above it
    assert outcome.summary["limits"]["1h"]["value_ug_m3"] == 500.0
    assert outcome.summary["exceedances"]["1h_receptors_with_a_max_above"] == 1
    # Pmax = 680.6 / 500 = 136 % -> grade 1 (HJ 2.2-2018: Pmax >= 10 %)
    assert outcome.summary["screening"]["pmax_pct"] == pytest.approx(136.1, abs=0.1)
    assert outcome.summary["screening"]["grade"] == 1
    # D10%: the one receptor (1000 m from the stack) reaches 10 % of C0 = 50 ug/m3
    assert outcome.summary["screening"]["d10_m"] == pytest.approx(1000.0, abs=0.5)


def test_registry_run_writes_statistics_receptors_and_contours(session, world, tmp_path):
    scenario = parse_scenario({
        "name": "two stacks", "pollutant": "a21026",  # SO2 by its HJ 212 code
        "sources": {"rates_g_s": {f"{CREDIT_A}/DA001": 20.0}, "emission_g_s": 5.0},
        "meteorology": {"synthetic_year": 2025, "hours": 72},
        "receptors": {"grid": {"nx": 15, "ny": 15, "spacing_m": 400}},
        "outputs": {"contour_levels_ug_m3": [0.1, 1.0, 10.0]},
    })
    outcome = run_scenario(session, scenario, base_dir=tmp_path, tasks=2)
    summary = outcome.summary
    assert summary["stacks"] == 2 and summary["hours"] == 72
    assert summary["receptors"] == 15 * 15 + 1  # the grid and the registry's sensitive receptor
    assert [s["q_g_s"] for s in summary["top_sources_at_max_annual"]][:1] in ([20.0], [5.0])
    assert {s["source"] for s in summary["top_sources_at_max_annual"]} <= {f"{CREDIT_A}/DA001", f"{CREDIT_B}/DA001"}
    assert summary["sensitive_receptors"][0]["receptor"] == "长芦社区"
    assert summary["max_percentile_daily"]["percentile"] == 0.98  # SO2: 98th (HJ 663-2013 via HJ 2.2)
    paths = write_outputs(outcome, tmp_path / "out")
    stats = json.loads(paths["statistics"].read_text(encoding="utf-8"))
    assert stats["max_annual"]["value_ug_m3"] > 0
    lines = paths["receptors"].read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 15 * 15 + 1 and lines[0].startswith("receptor,kind,x_m,y_m,lon,lat")
    geo = json.loads(paths["contours"].read_text(encoding="utf-8"))
    assert geo["type"] == "FeatureCollection" and geo["features"]
    assert {f["properties"]["statistic"] for f in geo["features"]} >= {"max_1h", "annual"}
    for feature in geo["features"]:
        assert feature["properties"]["statistic"] in ("max_1h", "max_24h", "annual")
        assert feature["properties"]["level_ug_m3"] in (0.1, 1.0, 10.0)
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                assert ring[0] == ring[-1]  # closed rings
                assert all(118.7 < lon < 118.9 and 32.18 < lat < 32.32 for lon, lat in ring)


def test_contour_levels_default_to_fractions_of_the_limit():
    assert report.contour_levels([[1.0]], 500.0, None) == [50.0, 100.0, 250.0, 500.0]
    assert report.contour_levels([[1.0]], 500.0, [7.0, 3.0]) == [3.0, 7.0]


@pytest.mark.parametrize(("data", "named"), [
    ({"pollutant": "SO2"}, "meteorology"),
    ({"pollutant": "SO2", "meteorology": {"csv": "a.csv", "synthetic_year": 2025}}, "meteorology"),
    ({"pollutant": "SO2", "meteorology": {"station": "x"}}, "meteorology"),
    ({"pollutant": "SO2", "meteorology": {"synthetic_year": 2025}, "sources": {"stacks": [{"name": "s", "lon": 1,
      "lat": 1, "stack_height_m": -5, "diameter_m": 1, "exit_velocity_m_s": 1, "exit_temperature_k": 400,
      "emission_g_s": 1}]}}, "sources.stacks.0.stack_height_m"),
    ({"pollutant": "SO2", "meteorology": {"synthetic_year": 2025}, "colour": "red"}, "colour"),
])
def test_bad_scenarios_name_the_field(data, named):
    with pytest.raises(InvalidInput) as caught:
        parse_scenario(data)
    assert named in str(caught.value)


def test_unknown_registry_rate_is_named(session, world, tmp_path):
    scenario = parse_scenario({"pollutant": "SO2", "meteorology": {"synthetic_year": 2025, "hours": 2},
                               "sources": {"rates_g_s": {"nobody/DA009": 1.0}}})
    with pytest.raises(InvalidInput, match="sources.rates_g_s: no registry source named nobody/DA009"):
        run_scenario(session, scenario, base_dir=tmp_path)


def test_bad_yaml_file_is_refused(tmp_path):
    (tmp_path / "bad.yaml").write_text("pollutant: [SO2\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not valid YAML"):
        load_scenario(tmp_path / "bad.yaml")


def test_cli_runs_a_scenario_file(database_url, session, world, tmp_path):
    (tmp_path / "so2.yaml").write_text(
        "name: quick\npollutant: SO2\nmeteorology: {synthetic_year: 2025, hours: 24}\n"
        "receptors: {grid: {nx: 9, ny: 9, spacing_m: 500}}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["disperse", "run", str(tmp_path / "so2.yaml"), "--db", database_url])
    assert result.exit_code == 0, result.output
    assert "highest 1-h" in result.output
    assert (tmp_path / "so2" / "statistics.json").exists() and (tmp_path / "so2" / "contours.geojson").exists()


def test_station_meteorology_from_stored_hourly_data(session, world, tmp_path):
    from parksteward.access.actor import SYSTEM
    from parksteward.ingest.tables import Rollup
    from parksteward.registry import service
    from parksteward.registry.tables import WeatherStation

    point_id = session.get(WeatherStation, world.weather_station).point_id
    device = service.devices.create(session, SYSTEM, {"point_id": point_id, "mn": "MNWX0000000000000000001",
                                                      "password": "123456",
                                                      "factor_codes": ["a01007", "a01008", "a01001"]})
    start = 1748750400  # 2025-06-01T04:00:00Z
    values = {"a01007": 3.0, "a01008": 90.0, "a01001": 25.0}
    for hour in range(4):
        for code, value in values.items():
            if hour == 2 and code == "a01008":
                continue  # an hour without a wind direction is reported, not filled in
            session.add(Rollup(device_id=device.id, interval="hour", t=start + 3600 * hour, factor=code, n_valid=60,
                               n_total=60, mean=value, minimum=value, maximum=value, valid=True, flag="N"))
    session.commit()
    clouds = [[f"2025-06-01T0{4 + h}:00:00Z", 5.0, None] for h in range(4)]
    scenario = parse_scenario({
        "pollutant": "SO2",
        "meteorology": {"station": "园区气象站", "clouds": clouds, "start": "2025-06-01T04:00:00+00:00",
                        "end": "2025-06-01T07:00:00+00:00"},
        "receptors": {"grid": {"nx": 5, "ny": 5, "spacing_m": 500}},
    })
    outcome = run_scenario(session, scenario, base_dir=tmp_path)
    assert outcome.summary["hours"] == 3  # the hour without a direction is left out
    assert outcome.summary["stability"] == "turner_1964"
    assert any("1 station hours" in note for note in outcome.summary["notes"])
    # wind from the east (90 deg): the plumes go west, so receptors east of both stacks (118.79 and
    # 118.81 E) get nothing and the highest value is west of the eastern stack
    east = outcome.inputs.receptor_lon > 118.8101
    assert east.any() and (outcome.result.max_1h_ug_m3[east] == 0).all()
    assert outcome.summary["max_1h"]["lon"] < 118.81


def test_protection_distance_of_one_enterprise(session, world, tmp_path):
    from parksteward.access.actor import SYSTEM
    from parksteward.registry import service

    # enterprise A's plant: a 200 m x 220 m square around its stack (118.79 E, 32.245 N)
    footprint = {"type": "Polygon", "coordinates": [[[118.789, 32.244], [118.791, 32.244], [118.791, 32.246],
                                                     [118.789, 32.246], [118.789, 32.244]]]}
    service.enterprises.update(session, SYSTEM, world.enterprise["a"], {"footprint": footprint})
    session.commit()
    scenario = parse_scenario({
        "pollutant": "SO2", "sources": {"enterprises": [CREDIT_A], "emission_g_s": 3000.0},
        "meteorology": {"synthetic_year": 2025, "hours": 48},
        "receptors": {"grid": {"nx": 41, "ny": 41, "spacing_m": 50, "centre_lon": 118.79, "centre_lat": 32.245},
                      "sensitive": False},
    })
    summary = run_scenario(session, scenario, base_dir=tmp_path).summary
    zone = summary["protection_distance"]
    assert zone["from"] == "enterprise footprint" and zone["limit_1h_ug_m3"] == 500.0
    assert summary["max_1h"]["value_ug_m3"] > 500.0 and zone["receptors_above"] > 0
    # at most the distance from the footprint to the grid's farthest corner (1000 m half side, plant ~100 m half side)
    assert 0.0 < zone["distance_m"] <= 1000.0 * 2 ** 0.5


def test_cli_runs_on_a_dask_scheduler_with_the_same_results(database_url, session, world, tmp_path):
    distributed = pytest.importorskip("distributed")
    text = ("name: quick\npollutant: SO2\nmeteorology: {synthetic_year: 2025, hours: 30}\n"
            "receptors: {grid: {nx: 7, ny: 7, spacing_m: 600}}\n")
    (tmp_path / "here.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "there.yaml").write_text(text, encoding="utf-8")
    runner = CliRunner()
    local = runner.invoke(app, ["disperse", "run", str(tmp_path / "here.yaml"), "--db", database_url, "--tasks", "2"])
    assert local.exit_code == 0, local.output
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = runner.invoke(app, ["disperse", "run", str(tmp_path / "there.yaml"), "--db", database_url,
                                     "--tasks", "2", "--scheduler", cluster.scheduler_address])
    assert remote.exit_code == 0, remote.output
    assert (tmp_path / "here" / "receptors.csv").read_text() == (tmp_path / "there" / "receptors.csv").read_text()


def test_cli_names_an_unreachable_scheduler(database_url, tmp_path):
    (tmp_path / "s.yaml").write_text("pollutant: SO2\nmeteorology: {synthetic_year: 2025, hours: 2}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["disperse", "run", str(tmp_path / "s.yaml"), "--db", database_url,
                                      "--scheduler", "tcp://127.0.0.1:9", "--scheduler-timeout", "1"])
    assert result.exit_code == 1
    assert "cannot reach the dask scheduler at tcp://127.0.0.1:9" in result.output


def test_registry_fugitive_area_is_modelled_as_its_rectangle(session, world, tmp_path):
    # A 200 m x 100 m tank farm whose long side points to bearing 30 deg, released at 5 m, 0.5 g/s.
    from parksteward.access.actor import SYSTEM
    from parksteward.dispersion.area import area_source
    from parksteward.registry import service

    geod = Geod(ellps="WGS84")
    centre = (118.79, 32.25)
    corners = []
    for along, across in ((100, 50), (-100, 50), (-100, -50), (100, -50)):
        lon, lat, _ = geod.fwd(*centre, 30.0, along)
        lon, lat, _ = geod.fwd(lon, lat, 120.0, across)
        corners.append([lon, lat])
    service.emission_sources.create(session, SYSTEM, {
        "enterprise_id": world.enterprise["a"], "code": "MF0001", "name": "储罐区无组织排放", "kind": "fugitive_area",
        "lon": centre[0], "lat": centre[1], "area": {"type": "Polygon", "coordinates": [corners + [corners[0]]]},
        "release_height_m": 5.0})
    session.commit()
    # wind from 210 deg blows along the long side; a receptor 500 m downwind on the centreline
    _one_hour_csv(tmp_path / "met.csv", direction=210.0)
    lon, lat, _ = geod.fwd(*centre, 30.0, 500.0)
    scenario = parse_scenario({
        "pollutant": "SO2", "meteorology": {"csv": "met.csv"},
        "sources": {"enterprises": [CREDIT_A], "fugitive_areas": True,
                    "rates_g_s": {f"{CREDIT_A}/DA001": 0.0, f"{CREDIT_A}/MF0001": 0.5}},
        "receptors": {"grid": None, "sensitive": False, "discrete": [{"name": "downwind", "lon": lon, "lat": lat}]},
    })
    outcome = run_scenario(session, scenario, base_dir=tmp_path)
    row = outcome.inputs.source_rows[1]
    assert row["kind"] == "area" and row["name"] == f"{CREDIT_A}/MF0001"
    assert row["length_m"] == pytest.approx(200.0, abs=0.05) and row["width_m"] == pytest.approx(100.0, abs=0.05)
    assert row["bearing_deg"] == pytest.approx(30.0, abs=0.02)
    summary = outcome.summary
    assert summary["stacks"] == 1 and summary["area_sources"] == 1
    direct = area_source(0.5 / (200 * 100), 5.0, 200.0, 100.0, 500.0, stability="D", u10_m_s=5.0,
                         mixing_height_m=1600.0).c_ug_m3
    assert summary["max_1h"]["value_ug_m3"] == pytest.approx(float(direct), rel=1e-3)
    assert summary["top_sources_at_max_annual"][0]["kind"] == "area"
    # the discrete receptor's hours above the SO2 1-h limit, and its hourly value
    assert summary["sensitive_receptors"][0]["hours_above_1h_limit"] == int(float(direct) > 500.0)
    paths = write_outputs(outcome, tmp_path / "out")
    lines = paths["hourly"].read_text(encoding="utf-8").splitlines()
    assert lines[0] == "hour_utc,calm,downwind" and lines[1].startswith("2025-06-01T04:00:00Z,0,")
    assert float(lines[1].split(",")[2]) == pytest.approx(float(direct), rel=1e-3)


def test_scenario_area_and_volume_sources_only(session, world, tmp_path):
    _one_hour_csv(tmp_path / "met.csv", direction=0.0, klass="F", speed=2.0)  # from the north: plumes go south
    geod = Geod(ellps="WGS84")
    lon, lat, _ = geod.fwd(*CENTRE, 180.0, 800.0)
    scenario = parse_scenario({
        "pollutant": "NO2", "meteorology": {"csv": "met.csv"},
        "sources": {"registry": False,
                    "areas": [{"name": "pond", "lon": CENTRE[0], "lat": CENTRE[1], "length_m": 80, "width_m": 40,
                               "emission_g_s": 0.2}],
                    "volumes": [{"name": "bay", "lon": CENTRE[0], "lat": CENTRE[1], "release_height_m": 4,
                                 "sigma_y0_m": 3, "sigma_z0_m": 2, "emission_g_s": 0.1}]},
        "receptors": {"grid": {"nx": 5, "ny": 5, "spacing_m": 400}, "sensitive": False,
                      "discrete": [{"name": "south", "lon": lon, "lat": lat}]},
    })
    summary = run_scenario(session, scenario, base_dir=tmp_path).summary
    assert summary["stacks"] == 0 and summary["area_sources"] == 1 and summary["volume_sources"] == 1
    south = summary["sensitive_receptors"][0]
    assert south["receptor"] == "south" and south["max_1h_ug_m3"] > 0
    assert {s["kind"] for s in summary["top_sources_at_max_annual"]} <= {"area", "volume"}
