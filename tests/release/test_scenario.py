"""Release scenarios end to end (parksteward.release.scenario): model choice, zones, receptors, GeoJSON.

These are physical-consistency and behaviour checks (HJ 169-2018 Annex G model choice, §9.1.1.4 worst case as
transcribed in dispersion-methods.md §7.2 / standards.md §8.1); the numbers inside each model are tested
against their sources in test_dense_gas.py and test_neutral.py.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from shapely.geometry import Point

from parksteward.dispersion.receptors import LocalProjection, discrete_lonlat
from parksteward.release import scenario as sc
from parksteward.release.errors import OutOfValidity, ReleaseInputError

CHLORINE = sc.ReleaseScenario("氯气", rate_kg_s=2.0, duration_s=600.0)  # flashing liquefied chlorine, vapour at T_b
D3 = sc.Weather(wind_speed_m_s=3.0, wind_from_deg=270.0, stability="D")  # from the west: the cloud goes east


@pytest.fixture(scope="module")
def chlorine_run():
    return sc.assess(CHLORINE, D3, [("village", 2000.0, 0.0), ("farm", 1500.0, 400.0), ("upwind", -500.0, 0.0)])


def test_worst_case_weather_is_hj169s():
    # HJ 169-2018 §9.1.1.4: F, 1.5 m/s, 25 degC, 50 % RH
    w = sc.worst_case_weather(45.0)
    assert (w.stability, w.wind_speed_m_s, w.temperature_k, w.relative_humidity_pct) == ("F", 1.5, 298.15, 50.0)
    assert w.wind_from_deg == 45.0 and w.label == "worst_case_hj169"


def test_chlorine_flash_release_is_dense(chlorine_run):
    given = chlorine_run.given
    # chlorine vapour at T_b = 239.11 K: 3.614 kg/m3 against 1.184 kg/m3 of air
    assert given.release.density_kg_m3 == pytest.approx(3.61383, rel=1e-5)
    assert given.choice.heavy_gas_test.heavy
    assert given.choice.models == ("britter_mcquaid",)
    assert "heavy gas" in given.choice.reason
    # the dense curves end a few hundred metres out; the hand-off is said, not silent
    assert any("virtual source" in note for note in given.notes)
    assert given.zone("endpoint_2").model == "britter_mcquaid+gaussian_virtual_source"
    assert chlorine_run.worst_case.choice.models == ("britter_mcquaid",)


def test_small_methanol_evaporation_is_passive():
    # a 20 m2 pool (r = 2.523 m) evaporating 8.8 g/s: saturated vapour-air mixture, y = 16 938 / 101 325 = 0.16717,
    # rho = 101325 (0.16717 * 0.032042 + 0.83283 * 0.028965) / (8.314462618 * 298.15) = 1.204942 kg/m3
    scenario = sc.ReleaseScenario("甲醇", rate_kg_s=0.0088, duration_s=1800.0, source_diameter_m=5.05)
    run = sc.assess_weather(scenario, sc.Weather(2.0, 0.0, "D"))
    assert run.release.mole_fraction == pytest.approx(0.16717, rel=1e-4)
    assert run.release.density_kg_m3 == pytest.approx(1.204942, rel=1e-5)
    assert not run.choice.heavy_gas_test.heavy
    assert run.choice.models == ("gaussian",)


def test_near_the_threshold_both_models_run_and_the_larger_is_kept():
    scenario = sc.ReleaseScenario("methanol", rate_kg_s=0.0088, duration_s=1800.0, source_diameter_m=1.0)
    run = sc.assess_weather(scenario, sc.Weather(2.0, 0.0, "D"), [("gate", 0.0, -30.0)])
    assert run.choice.heavy_gas_test.near_threshold
    assert run.choice.models == ("britter_mcquaid", "gaussian")
    assert "both models" in run.choice.reason
    assert "+" in run.zone("endpoint_2").model or run.zone("endpoint_2").empty


def test_ammonia_vapour_is_lighter_than_air():
    run = sc.assess_weather(sc.ReleaseScenario("ammonia", rate_kg_s=1.0, duration_s=600.0), D3)
    assert run.release.density_kg_m3 < run.release.air_density_kg_m3
    assert run.choice.models == ("gaussian",)


def test_weak_density_contrast_below_the_workbook_range_goes_passive_with_a_reason():
    # heavy by HJ's Ri (tiny D_rel) but alpha = 0.2 log10(g0'^2 q0 / u^5) < -1: the workbook itself says passive
    scenario = sc.ReleaseScenario("methanol", rate_kg_s=0.0002, duration_s=600.0, source_diameter_m=1e-4)
    run = sc.assess_weather(scenario, sc.Weather(5.0, 0.0, "D"))
    assert run.choice.heavy_gas_test.heavy
    assert run.choice.models == ("gaussian",)
    assert "alpha" in run.choice.reason and "passive" in run.choice.reason


def test_zones_are_nested_and_ordered(chlorine_run):
    for run in (chlorine_run.given, chlorine_run.worst_case):
        z1, z2 = run.zone("endpoint_1"), run.zone("endpoint_2")
        assert not z1.empty and not z2.empty
        assert z1.downwind_distance_m < z2.downwind_distance_m
        assert z1.max_width_m <= z2.max_width_m
        assert z2.geometry.buffer(1.0).contains(z1.geometry)
    # F at 1.5 m/s reaches further than D at 3 m/s
    assert chlorine_run.worst_case.zone("endpoint_1").downwind_distance_m > chlorine_run.given.zone("endpoint_1").downwind_distance_m


def test_centreline_peak_decreases_and_meets_the_endpoint_at_the_reach(chlorine_run):
    run = chlorine_run.given
    d, p = run.distances_m, run.peak_mg_m3
    down = d > 0
    assert np.all(np.diff(p[down]) <= 1e-9 * p[down][:-1])
    for zone in run.zones:
        at_reach = math.exp(np.interp(math.log(zone.downwind_distance_m), np.log(d[down]), np.log(p[down])))
        assert at_reach == pytest.approx(zone.threshold_mg_m3, rel=0.01)


def test_zone_points_east_for_a_west_wind_and_south_for_a_north_wind():
    z = sc.assess_weather(CHLORINE, D3).zone("endpoint_1")
    minx, miny, maxx, maxy = z.geometry.bounds
    assert maxx == pytest.approx(z.downwind_distance_m, rel=1e-6)
    assert minx > -10.0 and abs(maxy + miny) < 1e-6 * maxx
    north = sc.assess_weather(CHLORINE, sc.Weather(3.0, 0.0, "D")).zone("endpoint_1")
    minx, miny, maxx, maxy = north.geometry.bounds
    assert miny == pytest.approx(-z.downwind_distance_m, rel=1e-6)
    assert maxy < 10.0
    assert north.area_m2 == pytest.approx(z.area_m2, rel=1e-9)


def test_receptors_agree_with_the_zones(chlorine_run):
    for run in (chlorine_run.given, chlorine_run.worst_case):
        z1, z2 = run.zone("endpoint_1"), run.zone("endpoint_2")
        for r in run.receptors:
            inside1 = z1.geometry.contains(Point(r.x_m, r.y_m))
            inside2 = z2.geometry.contains(Point(r.x_m, r.y_m))
            assert r.exceeds_endpoint_1 == inside1, (run.weather.label, r)
            assert r.exceeds_endpoint_2 == inside2, (run.weather.label, r)
    upwind = chlorine_run.given.receptors[2]
    assert upwind.peak_mg_m3 == 0.0 and math.isnan(upwind.arrival_time_s) and upwind.model == "none"
    village = chlorine_run.worst_case.receptors[0]
    # 2 km at 1.5 m/s: the cloud needs about 2000 / 1.5 = 1333 s to get there; the peak comes later
    assert village.model == "gaussian_virtual_source"
    assert 900.0 < village.arrival_time_s < village.time_of_peak_s
    assert village.time_of_peak_s == pytest.approx(2000.0 / 1.5 + 300.0, rel=1e-9)  # x/u + T_d/2


def test_dense_receptor_near_the_source():
    run = sc.assess_weather(CHLORINE, D3, [("fence", 60.0, 0.0)])
    fence = run.receptors[0]
    assert fence.model == "britter_mcquaid"
    assert fence.arrival_time_s == pytest.approx(60.0 / 3.0)  # the front moves with the 10 m wind at most
    assert fence.exceeds_endpoint_1


def test_geojson_in_wgs84():
    projection = LocalProjection(118.80, 32.05)
    receptors = discrete_lonlat([("school", 118.81, 32.05)], projection)  # about 945 m east of the origin
    assessment = sc.assess(CHLORINE, D3, receptors)
    assert assessment.given.receptors[0].x_m == pytest.approx(944.5, abs=2.0)
    collection = sc.threat_zones_geojson(assessment, projection)
    json.dumps(collection)  # plain JSON types
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 4  # two endpoints, given and worst-case weather
    feature = collection["features"][0]
    assert feature["properties"]["endpoint"] == "endpoint_1" and feature["properties"]["weather"] == "given"
    assert feature["geometry"]["type"] == "Polygon"
    ring = np.array(feature["geometry"]["coordinates"][0])
    assert np.allclose(ring[0], ring[-1])
    # lon east of the source (the cloud goes east), lat within a few hundred metres of 32.05
    assert ring[:, 0].max() > 118.80 and abs(ring[:, 1].mean() - 32.05) < 0.01
    reach_deg = feature["properties"]["downwind_distance_m"] / (111_320 * math.cos(math.radians(32.05)))
    assert ring[:, 0].max() - 118.80 == pytest.approx(reach_deg, rel=0.01)


def test_source_position_moves_the_zone():
    moved = sc.ReleaseScenario("chlorine", rate_kg_s=2.0, duration_s=600.0, source_x_m=500.0, source_y_m=-200.0)
    a = sc.assess_weather(CHLORINE, D3).zone("endpoint_1").geometry
    b = sc.assess_weather(moved, D3).zone("endpoint_1").geometry
    assert b.centroid.x - a.centroid.x == pytest.approx(500.0, abs=1e-6)
    assert b.centroid.y - a.centroid.y == pytest.approx(-200.0, abs=1e-6)


def test_elevated_dense_release_is_treated_at_ground_level_throughout():
    # a short (puff-like) elevated chlorine release: Britter-McQuaid at ground level, then a ground-level passive
    # continuation; the centreline stays monotone and each zone is one piece
    scenario = sc.ReleaseScenario("chlorine", rate_kg_s=20.0, duration_s=30.0, release_height_m=5.0)
    run = sc.assess_weather(scenario, sc.Weather(1.5, 0.0, "F"), [("near", 0.0, -300.0)])
    assert any("treated as at ground level" in note for note in run.notes)
    down = run.distances_m > 0
    assert np.all(np.diff(run.peak_mg_m3[down]) <= 1e-9 * run.peak_mg_m3[down][:-1])
    assert all(zone.geometry.geom_type == "Polygon" for zone in run.zones)
    # u T_d / x = 1.5 * 30 / 300 = 0.15 <= 0.6: the puff regime, whose edge reaches 300 m before 300 / (0.4 * 1.5) = 500 s
    near = run.receptors[0]
    assert near.model == "britter_mcquaid" and near.arrival_time_s < 500.0


def test_far_reaching_zone_is_flagged_truncated(chlorine_run):
    zone = chlorine_run.worst_case.zone("endpoint_2")
    assert zone.truncated and zone.downwind_distance_m == pytest.approx(sc.MAX_DISTANCE_M)
    assert any("10 km" in note for note in chlorine_run.worst_case.notes)


def test_too_dense_for_the_correlations_is_refused_not_replaced():
    # 3000 kg/s of chlorine in a 1 m/s wind: alpha > 1 for the plume and the puff
    huge = sc.ReleaseScenario("chlorine", rate_kg_s=3000.0, duration_s=600.0)
    with pytest.raises(OutOfValidity) as info:
        sc.assess_weather(huge, sc.Weather(1.0, 0.0, "F"))
    assert info.value.parameter == "alpha"


@pytest.mark.parametrize(
    ("make", "parameter"),
    [
        (lambda: sc.ReleaseScenario("unobtainium", rate_kg_s=1.0, duration_s=60.0), "chemical"),
        (lambda: sc.ReleaseScenario("chlorine", rate_kg_s=0.0, duration_s=60.0), "rate_kg_s"),
        (lambda: sc.ReleaseScenario("chlorine", rate_kg_s=-1.0, duration_s=60.0), "rate_kg_s"),
        (lambda: sc.ReleaseScenario("chlorine", rate_kg_s=1.0, duration_s=0.0), "duration_s"),
        (lambda: sc.ReleaseScenario("chlorine", rate_kg_s=1.0, duration_s=60.0, release_height_m=-2.0), "release_height_m"),
        (lambda: sc.ReleaseScenario("chlorine", rate_kg_s=1.0, duration_s=60.0, sigma_method="pg"), "sigma_method"),
        (lambda: sc.Weather(3.0, 90.0, "G"), "stability"),
        (lambda: sc.Weather(0.5, 90.0, "D"), "wind_speed_m_s"),
        (lambda: sc.Weather(3.0, 400.0, "D"), "wind_from_deg"),
        (lambda: sc.Weather(3.0, 90.0, "D", temperature_k=25.0), "temperature_k"),
    ],
)
def test_bad_input_names_the_parameter(make, parameter):
    with pytest.raises(ReleaseInputError) as info:
        make()
    assert info.value.parameter == parameter
