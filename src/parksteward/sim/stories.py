"""The three stories the live demo tells, chosen by stable rules and shaped as pure functions.

1. **Night-shift NMHC** (夜班非甲烷总烃偏高): at one VOC stack the NMHC (a24088) runs
   :data:`NIGHT_SHIFT_EXCESS` (30 %) higher between 22:00 and 04:00 local time than by day at
   the same production load: the activated carbon of its adsorber was not replaced, and the
   night shift runs the saturated bed. The stack is the first ``stack_cems`` point, by point
   code, that measures a24088 and belongs to a ``fine_chemical`` enterprise.
2. **Overfilling tank** (储罐液位持续上升): one storage tank fills steadily from
   :data:`TANK_START_PCT` of its safe level at the start of the simulated clock at
   :data:`TANK_RISE_PCT_PER_H` per hour, crossing 80 % after two simulated hours, and holds at
   :data:`TANK_HOLD_PCT` once the filling stops. ``x01002`` is that percentage and
   ``x01001`` the level in metres (fraction × the tank's safe level). The tank is the first
   ``tank_level`` point, by point code, of an atmospheric tank (its device has no pressure
   factor x01004) whose risk source records a safe level.
3. **Flat line** (数据恒值): one wastewater outlet sends exactly the same pH (w01001),
   :data:`FLAT_VALUE`, with flag N in every real-time, minute and hourly value — a stuck
   electrode or a data logger fed a fixed number. The outlet is the first
   ``wastewater_outlet`` point, by point code, whose device speaks HJ 212-2017.

Story factors never get maintenance, calibration or fault flags, so the story stays clean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parksteward.sim.signals import in_window

NIGHT_SHIFT_EXCESS = 0.30  # [-]
NIGHT_WINDOW_H = (22.0, 4.0)  # local hours [h]
NIGHT_FACTOR = "a24088"
TANK_START_PCT = 60.0  # [% of the safe level]
TANK_RISE_PCT_PER_H = 10.0  # [%/h]
TANK_HOLD_PCT = 96.0  # [%]
FLAT_FACTOR = "w01001"
FLAT_VALUE = "7.21"  # pH, sent verbatim


@dataclass(frozen=True)
class StoryPoint:
    """What a story rule needs to know of a device."""

    mn: str
    point_code: str
    kind: str
    factor_codes: tuple[str, ...]
    protocol_version: str
    industry: str | None
    safe_level_m: float | None


@dataclass(frozen=True)
class Stories:
    """The MN of the device that plays each story (None when the park has no candidate)."""

    night_shift_mn: str | None = None
    tank_mn: str | None = None
    flat_line_mn: str | None = None

    def describe(self, points: dict[str, StoryPoint]) -> list[str]:
        lines = []
        for title, mn, factor in (("night-shift NMHC", self.night_shift_mn, NIGHT_FACTOR),
                                  ("overfilling tank", self.tank_mn, "x01002"),
                                  ("flat line", self.flat_line_mn, FLAT_FACTOR)):
            if mn is None:
                lines.append(f"story {title}: no candidate point in this park")
            else:
                lines.append(f"story {title}: point {points[mn].point_code} (MN {mn}), factor {factor}")
        return lines


def choose_stories(points: list[StoryPoint]) -> Stories:
    """Pick the story devices by the rules of the module docstring (stable: by point code)."""
    ordered = sorted(points, key=lambda p: p.point_code)

    def first(rule) -> str | None:
        return next((p.mn for p in ordered if rule(p)), None)

    return Stories(
        night_shift_mn=first(lambda p: p.kind == "stack_cems" and NIGHT_FACTOR in p.factor_codes
                             and p.industry == "fine_chemical"),
        tank_mn=first(lambda p: p.kind == "tank_level" and "x01002" in p.factor_codes
                      and "x01004" not in p.factor_codes and p.safe_level_m),
        flat_line_mn=first(lambda p: p.kind == "wastewater_outlet" and FLAT_FACTOR in p.factor_codes
                           and p.protocol_version == "2017"),
    )


def night_shift_multiplier(hour: np.ndarray) -> np.ndarray:
    """1 + :data:`NIGHT_SHIFT_EXCESS` between 22:00 and 04:00 local, else 1 [-]."""
    return np.where(in_window(hour, *NIGHT_WINDOW_H), 1.0 + NIGHT_SHIFT_EXCESS, 1.0)


def rising_tank_pct(t: np.ndarray, start: float) -> np.ndarray:
    """Fill of the story tank [% of its safe level] at epoch ``t`` for a clock started at ``start`` [s]."""
    hours = np.maximum(np.asarray(t, dtype=np.float64) - start, 0.0) / 3600.0
    return np.minimum(TANK_START_PCT + TANK_RISE_PCT_PER_H * hours, TANK_HOLD_PCT)
