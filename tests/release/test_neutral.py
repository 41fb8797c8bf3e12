"""Passive Gaussian plume, puff and finite-duration release (parksteward.release.neutral).

* the plume reproduces the hand-checkable ISC3/SCREEN3 example of dispersion-methods.md §4 (680.6 ug/m3);
* the puff integrates to the released mass (mass conservation, numerical quadrature over space);
* the Palazzi finite-duration release integrates over time to the plume times the duration (dose
  conservation), tends to the plume for long and to the puff for short releases, and its closed-form
  peak equals a brute-force maximum over time.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from parksteward.release import neutral
from parksteward.release.errors import ReleaseInputError


def test_plume_reproduces_the_screen3_worked_example():
    # dispersion-methods.md §4: Q = 100 g/s, h_e = 49.97 m, class D, u10 = 5 m/s -> u_s = 6.365 m/s,
    # sigma_y = 68.13 m, sigma_z = 32.09 m at 1 km, C = 680.6 ug/m3 (SCREEN3 prints the same); no lid term
    c = neutral.plume_concentration(0.1, 1000.0, 0.0, 0.0, wind_speed_m_s=5.0, stability="D", release_height_m=49.97)
    assert float(c) * 1000 == pytest.approx(680.6, rel=5e-4)
    assert neutral.transport_wind_m_s(5.0, 49.97, "D") == pytest.approx(6.365, abs=5e-4)


def test_ground_level_plume_by_hand():
    # ground release, Q = 1 kg/s = 1e6 mg/s, class F, u = 2 m/s, x = 1 km: sigma_y = 465.11628 tan(0.017453293 *
    # 4.1667) = 465.11628 * 0.0728510 = 33.88424 m, sigma_z = 13.953 * 1^0.68465 = 13.953 m
    # C = 2 Q / (2 pi u sy sz) = 1e6 / (pi * 2 * 33.88424 * 13.953) = 336.6316 mg/m3
    c = neutral.plume_concentration(1.0, 1000.0, wind_speed_m_s=2.0, stability="F")
    assert float(c) == pytest.approx(336.6316, rel=1e-5)


def test_concentration_decreases_downwind_and_is_zero_upwind():
    x = np.geomspace(10.0, 20_000.0, 300)
    for stab in "ABCDEF":
        c = neutral.plume_concentration(1.0, x, wind_speed_m_s=3.0, stability=stab)
        assert np.all(np.diff(c) < 0), stab
    assert float(neutral.plume_concentration(1.0, -50.0, wind_speed_m_s=3.0, stability="D")) == 0.0
    peak, when = neutral.peak_concentration(1.0, 600.0, -50.0, wind_speed_m_s=3.0, stability="D")
    assert float(peak) == 0.0 and math.isnan(float(when))


def test_puff_mass_is_conserved():
    # integrate the instantaneous puff over x, y and z >= 0 at t = 400 s (travel 800 m, class D, 2 m/s)
    mass_kg = 50.0
    t = 400.0
    sy, sz = neutral.sigmas_m(800.0, "D")
    sy, sz = float(sy), float(sz)
    x = np.linspace(800.0 - 6 * sy, 800.0 + 6 * sy, 121)
    y = np.linspace(-6 * sy, 6 * sy, 121)
    z = np.linspace(0.0, 6 * sz, 61)
    X, Y, Z = np.meshgrid(x, y, z, indexing="ij")
    c = neutral.puff_concentration(mass_kg, X, Y, Z, time_s=t, wind_speed_m_s=2.0, stability="D", release_height_m=2.0)
    total_mg = np.trapezoid(np.trapezoid(np.trapezoid(c, z, axis=2), y, axis=1), x)
    assert total_mg / 1e6 == pytest.approx(mass_kg, rel=0.01)


def test_finite_release_dose_is_conserved():
    # integral of C dt at a fixed point = C_plume * T_d (every puff passes the point once)
    x, td = 1500.0, 600.0
    t = np.linspace(0.0, 4000.0, 40001)
    c = neutral.release_concentration(2.0, td, x, 20.0, 0.0, time_s=t, wind_speed_m_s=3.0, stability="E")
    plume = float(neutral.plume_concentration(2.0, x, 20.0, 0.0, wind_speed_m_s=3.0, stability="E"))
    assert np.trapezoid(c, t) == pytest.approx(plume * td, rel=0.01)


def test_long_release_tends_to_the_plume_and_short_to_the_puff():
    plume = float(neutral.plume_concentration(1.0, 800.0, wind_speed_m_s=2.0, stability="D"))
    long_peak, _ = neutral.peak_concentration(1.0, 1e6, 800.0, wind_speed_m_s=2.0, stability="D")
    assert float(long_peak) == pytest.approx(plume, rel=1e-6)
    # T_d = 1 s, Q = 10 kg/s vs a 10 kg puff at t = x/u: sigma_x from x vs travel distance are the same there
    short_peak, when = neutral.peak_concentration(10.0, 1.0, 800.0, wind_speed_m_s=2.0, stability="D")
    puff = float(neutral.puff_concentration(10.0, 800.0, time_s=400.0, wind_speed_m_s=2.0, stability="D"))
    assert float(short_peak) == pytest.approx(puff, rel=1e-3)
    assert float(when) == pytest.approx(400.5)


@pytest.mark.parametrize("x", [100.0, 400.0, 900.0, 3000.0])
def test_closed_form_peak_matches_brute_force(x):
    td = 600.0  # u T_d / 2 = 600 m: both branches of the closed form are exercised
    t = np.linspace(1.0, 6000.0, 120001)
    c = neutral.release_concentration(1.0, td, x, time_s=t, wind_speed_m_s=2.0, stability="C")
    peak, when = neutral.peak_concentration(1.0, td, x, wind_speed_m_s=2.0, stability="C")
    assert float(peak) == pytest.approx(float(np.max(c)), rel=1e-6)
    # the time of the peak is where the curve reaches it (near the source the plateau is flat to 1e-12)
    at_when = neutral.release_concentration(1.0, td, x, time_s=float(when), wind_speed_m_s=2.0, stability="C")
    assert float(at_when) == pytest.approx(float(peak), rel=1e-9)
    # arrival (10 % of the peak) comes before the peak, and the cloud cannot arrive before x / u - 4 sigma_x / u
    arrival = float(neutral.arrival_time_s(td, x, wind_speed_m_s=2.0, stability="C"))
    first = float(t[np.argmax(c >= 0.1 * float(peak))])
    assert arrival == pytest.approx(first, abs=0.1)
    assert arrival < float(when)


def test_reflection_doubles_a_ground_release():
    # ground-level release and receptor: V = 2, i.e. twice the unbounded Gaussian
    sy, sz = neutral.sigmas_m(500.0, "D")
    c = float(neutral.plume_concentration(1.0, 500.0, wind_speed_m_s=4.0, stability="D"))
    assert c == pytest.approx(2 * 1e6 / (2 * math.pi * 4.0 * float(sy) * float(sz)), rel=1e-12)


def test_bad_input_names_the_parameter():
    with pytest.raises(ReleaseInputError) as info:
        neutral.plume_concentration(0.0, 100.0, wind_speed_m_s=2.0, stability="D")
    assert info.value.parameter == "rate_kg_s"
    with pytest.raises(ReleaseInputError) as info:
        neutral.plume_concentration(1.0, 100.0, wind_speed_m_s=2.0, stability="G")
    assert info.value.parameter == "stability"
    with pytest.raises(ReleaseInputError) as info:
        neutral.release_concentration(1.0, -5.0, 100.0, time_s=10.0, wind_speed_m_s=2.0, stability="D")
    assert info.value.parameter == "duration_s"
    with pytest.raises(ReleaseInputError) as info:
        neutral.plume_concentration(1.0, 100.0, 0.0, -1.0, wind_speed_m_s=2.0, stability="D")
    assert info.value.parameter == "z_m"
    with pytest.raises(ValueError, match="isc3_rural, briggs_urban"):
        neutral.plume_concentration(1.0, 100.0, wind_speed_m_s=2.0, stability="D", method="gbt3840")
