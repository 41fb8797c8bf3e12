"""A release scenario (事故情形) end to end: model choice, threat zones, receptor impacts, worst-case weather.

:func:`assess` takes a :class:`ReleaseScenario` (chemical, rate, duration, height, where) and the
given :class:`Weather`, and for it and for HJ 169-2018's worst case (F stability, 1.5 m/s, 25 degC,
50 % RH; :func:`worst_case_weather`) returns a :class:`WeatherAssessment`:

1. the release density and the HJ 169 Annex G heavy-gas test (:func:`parksteward.release.dense_gas.heavy_gas_test`)
   decide the model -- Britter-McQuaid for a heavy gas, a Gaussian plume/puff for a passive one,
   both (keeping the larger impact) near the threshold -- and say why (:class:`ModelChoice`). A
   dense gas never gets the passive model silently: when the Britter-McQuaid curves end (C/C0 below
   0.002 / 0.001, the cloud has become passive) the passive model continues from a virtual source
   placed so that the concentration is continuous there, and the notes say where;
2. the peak concentration along the downwind axis and the crosswind half-width above each toxic
   endpoint give the threat zones (:class:`~parksteward.release.zones.ThreatZone`, polygons in local
   metres; :func:`threat_zones_geojson` for WGS84);
3. each receptor gets its peak concentration, the cloud's arrival time and the time of the peak
   (:class:`ReceptorImpact`).

Stated limits (compare ALOHA's): nothing beyond 10 km (zones reaching it are flagged truncated),
no calms (10 m wind >= 1 m/s), flat terrain without obstacles, results within about 100 m of the
source indicative only, a single constant weather for the whole release, and the chemical's own
limits in :mod:`parksteward.release.dense_gas` and :mod:`parksteward.release.neutral`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from parksteward.dispersion.receptors import LocalProjection, Receptors, discrete
from parksteward.release import _checks, dense_gas, neutral
from parksteward.release.chemicals import Chemical, get_chemical
from parksteward.release.constants import (
    AIR_MOLAR_MASS_KG_MOL,
    GAS_CONSTANT_J_MOL_K,
    HJ169_WORST_CASE,
    STANDARD_PRESSURE_PA,
    air_density_kg_m3,
)
from parksteward.release.errors import ReleaseInputError
from parksteward.release.zones import (
    ENDPOINTS,
    ThreatZone,
    to_wind_frame,
    union_zones,
    zone_from_profile,
    zones_to_geojson,
)

#: Nothing is computed beyond this downwind distance [m] (ALOHA's 10 km limit).
MAX_DISTANCE_M = 10_000.0

#: Nearest distance of the downwind profile [m]; closer than ~100 m the results are indicative only.
MIN_DISTANCE_M = 0.5
RELIABLE_FROM_M = 100.0

#: Samples of the downwind profile (log-spaced).
PROFILE_POINTS = 600

#: Calms are not modelled: the 10 m wind must be at least this [m/s].
MIN_WIND_SPEED_M_S = 1.0

#: Distance X of HJ 169's continuous/instantaneous test when no receptor is given [m].
DEFAULT_DECISION_DISTANCE_M = 1000.0

MODEL_DENSE = "britter_mcquaid"
MODEL_PASSIVE = "gaussian"
#: Passive model continuing a dense cloud beyond the Britter-McQuaid curves, from a virtual source.
MODEL_HANDOFF = "gaussian_virtual_source"


@dataclass(frozen=True)
class Weather:
    """One weather condition, constant during the release.

    Attributes
    ----------
    wind_speed_m_s : float
        Wind at 10 m [m/s], >= 1.
    wind_from_deg : float
        Direction the wind blows FROM, clockwise from north [deg], 0..360.
    stability : str
        Pasquill-Gifford class A-F.
    temperature_k : float
        Air temperature [K].
    pressure_pa : float
        Air pressure [Pa].
    relative_humidity_pct : float
        Relative humidity [%] (recorded; the air density ignores it, < 1 % effect).
    label : str
        ``"given"``, ``"worst_case_hj169"``...
    """

    wind_speed_m_s: float
    wind_from_deg: float
    stability: str
    temperature_k: float = 298.15
    pressure_pa: float = STANDARD_PRESSURE_PA
    relative_humidity_pct: float = 50.0
    label: str = "given"

    def __post_init__(self):
        u = _checks.number("wind_speed_m_s", self.wind_speed_m_s)
        if u < MIN_WIND_SPEED_M_S:
            raise ReleaseInputError(
                "wind_speed_m_s", f"{u:g} m/s is below {MIN_WIND_SPEED_M_S:g} m/s: calms are not modelled (Gaussian and "
                "Britter-McQuaid both need a steady wind)"
            )
        object.__setattr__(self, "wind_speed_m_s", u)
        object.__setattr__(self, "wind_from_deg", _checks.between("wind_from_deg", self.wind_from_deg, 0.0, 360.0, "deg"))
        object.__setattr__(self, "stability", _checks.stability(self.stability))
        object.__setattr__(self, "temperature_k", _checks.between("temperature_k", self.temperature_k, 200.0, 350.0, "K"))
        object.__setattr__(self, "pressure_pa", _checks.between("pressure_pa", self.pressure_pa, 5e4, 1.1e5, "Pa"))
        object.__setattr__(
            self, "relative_humidity_pct", _checks.between("relative_humidity_pct", self.relative_humidity_pct, 0.0, 100.0, "%")
        )


def worst_case_weather(wind_from_deg: float, *, pressure_pa: float = STANDARD_PRESSURE_PA) -> Weather:
    """HJ 169-2018's most unfavourable weather: F, 1.5 m/s, 25 degC, 50 % RH, blowing from ``wind_from_deg``.

    References
    ----------
    HJ 169-2018 §9.1.1.4 (最不利气象条件), as transcribed in dispersion-methods.md §7.2 and standards.md §8.1
    (to verify).
    """
    return Weather(
        wind_speed_m_s=HJ169_WORST_CASE["wind_speed_m_s"], wind_from_deg=wind_from_deg,
        stability=HJ169_WORST_CASE["stability"], temperature_k=HJ169_WORST_CASE["temperature_k"],
        pressure_pa=pressure_pa, relative_humidity_pct=HJ169_WORST_CASE["relative_humidity_pct"],
        label="worst_case_hj169",
    )


@dataclass(frozen=True)
class ReleaseScenario:
    """An accidental release: what, how fast, how long, where.

    Attributes
    ----------
    chemical : Chemical or str
        The substance (a name or CAS number is looked up with :func:`get_chemical`).
    rate_kg_s : float
        Rate at which the substance enters the air [kg/s] (a leak's vapour, a pool's evaporation).
    duration_s : float
        Release duration [s] (HJ 169-2018 §8.2.2: 10 min with emergency isolation, 30 min without).
    release_height_m : float
        Height of the release [m].
    release_temperature_k : float, optional
        Temperature of the released vapour [K]; by default the boiling point when it is below the air
        temperature (flashing jet, boiling pool), otherwise the air temperature (an evaporating pool).
    source_diameter_m : float, optional
        D_rel of the Richardson number (a pool's diameter) [m]; see
        :func:`~parksteward.release.dense_gas.heavy_gas_test` for the default.
    source_x_m, source_y_m : float
        Position in the park's local metres (east, north of the origin).
    decision_distance_m : float, optional
        X of HJ 169's continuous/instantaneous test [m]; by default the nearest receptor, or
        :data:`DEFAULT_DECISION_DISTANCE_M` without receptors.
    sigma_method : {"isc3_rural", "briggs_urban"}
        Dispersion curves of the passive model.
    name : str
        Label for reports.
    """

    chemical: Chemical | str
    rate_kg_s: float
    duration_s: float
    release_height_m: float = 0.0
    release_temperature_k: float | None = None
    source_diameter_m: float | None = None
    source_x_m: float = 0.0
    source_y_m: float = 0.0
    decision_distance_m: float | None = None
    sigma_method: str = "isc3_rural"
    name: str = ""

    def __post_init__(self):
        object.__setattr__(self, "chemical", get_chemical(self.chemical))
        object.__setattr__(self, "rate_kg_s", _checks.positive("rate_kg_s", self.rate_kg_s, "kg/s"))
        object.__setattr__(self, "duration_s", _checks.positive("duration_s", self.duration_s, "s"))
        object.__setattr__(self, "release_height_m", _checks.between("release_height_m", self.release_height_m, 0.0, 300.0, "m"))
        if self.release_temperature_k is not None:
            object.__setattr__(
                self, "release_temperature_k", _checks.between("release_temperature_k", self.release_temperature_k, 20.0, 1000.0, "K")
            )
        if self.source_diameter_m is not None:
            object.__setattr__(self, "source_diameter_m", _checks.positive("source_diameter_m", self.source_diameter_m, "m"))
        object.__setattr__(self, "source_x_m", _checks.number("source_x_m", self.source_x_m))
        object.__setattr__(self, "source_y_m", _checks.number("source_y_m", self.source_y_m))
        if self.decision_distance_m is not None:
            object.__setattr__(self, "decision_distance_m", _checks.positive("decision_distance_m", self.decision_distance_m, "m"))
        _checks.choice("sigma_method", self.sigma_method, neutral.NEUTRAL_SIGMA_METHODS)


@dataclass(frozen=True)
class ReleaseState:
    """What leaves the source, as the dispersion models see it.

    Attributes
    ----------
    temperature_k : float
        Vapour temperature [K].
    mole_fraction : float
        Mole fraction of the substance in the released gas [-]: 1 for a gas or boiling liquid, the
        saturated p_v/P over a pool below its boiling point.
    density_kg_m3 : float
        Density of the released gas or vapour-air mixture [kg/m3].
    mixture_rate_kg_s : float
        Mass rate of that gas or mixture [kg/s].
    air_density_kg_m3 : float
        Ambient air density [kg/m3].
    """

    temperature_k: float
    mole_fraction: float
    density_kg_m3: float
    mixture_rate_kg_s: float
    air_density_kg_m3: float


@dataclass(frozen=True)
class ModelChoice:
    """Which model(s) ran and why.

    Attributes
    ----------
    models : tuple of str
        ``("britter_mcquaid",)``, ``("gaussian",)`` or both (near the threshold: the larger impact kept).
    heavy_gas_test : HeavyGasTest
        The HJ 169 test.
    reason : str
        The test's reason and any switch made, for the report.
    """

    models: tuple[str, ...]
    heavy_gas_test: dense_gas.HeavyGasTest
    reason: str


@dataclass(frozen=True)
class ReceptorImpact:
    """Peak exposure at one receptor.

    Attributes
    ----------
    name : str
    x_m, y_m : float
        Local position [m].
    downwind_m, crosswind_m : float
        Position in the wind frame relative to the source [m].
    peak_mg_m3 : float
        Highest ground-level (flagpole) concentration during the event [mg/m3].
    arrival_time_s : float
        When the cloud arrives (10 % of the peak for the Gaussian model, the cloud edge for the dense
        one) [s]; NaN if it never does.
    time_of_peak_s : float
        When the peak occurs [s]; NaN if never.
    model : str
        Model that gave the peak: ``"britter_mcquaid"``, ``"gaussian"`` or ``"gaussian_virtual_source"`` (a
        dense cloud beyond the Britter-McQuaid curves); ``"none"`` when untouched.
    exceeds_endpoint_1, exceeds_endpoint_2 : bool
        Peak above HJ 169 endpoint-1 / endpoint-2.
    """

    name: str
    x_m: float
    y_m: float
    downwind_m: float
    crosswind_m: float
    peak_mg_m3: float
    arrival_time_s: float
    time_of_peak_s: float
    model: str
    exceeds_endpoint_1: bool
    exceeds_endpoint_2: bool


@dataclass(frozen=True)
class WeatherAssessment:
    """Results of one scenario under one weather.

    Attributes
    ----------
    weather : Weather
    release : ReleaseState
    choice : ModelChoice
    zones : tuple of ThreatZone
        One per endpoint (endpoint-1, endpoint-2), possibly empty.
    receptors : tuple of ReceptorImpact
    distances_m, peak_mg_m3 : numpy.ndarray
        The downwind centreline profile of the peak concentration (for plots and checks).
    notes : tuple of str
        Switches, hand-offs and limits that apply to this result.
    """

    weather: Weather
    release: ReleaseState
    choice: ModelChoice
    zones: tuple[ThreatZone, ...]
    receptors: tuple[ReceptorImpact, ...]
    distances_m: np.ndarray
    peak_mg_m3: np.ndarray
    notes: tuple[str, ...]

    def zone(self, endpoint: str) -> ThreatZone:
        """The zone of ``"endpoint_1"`` or ``"endpoint_2"``."""
        for zone in self.zones:
            if zone.endpoint == endpoint:
                return zone
        raise ReleaseInputError("endpoint", f"unknown endpoint {endpoint!r}; valid: {', '.join(ENDPOINTS)}")


@dataclass(frozen=True)
class ScenarioAssessment:
    """A scenario under the given weather and, beside it, HJ 169's worst case."""

    scenario: ReleaseScenario
    given: WeatherAssessment
    worst_case: WeatherAssessment | None


# --------------------------------------------------------------------------------------------------


def release_state(scenario: ReleaseScenario, weather: Weather) -> ReleaseState:
    """Temperature, composition and density of what the scenario releases, under ``weather``.

    Notes
    -----
    Boiling or flashing substances (T_b below the air temperature) leave as pure vapour at T_b; a
    liquid below its boiling point evaporates into a vapour-air mixture saturated at the air temperature,
    mole fraction p_v / P. Densities are ideal-gas, rho = P (y M + (1 - y) M_air) / (R T). Aerosol
    carried with a flashing jet, which makes the cloud denser, is not counted.
    """
    chem = scenario.chemical
    ta, p = weather.temperature_k, weather.pressure_pa
    t = scenario.release_temperature_k
    if t is None:
        t = min(chem.boiling_point_k, ta)
    y = 1.0 if t >= chem.boiling_point_k else min(1.0, chem.vapour_pressure_pa(t) / p)
    m_mix = y * chem.molar_mass_kg_mol + (1.0 - y) * AIR_MOLAR_MASS_KG_MOL
    density = p * m_mix / (GAS_CONSTANT_J_MOL_K * t)
    mixture_rate = scenario.rate_kg_s * m_mix / (y * chem.molar_mass_kg_mol)
    return ReleaseState(t, y, density, mixture_rate, air_density_kg_m3(ta, p))


def assess_weather(
    scenario: ReleaseScenario, weather: Weather, receptors: Receptors | Iterable[Sequence] | None = None
) -> WeatherAssessment:
    """Model choice, threat zones and receptor impacts of ``scenario`` under one ``weather``.

    Parameters
    ----------
    scenario : ReleaseScenario
    weather : Weather
    receptors : Receptors or iterable of (name, x_m, y_m[, z_flag_m]), optional
        Points of interest in local metres (e.g. the registry's sensitive receptors).

    Returns
    -------
    WeatherAssessment

    Raises
    ------
    OutOfValidity
        When the gas is heavy but denser than the Britter-McQuaid correlations cover (alpha > 1):
        no model here applies, and a passive one is not substituted.
    """
    rec = _receptor_set(receptors)
    state = release_state(scenario, weather)
    chem = scenario.chemical
    notes: list[str] = []
    s_rec, n_rec = to_wind_frame(
        rec.x_m, rec.y_m, source_x_m=scenario.source_x_m, source_y_m=scenario.source_y_m, wind_from_deg=weather.wind_from_deg
    )
    x_decision = scenario.decision_distance_m
    if x_decision is None:  # the nearest receptor the cloud can reach (downwind), else the default
        dist = np.hypot(s_rec, n_rec)[s_rec > 0]
        x_decision = float(np.min(dist)) if dist.size else DEFAULT_DECISION_DISTANCE_M
    test = dense_gas.heavy_gas_test(
        rate_kg_s=state.mixture_rate_kg_s, duration_s=scenario.duration_s, release_density_kg_m3=state.density_kg_m3,
        air_density_kg_m3=state.air_density_kg_m3, wind_speed_m_s=weather.wind_speed_m_s, distance_m=x_decision,
        source_diameter_m=scenario.source_diameter_m,
    )
    reasons = [f"X = {x_decision:.4g} m: {test.reason}"]
    denser = state.density_kg_m3 > state.air_density_kg_m3
    use_dense = test.heavy or (test.near_threshold and denser)
    use_passive = (not test.heavy) or test.near_threshold
    release = None
    if use_dense:
        g0 = dense_gas.reduced_gravity_m_s2(state.density_kg_m3, state.air_density_kg_m3)
        alpha = dense_gas.plume_alpha(state.mixture_rate_kg_s / state.density_kg_m3, g0, weather.wind_speed_m_s) if denser else -math.inf
        if alpha < dense_gas.BM_ALPHA_RANGE[0]:
            use_dense, use_passive = False, True
            reasons.append(
                f"Britter-McQuaid alpha = {alpha:.3g} < {dense_gas.BM_ALPHA_RANGE[0]:g}: by the workbook's own criterion "
                "density effects are negligible, so the passive Gaussian model is used"
            )
        else:
            release = dense_gas.britter_mcquaid_release(
                rate_kg_s=state.mixture_rate_kg_s, duration_s=scenario.duration_s, release_density_kg_m3=state.density_kg_m3,
                air_density_kg_m3=state.air_density_kg_m3, wind_speed_m_s=weather.wind_speed_m_s,
                release_temperature_k=state.temperature_k, ambient_temperature_k=weather.temperature_k,
            )
            notes.extend(release.notes)
            if scenario.release_height_m > 0:
                notes.append(
                    f"Britter-McQuaid is a ground-level model: the release at {scenario.release_height_m:g} m is treated as at "
                    "ground level (conservative for a dense cloud)"
                )
    models = tuple(m for m, on in ((MODEL_DENSE, use_dense), (MODEL_PASSIVE, use_passive)) if on)
    if len(models) == 2:
        reasons.append("near the threshold: both models run, the larger impact kept")
    choice = ModelChoice(models, test, "; ".join(reasons))

    distances = np.geomspace(MIN_DISTANCE_M, MAX_DISTANCE_M, PROFILE_POINTS)
    profiles = []
    if use_dense:
        profiles.append(_dense_profile(scenario, weather, state, release, distances, notes))
    if use_passive:
        profiles.append(_passive_profile(scenario, weather, distances, offset_m=0.0, start_m=0.0))
    zones = tuple(_zone(profiles, endpoint, _endpoint(chem, endpoint), scenario, weather) for endpoint in ENDPOINTS)
    for zone in zones:
        if zone.truncated:
            notes.append(f"the {zone.endpoint} zone reaches the {MAX_DISTANCE_M / 1000:g} km limit: it is at least that long")
    impacts = _receptor_impacts(rec, s_rec, n_rec, profiles, scenario, weather, chem)
    notes.append(f"results within about {RELIABLE_FROM_M:g} m of the source are indicative only")
    grid, peak = _combined_centreline(profiles)
    return WeatherAssessment(weather, state, choice, zones, impacts, grid, peak, tuple(notes))


def assess(
    scenario: ReleaseScenario,
    weather: Weather,
    receptors: Receptors | Iterable[Sequence] | None = None,
    *,
    worst_case: bool = True,
    worst_case_from_deg: float | None = None,
) -> ScenarioAssessment:
    """``scenario`` under the given ``weather`` and, beside it, HJ 169's worst case.

    Parameters
    ----------
    scenario : ReleaseScenario
    weather : Weather
        The given (e.g. observed or most common) weather.
    receptors : Receptors or iterable of (name, x_m, y_m[, z_flag_m]), optional
    worst_case : bool
        Also assess :func:`worst_case_weather` at the same pressure.
    worst_case_from_deg : float, optional
        The direction the worst case's wind blows from [deg]; default: the given weather's. HJ
        169-2018 takes the most unfavourable conditions for each sensitive receptor, so a
        caller asking "who could be reached" points the worst case at a receptor, whatever the
        wind does now.

    Returns
    -------
    ScenarioAssessment
    """
    rec = _receptor_set(receptors)
    given = assess_weather(scenario, weather, rec)
    worst = None
    if worst_case:
        direction = weather.wind_from_deg if worst_case_from_deg is None else worst_case_from_deg
        worst = assess_weather(scenario, worst_case_weather(direction, pressure_pa=weather.pressure_pa), rec)
    return ScenarioAssessment(scenario, given, worst)


def threat_zones_geojson(assessment: WeatherAssessment | ScenarioAssessment, projection: LocalProjection) -> dict:
    """The threat zones as a GeoJSON FeatureCollection in WGS84 (worst case included for a ScenarioAssessment).

    Each feature carries the endpoint, threshold, reach, width, model, weather label and chemical.
    """
    runs = [assessment] if isinstance(assessment, WeatherAssessment) else [
        a for a in (assessment.given, assessment.worst_case) if a is not None
    ]
    features = []
    for run in runs:
        collection = zones_to_geojson(
            run.zones, projection,
            properties={"weather": run.weather.label, "stability": run.weather.stability,
                        "wind_speed_m_s": run.weather.wind_speed_m_s, "wind_from_deg": run.weather.wind_from_deg,
                        "models": list(run.choice.models)},
        )
        features.extend(collection["features"])
    return {"type": "FeatureCollection", "features": features}


# --------------------------------------------------------------------------------------------------
# Profiles: peak concentration along the downwind axis and what sets the crosswind extent.


@dataclass(frozen=True)
class _Profile:
    """Centreline peak [mg/m3] at distances s; crosswind extent as a Gaussian sigma_y or a top-hat half-width."""

    model: str
    s: np.ndarray
    peak: np.ndarray
    sigma_y: np.ndarray  # NaN where top-hat
    tophat: np.ndarray  # NaN where Gaussian
    receptor: object  # callable (s, n, z) -> (peak, arrival, time_of_peak, model label)

    def half_width(self, threshold: float) -> np.ndarray:
        above = self.peak >= threshold
        ratio = np.where(above, self.peak / threshold, 1.0)
        gauss = self.sigma_y * np.sqrt(2.0 * np.log(ratio))
        width = np.where(np.isnan(self.sigma_y), self.tophat, gauss)
        return np.where(above, np.nan_to_num(width), 0.0)


def _passive_profile(scenario, weather, s, *, offset_m: float, start_m: float, height_m: float | None = None) -> _Profile:
    """Gaussian peak profile for s > start_m, sigmas at s + offset_m (a virtual source offset_m upwind).

    ``height_m`` overrides the release height (0 for a dense cloud that has slumped to the ground).
    """
    q = scenario.rate_kg_s * 1e6
    h = scenario.release_height_m if height_m is None else height_m
    u = neutral.transport_wind_m_s(weather.wind_speed_m_s, h, weather.stability, scenario.sigma_method)
    td = scenario.duration_s
    mask = s > start_m
    peak = np.zeros_like(s)
    sig = np.full_like(s, np.nan)
    if np.any(mask):
        d = s[mask] + offset_m
        sy, sz = neutral.sigmas_m(d, weather.stability, scenario.sigma_method)
        factor, _ = neutral._peak_time_factor(s[mask], sy, u, td)
        peak[mask] = neutral._plume(q, 0.0, 0.0, sy, sz, u, h) * factor
        sig[mask] = sy

    def receptor(sr, nr, zr):
        out_peak = np.zeros_like(sr)
        arrival = np.full_like(sr, np.nan)
        t_peak = np.full_like(sr, np.nan)
        m = sr > start_m
        if np.any(m):
            d = sr[m] + offset_m
            sy, sz = neutral.sigmas_m(d, weather.stability, scenario.sigma_method)
            factor, t_star = neutral._peak_time_factor(sr[m], sy, u, td)
            out_peak[m] = neutral._plume(q, nr[m], zr[m], sy, sz, u, h) * factor
            arrival[m] = neutral._arrival(sr[m], sy, u, td, neutral.ARRIVAL_FRACTION)
            t_peak[m] = t_star
        return out_peak, arrival, t_peak, np.full(sr.shape, label, dtype=object)

    label = MODEL_PASSIVE if offset_m == 0.0 and start_m == 0.0 else MODEL_HANDOFF
    return _Profile(label, s, peak, np.where(mask, sig, 0.0), np.full_like(s, np.nan), receptor)


def _dense_profile(scenario, weather, state, release, s_down, notes) -> _Profile:
    """Britter-McQuaid profile (upwind source region + downwind), then the passive hand-off beyond its end."""
    chem = scenario.chemical
    to_mg = state.mole_fraction * weather.pressure_pa * chem.molar_mass_kg_mol / (GAS_CONSTANT_J_MOL_K * weather.temperature_k) * 1e6
    ratio, regime = dense_gas._release_ratio(release, s_down)
    valid = ~np.isnan(ratio)
    n_valid = int(np.argmin(valid)) if not np.all(valid) else len(s_down)
    upwind = release.plume.upwind_extent_m if release.plume is not None else release.puff.initial_radius_m
    s_up = -np.geomspace(upwind, MIN_DISTANCE_M / 10, 12) if upwind > MIN_DISTANCE_M / 10 else np.array([])
    s = np.concatenate([s_up, s_down])
    peak_dense = np.concatenate([np.full(s_up.shape, to_mg), ratio * to_mg])
    widths = _dense_widths(release, s, np.concatenate([np.full(s_up.shape, regime[0]), regime]))
    sigma = np.full_like(s, np.nan)

    if n_valid == len(s_down):
        peak, tophat = peak_dense, widths
        s_end, offset = math.inf, 0.0
    else:
        s_end = s_down[n_valid - 1] if n_valid > 0 else 0.0
        c_end = ratio[n_valid - 1] * to_mg if n_valid > 0 else to_mg
        offset = _virtual_offset(scenario, weather, s_end, c_end)
        passive = _passive_profile(scenario, weather, s, offset_m=offset, start_m=s_end, height_m=0.0)
        beyond = s > s_end
        peak = np.where(beyond, passive.peak, peak_dense)
        sigma = np.where(beyond, passive.sigma_y, np.nan)
        tophat = np.where(beyond, np.nan, widths)
        notes.append(
            f"Britter-McQuaid correlations end at {s_end:.4g} m (C/C0 at its last curve); beyond, the cloud is passive and the "
            f"Gaussian model continues from a virtual source {s_end + offset:.4g} m upwind of that point, matched to "
            f"{c_end:.4g} mg/m3 there"
        )
    passive_receptor = (
        _passive_profile(scenario, weather, s_down, offset_m=offset, start_m=s_end, height_m=0.0).receptor
        if math.isfinite(s_end)
        else None
    )

    def receptor(sr, nr, zr):
        out_peak = np.zeros_like(sr)
        arrival = np.full_like(sr, np.nan)
        t_peak = np.full_like(sr, np.nan)
        labels = np.full(sr.shape, MODEL_DENSE, dtype=object)
        near = sr <= s_end
        if np.any(near):
            r, reg = dense_gas._release_ratio(release, np.maximum(sr[near], MIN_DISTANCE_M / 10))
            r = np.where(sr[near] <= 0, 1.0, r)
            w = _dense_widths(release, sr[near], reg)
            inside = (np.abs(nr[near]) <= w) & (w > 0) & ~np.isnan(r)
            t_front = np.maximum(sr[near], 0.0) / weather.wind_speed_m_s  # the front moves no faster than the 10 m wind
            t_puff = (
                dense_gas._puff_arrival(release.puff, sr[near], nr[near]) if release.puff is not None else np.full(sr[near].shape, np.nan)
            )
            t_arr = np.where(reg == "plume", t_front, np.where(reg == "puff", t_puff, np.fmin(t_front, t_puff)))
            out_peak[near] = np.where(inside, np.nan_to_num(r) * to_mg, 0.0)
            arrival[near] = np.where(inside, t_arr, np.nan)
            t_peak[near] = arrival[near]
        far = ~near
        if np.any(far) and passive_receptor is not None:
            p, a, tp, lab = passive_receptor(sr[far], nr[far], zr[far])
            out_peak[far], arrival[far], t_peak[far], labels[far] = p, a, tp, lab
        return out_peak, arrival, t_peak, labels

    label = MODEL_DENSE if math.isinf(s_end) else f"{MODEL_DENSE}+{MODEL_HANDOFF}"
    return _Profile(label, s, peak, sigma, tophat, receptor)


def _dense_widths(release, s, regime) -> np.ndarray:
    """Top-hat half-width of the regime whose concentration is used at each distance."""
    nan = np.full(s.shape, np.nan)
    plume_w = dense_gas._plume_half_width(release.plume, s) if release.plume is not None else nan
    puff_w = dense_gas._puff_half_width(release.puff, s) if release.puff is not None else nan
    x = np.maximum(s, MIN_DISTANCE_M / 10)
    plume_r = dense_gas._plume_ratio(release.plume, x) if release.plume is not None else nan
    puff_r = dense_gas._puff_ratio(release.puff, x) if release.puff is not None else nan
    plume_smaller = np.where(np.isnan(puff_r), True, np.where(np.isnan(plume_r), False, plume_r <= puff_r))
    both = np.where(plume_smaller, plume_w, puff_w)
    return np.where(regime == "plume", plume_w, np.where(regime == "puff", puff_w, both))


def _virtual_offset(scenario, weather, s_end: float, c_end: float) -> float:
    """Offset d - s_end of the passive sigmas so the passive peak at s_end equals the dense one (bisection in log d).

    The continued cloud is at ground level (it was dense), so the passive peak decreases with d.
    """
    q = scenario.rate_kg_s * 1e6
    u = neutral.transport_wind_m_s(weather.wind_speed_m_s, 0.0, weather.stability, scenario.sigma_method)

    def passive(d):
        sy, sz = neutral.sigmas_m(np.array([d]), weather.stability, scenario.sigma_method)
        factor, _ = neutral._peak_time_factor(np.array([max(s_end, 1e-3)]), sy, u, scenario.duration_s)
        return float((neutral._plume(q, 0.0, 0.0, sy, sz, u, 0.0) * factor)[0])

    lo, hi = math.log(0.1), math.log(1e6)
    if passive(math.exp(lo)) <= c_end:
        return math.exp(lo) - s_end
    if passive(math.exp(hi)) >= c_end:
        return math.exp(hi) - s_end
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if passive(math.exp(mid)) > c_end:
            lo = mid
        else:
            hi = mid
    return math.exp(0.5 * (lo + hi)) - s_end


# --------------------------------------------------------------------------------------------------
# Zones and receptors from the profiles.


def _endpoint(chem: Chemical, endpoint: str) -> float:
    return chem.endpoint_1_mg_m3 if endpoint == "endpoint_1" else chem.endpoint_2_mg_m3


def _zone(profiles, endpoint: str, threshold: float, scenario, weather) -> ThreatZone:
    zones = []
    for profile in profiles:
        widths = profile.half_width(threshold)
        reach, truncated = _reach(profile.s, profile.peak, threshold)
        zones.append(
            zone_from_profile(
                profile.s, widths, endpoint=endpoint, threshold_mg_m3=threshold, downwind_distance_m=reach,
                truncated=truncated, model=profile.model, source_x_m=scenario.source_x_m, source_y_m=scenario.source_y_m,
                wind_from_deg=weather.wind_from_deg,
            )
        )
    if len(zones) == 1:
        return zones[0]
    return union_zones(zones, model="+".join(p.model for p in profiles))


def _reach(s: np.ndarray, peak: np.ndarray, threshold: float) -> tuple[float, bool]:
    """Furthest distance with peak >= threshold, refined log-linearly to the next sample; and whether it is the end."""
    above = np.flatnonzero(peak >= threshold)
    if above.size == 0:
        return 0.0, False
    i = int(above[-1])
    if i == len(s) - 1:
        return float(s[i]), True
    c0, c1 = peak[i], peak[i + 1]
    if s[i] <= 0 or c1 <= 0:
        return float(s[i]), False
    f = math.log(c0 / threshold) / math.log(c0 / c1)  # log c linear in log s
    return float(math.exp(math.log(s[i]) + f * (math.log(s[i + 1]) - math.log(s[i])))), False


def _combined_centreline(profiles) -> tuple[np.ndarray, np.ndarray]:
    grid = np.unique(np.concatenate([p.s for p in profiles]))
    peak = np.zeros_like(grid)
    for p in profiles:
        peak = np.maximum(peak, np.interp(grid, p.s, p.peak, left=0.0, right=0.0))
    return grid, peak


def _receptor_set(receptors) -> Receptors:
    if receptors is None:
        return discrete([])
    if isinstance(receptors, Receptors):
        return receptors
    return discrete(list(receptors))


def _receptor_impacts(rec: Receptors, s, n, profiles, scenario, weather, chem) -> tuple[ReceptorImpact, ...]:
    if len(rec) == 0:
        return ()
    z = np.asarray(rec.z_flag_m, dtype=float)
    best = np.zeros(len(rec))
    arrival = np.full(len(rec), np.nan)
    t_peak = np.full(len(rec), np.nan)
    model = np.full(len(rec), "none", dtype=object)
    for profile in profiles:
        p, a, tp, labels = profile.receptor(s, n, z)
        better = p > best
        best = np.where(better, p, best)
        t_peak = np.where(better, tp, t_peak)
        model = np.where(better, labels, model)
        arrival = np.where(p > 0, np.fmin(arrival, a), arrival)
    return tuple(
        ReceptorImpact(
            str(rec.name[i]), float(rec.x_m[i]), float(rec.y_m[i]), float(s[i]), float(n[i]), float(best[i]),
            float(arrival[i]), float(t_peak[i]), str(model[i]),
            bool(best[i] > chem.endpoint_1_mg_m3), bool(best[i] > chem.endpoint_2_mg_m3),
        )
        for i in range(len(rec))
    )
