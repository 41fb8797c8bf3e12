"""The multi-stack, multi-hour engine: the fast path against the plain per-hour evaluation,
the reference's hand-checkable case, statistics and a dask cluster."""

from __future__ import annotations

import numpy as np
import pytest

from parksteward.dispersion import engine
from parksteward.dispersion.errors import DispersionInputError
from parksteward.dispersion.meteorology import hourly_met
from parksteward.dispersion.receptors import cartesian_grid, discrete
from parksteward.dispersion.statistics import daily_means


def _met(hours, speed, direction, stability, mixing_height, temperature_k=293.0):
    start = np.datetime64("2025-03-01T00:00:00")
    times = start + np.arange(hours) * np.timedelta64(3600, "s")
    return hourly_met(times, np.broadcast_to(speed, (hours,)), np.broadcast_to(direction, (hours,)),
                      np.broadcast_to(temperature_k, (hours,)), stability=np.broadcast_to(stability, (hours,)),
                      mixing_height_m=np.broadcast_to(mixing_height, (hours,)), calm_threshold_m_s=0.0)


def test_reference_worked_example():
    # dispersion-methods §4: no-rise stack h_s = 50 m, Q = 100 g/s, rural D, u10 = 5 m/s,
    # z_i = 320 u10 = 1600 m, ground-level centreline receptor at 1000 m: C = 680.6 ug/m3
    # (hand calculation 2287 * 0.2975; SCREEN3 prints the same).
    st = engine.stacks(["S"], 0.0, 0.0, 50.0, 0.01, 0.01, 293.0, 100.0)
    met = _met(1, 5.0, 180.0, "D", 1600.0)  # wind from the south: the plume goes north
    receptors = discrete([("north 1 km", 0.0, 1000.0)], kind="discrete")
    result = engine.run(st, met, receptors, tasks=1)
    assert result.max_1h_ug_m3[0] == pytest.approx(680.6, rel=2e-4)
    assert result.max_1h_hour[0] == 0
    assert engine.plain_hour(st, met, receptors, 0)[0, 0] == pytest.approx(680.6, rel=2e-4)


def test_upwind_and_crosswind_geometry():
    # Same case, receptor 1 km south (upwind): zero. Receptor 1 km north and 68.13 m east (one
    # sigma_y off the centreline, §4 sigma_y = 68.13 m): C drops by exp(-1/2) = 0.6065.
    st = engine.stacks(["S"], 0.0, 0.0, 50.0, 0.01, 0.01, 293.0, 100.0)
    met = _met(1, 5.0, 180.0, "D", 1600.0)
    receptors = discrete([("south", 0.0, -1000.0), ("off axis", 68.13, 1000.0)], kind="discrete")
    c = engine.plain_hour(st, met, receptors, 0)[0]
    assert c[0] == 0.0
    assert c[1] == pytest.approx(680.6 * 0.60653, rel=5e-4)


def _case():
    rng = np.random.default_rng(7)
    n = 8
    st = engine.stacks([f"S{i}" for i in range(n)], rng.uniform(-1500, 1500, n), rng.uniform(-1500, 1500, n),
                       rng.uniform(15, 120, n), rng.uniform(0.3, 3.5, n), rng.uniform(3, 20, n),
                       rng.uniform(290, 460, n), rng.uniform(0.5, 30, n))
    grid = cartesian_grid(-4000, -4000, 17, 17, 500.0)
    receptors = grid.append(discrete([("school", 350.0, -220.0, 1.5), ("village", -2600.0, 1800.0)], kind="sensitive"))
    hours = 72
    speed = np.round(rng.uniform(0.5, 9.0, hours), 1)
    speed[[5, 30, 31]] = 0.0  # calm hours
    direction = np.round(rng.uniform(0, 360, hours))
    direction[40:46] = direction[39]  # hours that share a direction and a class share a group
    stability = rng.integers(1, 7, hours)
    stability[40:46] = stability[39]
    mixing = rng.uniform(150, 2500, hours)
    start = np.datetime64("2025-07-01T00:00:00")
    times = start + np.arange(hours) * np.timedelta64(3600, "s")
    met = hourly_met(times, speed, direction, rng.uniform(280, 305, hours), stability=stability,
                     mixing_height_m=mixing, calm_threshold_m_s=0.0)
    return st, met, receptors


def _plain(st, met, receptors):
    return np.array([engine.plain_hour(st, met, receptors, h) for h in range(len(met))])  # (H, S, R)


def test_fast_path_equals_plain_evaluation():
    st, met, receptors = _case()
    hourly = _plain(st, met, receptors)
    total = hourly.sum(axis=1)
    noncalm = ~met.calm
    assert np.count_nonzero(total) > 1000  # the case exercises many non-zero values
    result = engine.run(st, met, receptors, tz=8.0, tasks=3)
    np.testing.assert_allclose(result.max_1h_ug_m3, total.max(axis=0), rtol=1e-9, atol=0)
    np.testing.assert_allclose(result.annual_mean_ug_m3, total[noncalm].mean(axis=0), rtol=1e-9, atol=0)
    np.testing.assert_allclose(result.source_annual_mean_ug_m3, hourly[noncalm].mean(axis=0), rtol=1e-9, atol=1e-300)
    hit = result.max_1h_ug_m3 > 0
    assert np.array_equal(result.max_1h_hour[hit], total.argmax(axis=0)[hit])
    assert result.hours == noncalm.sum() and result.calm_hours == 3
    # the 24-h means follow the statistics module's EPA calms rule
    daily = daily_means(total, met.time_utc, tz=8.0, calm=met.calm)
    np.testing.assert_allclose(result.daily_mean_ug_m3, daily.mean_ug_m3, rtol=1e-9, atol=0)
    np.testing.assert_array_equal(result.daily_dates, daily.date_local)


def test_per_stack_parts_add_up_and_tasks_do_not_change_results():
    st, met, receptors = _case()
    one = engine.run(st, met, receptors, tasks=1)
    four = engine.run(st, met, receptors, tasks=4)
    np.testing.assert_allclose(one.source_annual_mean_ug_m3.sum(axis=0), one.annual_mean_ug_m3, rtol=1e-12)
    np.testing.assert_allclose(four.annual_mean_ug_m3, one.annual_mean_ug_m3, rtol=1e-12)
    np.testing.assert_array_equal(four.max_1h_ug_m3, one.max_1h_ug_m3)


def test_dask_cluster_gives_identical_results():
    distributed = pytest.importorskip("distributed")
    st, met, receptors = _case()
    local = engine.run(st, met, receptors, tasks=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = engine.run(st, met, receptors, tasks=2, client=client)
    np.testing.assert_array_equal(remote.annual_mean_ug_m3, local.annual_mean_ug_m3)
    np.testing.assert_array_equal(remote.max_1h_ug_m3, local.max_1h_ug_m3)
    np.testing.assert_array_equal(remote.daily_mean_ug_m3, local.daily_mean_ug_m3)


def test_bad_stack_is_named():
    with pytest.raises(DispersionInputError, match="stack_height_m of stack 'B'"):
        engine.stacks(["A", "B"], [0, 1], [0, 1], [30, -5], 1, 10, 400, 1)
    with pytest.raises(DispersionInputError, match="exit_temperature_k of stack 'A'"):
        engine.stacks(["A"], 0, 0, 30, 1, 10, -3, 1)


def test_unknown_sigma_method_is_refused():
    with pytest.raises(ValueError, match="isc3_rural, briggs_urban"):
        engine.Model(sigma_method="gbt3840").check()
