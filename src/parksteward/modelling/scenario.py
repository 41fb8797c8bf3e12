"""A dispersion scenario: what to model, read from YAML (``parksteward disperse run``) or JSON (API).

A scenario names the pollutant, the sources (the registry's stacks and fugitive areas, stacks,
area and volume sources given in the file, or both), the meteorology (an hourly CSV, the park's weather station, or the synthetic demo
year), the receptors (a grid, a polar grid, the registry's sensitive receptors, discrete
points) and the outputs. Example::

    name: SO2, all stacks, 2025
    pollutant: SO2                 # a GB 3095-2012 pollutant name or HJ 212 code
    land: rural                    # rural | urban (wind profile, sigma curves)
    sources:
      registry: true               # every stack of the park
      emission_g_s: 1.0            # default rate where no rate is given below
      rates_g_s: {"91320191MA1XXXXX2K/DA001": 3.2}   # credit code / source code -> g/s
      fugitive_areas: true         # also the registry's fugitive areas (rectangles; default false)
      stacks:                      # more stacks, given here
        - {name: new boiler, lon: 118.80, lat: 32.26, stack_height_m: 45, diameter_m: 1.2,
           exit_velocity_m_s: 12, exit_temperature_k: 410, emission_g_s: 2.5}
      areas:                       # area sources: centre, sides, bearing of the length side
        - {name: new tank farm, lon: 118.81, lat: 32.25, length_m: 120, width_m: 60, bearing_deg: 30,
           release_height_m: 8, emission_g_s: 0.4}
      volumes:                     # volume sources (ISC3 initial spreads)
        - {name: loading bay, lon: 118.805, lat: 32.255, release_height_m: 5, sigma_y0_m: 4.7,
           sigma_z0_m: 4.7, emission_g_s: 0.2}
    meteorology:
      csv: met-2025.csv            # or: station: 园区气象站 (with clouds_csv), or: synthetic_year: 2025
    receptors:
      grid: {nx: 100, ny: 100, spacing_m: 100}    # centred on the park
      sensitive: true
      discrete: [{name: school, lon: 118.79, lat: 32.25}]
    outputs: {contour_levels_ug_m3: [1, 5, 10, 50]}

Every field is checked by pydantic; an error names the field (``sources.stacks.0.diameter_m``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt, ValidationError, model_validator

from parksteward.errors import InvalidInput


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StackInput(_Strict):
    """A stack given in the scenario (a planned source, or one not in the registry)."""

    name: str
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    stack_height_m: PositiveFloat
    diameter_m: PositiveFloat
    exit_velocity_m_s: PositiveFloat
    exit_temperature_k: PositiveFloat
    emission_g_s: float = Field(ge=0)


class AreaInput(_Strict):
    """A rectangular area source given in the scenario (a tank farm, an open process area)."""

    name: str
    lon: float = Field(ge=-180, le=180, description="Centre of the rectangle.")
    lat: float = Field(ge=-90, le=90)
    length_m: PositiveFloat
    width_m: PositiveFloat
    bearing_deg: float = Field(0.0, description="Direction of the length side, clockwise from north.")
    release_height_m: float = Field(0.0, ge=0)
    emission_g_s: float = Field(ge=0, description="Emission of the whole area [g/s].")


class VolumeInput(_Strict):
    """A volume source given in the scenario (a building's fugitive emissions, a loading bay)."""

    name: str
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    release_height_m: float = Field(ge=0, description="Height of the volume's centre.")
    sigma_y0_m: float = Field(ge=0, description="Initial lateral spread: side / 4.3 (ISC3).")
    sigma_z0_m: float = Field(ge=0, description="Initial vertical spread: height / 2.15 (ISC3).")
    emission_g_s: float = Field(ge=0)


class Sources(_Strict):
    registry: bool = Field(True, description="Include every stack of the park's registry.")
    fugitive_areas: bool = Field(False, description="With registry: also the registry's fugitive areas (tank "
                                 "farms, process areas). Off by default: they emit VOCs rather than the combustion "
                                 "pollutants stacks are modelled for, and each costs about 1 s of CPU per hour "
                                 "group (some 1,600 in a year) on a 100 x 100 grid.")
    enterprises: list[str] | None = Field(None, description="Only the registry sources of these enterprises "
                                                            "(unified social credit codes).")
    emission_g_s: float = Field(1.0, ge=0, description="Rate of a registry source without its own rate [g/s].")
    rates_g_s: dict[str, float] = Field(default_factory=dict,
                                        description="Rates by 'credit code/source code' [g/s].")
    stacks: list[StackInput] = Field(default_factory=list)
    areas: list[AreaInput] = Field(default_factory=list)
    volumes: list[VolumeInput] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some(self) -> Sources:
        if not self.registry and not (self.stacks or self.areas or self.volumes):
            raise ValueError("no sources: set registry: true or give stacks, areas or volumes")
        if any(rate < 0 for rate in self.rates_g_s.values()):
            raise ValueError("rates_g_s: emission rates must be >= 0 g/s")
        return self


class Meteorology(_Strict):
    csv: str | None = Field(None, description="Hourly CSV (see parksteward.dispersion.meteorology.read_met_csv).")
    station: str | None = Field(None, description="Name of the park's weather station, read from stored hourly data.")
    clouds_csv: str | None = Field(None, description="Cloud cover and ceiling for the station's hours (Turner): "
                                                     "a CSV of time, cloud_cover_tenths, ceiling_height_m.")
    clouds: list[tuple[str, float, float | None]] | None = Field(
        None, description="The same inline: [time, cloud cover in tenths, ceiling in m or null] per hour.")
    start: str | None = Field(None, description="First hour (ISO 8601 with offset) of station data.")
    end: str | None = Field(None, description="Last hour (ISO 8601 with offset) of station data.")
    synthetic_year: int | None = Field(None, description="The demo's synthetic weather for this year.")
    hours: PositiveInt | None = Field(None, description="Only the first N hours (a quick look).")

    @model_validator(mode="after")
    def _one(self) -> Meteorology:
        given = [name for name in ("csv", "station", "synthetic_year") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of csv, station, synthetic_year (found {given or 'none'})")
        if self.station is not None and self.clouds_csv is None and self.clouds is None:
            raise ValueError("station: a weather station measures no clouds; give clouds_csv or clouds for "
                             "Turner's method")
        return self


class Grid(_Strict):
    nx: PositiveInt = 100
    ny: PositiveInt = 100
    spacing_m: PositiveFloat = 100.0
    centre_lon: float | None = None
    centre_lat: float | None = None


class Polar(_Strict):
    distances_m: list[PositiveFloat]
    directions_deg: list[float] = Field(default_factory=lambda: [float(d) for d in range(0, 360, 10)])


class PointInput(_Strict):
    name: str
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    z_flag_m: float = Field(0.0, ge=0)


class ReceptorsInput(_Strict):
    grid: Grid | None = Field(default_factory=Grid, description="A Cartesian grid (default 100 x 100 at 100 m, "
                                                                "centred on the park); null for none.")
    polar: Polar | None = None
    sensitive: bool = True
    discrete: list[PointInput] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some(self) -> ReceptorsInput:
        if self.polar is not None and "grid" not in self.model_fields_set:
            self.grid = None  # a polar grid replaces the default Cartesian one
        if self.grid is not None and self.polar is not None:
            raise ValueError("give a grid or a polar grid, not both")
        if self.grid is None and self.polar is None and not self.sensitive and not self.discrete:
            raise ValueError("no receptors: give a grid, a polar grid, sensitive: true or discrete points")
        return self


class Outputs(_Strict):
    contour_levels_ug_m3: list[PositiveFloat] | None = Field(
        None, description="Contour levels of the maps; by default fractions of the pollutant's limits.")


class Scenario(_Strict):
    """A dispersion run as its user writes it."""

    name: str = "dispersion run"
    pollutant: str = Field(description="GB 3095-2012 pollutant name (SO2, NO2, PM10, ...) or HJ 212 code.")
    land: Literal["rural", "urban"] = "rural"
    timezone: str | None = Field(None, description="Park-local calendar for daily means (default: the park's).")
    zone_class: Literal[1, 2] | None = Field(None, description="GB 3095 zone class (default: the park's).")
    sources: Sources = Field(default_factory=Sources)
    meteorology: Meteorology
    receptors: ReceptorsInput = Field(default_factory=ReceptorsInput)
    outputs: Outputs = Field(default_factory=Outputs)


def parse_scenario(data: dict) -> Scenario:
    """A :class:`Scenario` from plain data; :class:`InvalidInput` naming every bad field."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput.from_pydantic(exc) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read a YAML scenario file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput.single("scenario", f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise InvalidInput.single("scenario", f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidInput.single("scenario", f"{path} must hold a mapping of settings")
    return parse_scenario(data)


SERVER_FILES = (("meteorology", "csv"), ("meteorology", "clouds_csv"))


def refuse_server_files(scenario: Scenario) -> None:
    """Through the API a scenario may not name files on the server (give data inline instead)."""
    for section, name in SERVER_FILES:
        if getattr(getattr(scenario, section), name) is not None:
            raise InvalidInput.single(f"scenario.{section}.{name}", "files on the server cannot be named through the "
                                      "API: use synthetic_year, or station with clouds given inline")
