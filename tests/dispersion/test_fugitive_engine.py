"""Area and volume sources in the engine: the grouped fast path against the per-hour plain
evaluation, each against the single-source functions of area.py and volume.py, the node rule
against a brute-force integration, hours above a threshold and hourly series."""

from __future__ import annotations

import numpy as np
import pytest

from parksteward.dispersion import engine, fugitive
from parksteward.dispersion.area import area_source
from parksteward.dispersion.errors import DispersionInputError
from parksteward.dispersion.meteorology import hourly_met
from parksteward.dispersion.receptors import cartesian_grid, discrete
from parksteward.dispersion.volume import volume_source


def _met(speed, direction, stability, mixing, start="2025-07-01T00:00:00"):
    hours = len(speed)
    times = np.datetime64(start) + np.arange(hours) * np.timedelta64(3600, "s")
    return hourly_met(times, np.asarray(speed, float), np.asarray(direction, float), np.full(hours, 293.0),
                      stability=np.asarray(stability), mixing_height_m=np.asarray(mixing, float), calm_threshold_m_s=0.0)


def _case():
    rng = np.random.default_rng(11)
    areas = fugitive.area_sources(["tank farm", "process", "pond"], [-300.0, 400.0, 900.0], [200.0, -250.0, 700.0],
                                  [0.0, 6.0, 2.0], [120.0, 60.0, 200.0], [80.0, 40.0, 35.0], [15.0, 100.0, 290.0],
                                  [0.8, 0.3, 1.2])
    volumes = fugitive.volume_sources(["loading bay", "conveyor"], [-800.0, 150.0], [-500.0, 900.0], [4.0, 12.0],
                                      [3.0, 5.0], [2.0, 8.0], [0.4, 0.9])
    st = engine.stacks(["S1", "S2"], [0.0, -1200.0], [0.0, 600.0], [45.0, 80.0], [1.2, 2.5], [12.0, 15.0],
                       [400.0, 430.0], [5.0, 20.0])
    receptors = cartesian_grid(-3000, -3000, 13, 13, 500.0).append(
        discrete([("school", -250.0, 260.0, 1.5), ("inside the pond", 900.0, 700.0)], kind="sensitive"))
    hours = 60
    speed = np.round(rng.uniform(0.8, 8.0, hours), 1)
    speed[[7, 33]] = 0.0  # calm hours
    direction = np.round(rng.uniform(0, 360, hours))
    direction[20:26] = direction[19]  # one group of several hours with different lids
    stability = rng.integers(1, 7, hours)
    stability[19:26] = 2
    mixing = rng.uniform(80, 2500, hours)
    mixing[21] = 5.0  # below every release height but the ground-level one's
    mixing[22] = 40.0  # the lid reaches most pairs: images and a well-mixed plume
    return st, fugitive.Fugitives(areas, volumes), _met(speed, direction, stability, mixing), receptors


def test_fast_path_equals_plain_evaluation():
    st, fug, met, receptors = _case()
    plain = np.array([values for _, values in engine.hourly(st, met, receptors, fugitives=fug, by_source=True)])
    total = plain.sum(axis=1)  # (H, R)
    n_fug = len(fug)
    assert np.count_nonzero(plain[:, -n_fug:]) > 500  # the fugitive sources reach many receptors
    result = engine.run(st, met, receptors, fugitives=fug, tasks=3, thresholds_ug_m3=[1.0, 50.0],
                        series_receptors=[0, 50, len(receptors.x_m) - 2])
    scale = total.max()
    np.testing.assert_allclose(result.max_1h_ug_m3, total.max(axis=0), rtol=1e-9, atol=1e-12 * scale)
    noncalm = ~met.calm
    np.testing.assert_allclose(result.annual_mean_ug_m3, total[noncalm].mean(axis=0), rtol=1e-9, atol=1e-12 * scale)
    per_source = plain[noncalm].mean(axis=0)
    np.testing.assert_allclose(result.source_annual_mean_ug_m3, per_source, rtol=1e-9, atol=1e-12 * scale)
    assert result.stack_names == ("S1", "S2", "tank farm", "process", "pond", "loading bay", "conveyor")
    # hours above a threshold and the kept series, counted from the plain hours
    np.testing.assert_array_equal(result.hours_above[0], (total > 1.0).sum(axis=0))
    np.testing.assert_array_equal(result.hours_above[1], (total > 50.0).sum(axis=0))
    assert result.hours_above[0].max() > 0
    np.testing.assert_allclose(result.series_ug_m3, total[:, result.series_receptors], rtol=1e-9, atol=1e-12 * scale)
    assert np.all(result.series_ug_m3[met.calm] == 0.0)


def test_lid_below_the_release_gives_zero_for_that_source():
    areas = fugitive.area_sources(["raised"], [0.0], [0.0], [20.0], [50.0], [50.0], [0.0], [1.0])
    met = _met([3.0, 3.0], [180.0, 180.0], [3, 3], [10.0, 800.0])
    receptors = discrete([("north", 0.0, 400.0)])
    series = [v for _, v in engine.hourly(None, met, receptors, fugitives=fugitive.Fugitives(areas))]
    assert series[0][0] == 0.0 and series[1][0] > 0.0
    result = engine.run(None, met, receptors, fugitives=fugitive.Fugitives(areas), series_receptors=[0])
    assert result.series_ug_m3[0, 0] == 0.0
    assert result.series_ug_m3[1, 0] == pytest.approx(series[1][0], rel=1e-12)


@pytest.mark.parametrize("stability", [1, 4, 6])
def test_area_in_a_run_equals_area_source(stability):
    # A 120 m x 80 m area whose length side points to bearing 30 deg, wind from the west (blowing
    # to bearing 90): the length side is 60 deg counter-clockwise from downwind. A receptor 500 m
    # east and 100 m north of the centre is 500 m downwind and 100 m to the left of the wind.
    q = 2.4  # g/s over 9600 m2
    areas = fugitive.area_sources(["A"], [1000.0], [-200.0], [3.0], [120.0], [80.0], [30.0], [q])
    met = _met([4.0], [270.0], [stability], [900.0])
    receptors = discrete([("r", 1500.0, -100.0, 0.0)])
    result = engine.run(None, met, receptors, fugitives=fugitive.Fugitives(areas), series_receptors=[0])
    direct = area_source(q / (120.0 * 80.0), 3.0, 120.0, 80.0, 500.0, y_m=100.0, angle_deg=60.0, stability=stability,
                         u10_m_s=4.0, mixing_height_m=900.0)
    assert result.max_1h_ug_m3[0] == pytest.approx(float(direct.c_ug_m3), rel=1e-12)
    assert result.max_1h_ug_m3[0] > 0


def test_volume_in_a_run_equals_volume_source():
    volumes = fugitive.volume_sources(["V"], [0.0], [0.0], [6.0], [4.0], [3.0], [1.5])
    met = _met([3.0], [45.0], [5], [10000.0])  # wind from the north-east: the plume goes south-west
    d = 600.0 / np.sqrt(2.0)
    receptors = discrete([("sw", -d, -d), ("ne", d, d)])
    result = engine.run(None, met, receptors, fugitives=fugitive.Fugitives(volumes=volumes))
    direct = volume_source(1.5, 6.0, 4.0, 3.0, 600.0, stability=5, u10_m_s=3.0)
    assert result.max_1h_ug_m3[0] == pytest.approx(float(direct.c_ug_m3), rel=1e-12)
    assert result.max_1h_ug_m3[1] == 0.0  # upwind


@pytest.mark.parametrize("stability", [1, 2, 3, 4, 5, 6])
def test_far_node_rule_against_brute_force(stability):
    # Beyond 10 diagonals the run integrates with 4 nodes per panel: within 1e-3 of 256 nodes.
    length, width = 150.0, 60.0
    diagonal = np.hypot(length, width)
    x = np.array([10.05, 12.0, 20.0, 40.0]) * diagonal
    y = np.array([0.0, 0.3, -0.8, 2.0]) * 0.1 * x
    common = dict(y_m=y, angle_deg=25.0, stability=stability, u10_m_s=2.5, mixing_height_m=1500.0)
    coarse = area_source(1e-3, 1.0, length, width, x, n_points=fugitive.AREA_POINTS_FAR, **common).c_ug_m3
    fine = area_source(1e-3, 1.0, length, width, x, n_points=256, **common).c_ug_m3
    assert np.all(fine > 0)
    np.testing.assert_allclose(coarse, fine, rtol=1e-3)
    assert np.all(fugitive.area_points(np.hypot(x, y), 0.5 * diagonal) == fugitive.AREA_POINTS_FAR)


def test_bad_fugitive_inputs_name_the_source():
    with pytest.raises(DispersionInputError, match="length_m of area source 'T1'"):
        fugitive.area_sources(["T1"], [0.0], [0.0], [0.0], [0.0], [10.0], [0.0], [1.0])
    with pytest.raises(DispersionInputError, match="sigma_y0_m of volume source 'V'"):
        fugitive.volume_sources(["V"], [0.0], [0.0], [1.0], [-1.0], [1.0], [1.0])
    met = _met([3.0], [0.0], [4], [500.0])
    receptors = discrete([("r", 0.0, -100.0)])
    with pytest.raises(DispersionInputError, match="at least one stack, area or volume source"):
        engine.run(None, met, receptors)
    areas = fugitive.area_sources(["A"], [0.0], [0.0], [0.0], [10.0], [10.0], [0.0], [1.0])
    with pytest.raises(DispersionInputError, match="series_receptors"):
        engine.run(None, met, receptors, fugitives=fugitive.Fugitives(areas), series_receptors=[3])
