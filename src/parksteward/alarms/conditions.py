"""Pure judgements behind the alarm rules: which level a value reaches (no I/O, no state).

Each function takes numbers and a rule's bands and answers a level name of
:data:`~parksteward.alarms.levels.LEVELS` or None. Bands are mappings level → threshold; a
rule may give any subset of the four levels, and a value takes the most severe level whose
threshold it reaches.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping

from parksteward.alarms.levels import LEVELS, RANK

DIRECTIONS = ("above", "below")


def check_bands(bands: Mapping[str, float], direction: str = "above") -> dict[str, float]:
    """Validate a rule's bands; returns them ordered lowest level first.

    Thresholds must be finite and grow with the level (``above``) or fall with it (``below``):
    a red threshold below the yellow one is a typing error, and is refused rather than
    silently reordered.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {list(DIRECTIONS)}, not {direction!r}")
    if not bands:
        raise ValueError("at least one level needs a threshold")
    unknown = [level for level in bands if level not in RANK]
    if unknown:
        raise ValueError(f"unknown level(s) {unknown}, expected some of {list(LEVELS)}")
    ordered = {level: float(bands[level]) for level in LEVELS if level in bands}
    for level, value in ordered.items():
        if not math.isfinite(value):
            raise ValueError(f"threshold of {level} must be a finite number, not {bands[level]!r}")
    values = list(ordered.values())
    pairs = list(zip(list(ordered)[:-1], list(ordered)[1:]))
    for (lower, upper), (a, b) in zip(pairs, zip(values[:-1], values[1:])):
        if (direction == "above" and not b > a) or (direction == "below" and not b < a):
            word = "above" if direction == "above" else "below"
            raise ValueError(f"the {upper} threshold ({b:g}) must lie {word} the {lower} threshold ({a:g})")
    return ordered


def band_level(value: float | None, bands: Mapping[str, float], direction: str = "above") -> str | None:
    """The most severe level whose threshold ``value`` reaches (``>=`` above, ``<=`` below).

    >>> band_level(82.0, {"yellow": 80, "orange": 90, "red": 95})
    'yellow'
    """
    if value is None or not math.isfinite(value):
        return None
    reached = None
    for level in LEVELS:
        threshold = bands.get(level)
        if threshold is None:
            continue
        if (value >= threshold) if direction == "above" else (value <= threshold):
            reached = level
    return reached


def limit_ratio(value: float, direction: str, limit: float | None, limit_max: float | None = None) -> float:
    """How far a value is from complying with a limit, as a ratio: above 1 means exceeded.

    ``le`` (a maximum, most emission limits): value / limit. ``ge`` (a minimum, dissolved
    oxygen): limit / value. ``range`` (pH 6–9): the larger of value / upper and lower / value.
    A value of 0 against a minimum is infinitely far (ratio inf).
    """
    if direction == "le":
        return value / limit if limit > 0 else (math.inf if value > 0 else 0.0)
    if direction == "ge":
        return limit / value if value > 0 else math.inf
    if direction == "range":
        upper = value / limit_max if limit_max and limit_max > 0 else 0.0
        lower = limit / value if value > 0 else math.inf
        return max(upper, lower)
    raise ValueError(f"no ratio for a limit of direction {direction!r} (expected le, ge or range)")


def rate_per_minute(v0: float, t0: float, v1: float, t1: float) -> float | None:
    """Change of a value per minute between two readings at epoch seconds ``t0`` < ``t1``; None if not later."""
    if t1 <= t0:
        return None
    return (v1 - v0) * 60.0 / (t1 - t0)


def slope_per_minute(points) -> float | None:
    """Least-squares slope of (epoch s, value) points, per minute; None for fewer than two times.

    A fitted slope, rather than the difference of the window's first and last values, keeps one
    noisy reading at either end from raising a "rising fast" warning.
    """
    n = len(points)
    if n < 2:
        return None
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    sxx = sum((t - mean_t) ** 2 for t, _ in points)
    if sxx == 0:
        return None
    sxy = sum((t - mean_t) * (v - mean_v) for t, v in points)
    return sxy / sxx * 60.0


class SlidingFit:
    """:func:`slope_per_minute` over a sliding time window, in O(1) per value.

    Keeps the sums of a least-squares line (n, Σt, Σv, Σt², Σtv) as values enter and leave, with
    times taken from an origin inside the window so that the squares stay small; every
    ``REBASE`` values the sums are recomputed exactly from the window, so rounding cannot drift.
    """

    REBASE = 1000

    def __init__(self, window_s: float):
        self.window_s = window_s
        self.points: deque = deque()
        self._rebase()

    def _rebase(self) -> None:
        self.origin = self.points[0][0] if self.points else 0.0
        self.n = self.st = self.sv = self.stt = self.stv = 0.0
        for t, v in self.points:
            self._add(t, v, 1.0)
        self.updates = 0

    def _add(self, t: float, v: float, sign: float) -> None:
        x = t - self.origin
        self.n += sign
        self.st += sign * x
        self.sv += sign * v
        self.stt += sign * x * x
        self.stv += sign * x * v

    def add(self, t: float, v: float) -> None:
        """Add a value at epoch ``t`` [s] and drop those older than the window."""
        if not self.points:
            self.origin = t
            self.n = self.st = self.sv = self.stt = self.stv = 0.0
        self.points.append((t, v))
        self._add(t, v, 1.0)
        while self.points and self.points[0][0] < t - self.window_s:
            old_t, old_v = self.points.popleft()
            self._add(old_t, old_v, -1.0)
        self.updates += 1
        if self.updates >= self.REBASE:
            self._rebase()

    def __len__(self) -> int:
        return len(self.points)

    def slope_per_minute(self) -> float | None:
        n = self.n
        if n < 2:
            return None
        sxx = self.stt - self.st * self.st / n
        if sxx <= 1e-9 * max(self.stt, 1.0):
            return None
        return (self.stv - self.st * self.sv / n) / sxx * 60.0


# Mass concentrations: factor to µg per unit volume, so a limit printed in one unit judges a
# reading stored in another (GB 3095 prints µg/m³; the catalogue keeps gases in mg/m³).
_CONCENTRATION = {"µg/m³": 1.0, "ug/m3": 1.0, "mg/m³": 1e3, "mg/m3": 1e3, "g/m³": 1e6,
                  "µg/L": 1.0, "ug/L": 1.0, "mg/L": 1e3, "g/L": 1e6}
_SAME = {"-", "无量纲", "dimensionless", ""}


def convert(value: float, from_unit: str | None, to_unit: str | None) -> float | None:
    """``value`` in ``from_unit`` expressed in ``to_unit``; None when the two do not convert.

    Only mass concentrations (µg/mg/g per m³ or per litre, never across the two volumes)
    convert; any other unit must match as written (``dB(A)``, ``%``, pH's ``-``).
    """
    a, b = (from_unit or "").strip(), (to_unit or "").strip()
    if a == b or (a in _SAME and b in _SAME):
        return value
    if a in _CONCENTRATION and b in _CONCENTRATION and _volume(a) == _volume(b):
        return value * _CONCENTRATION[a] / _CONCENTRATION[b]
    return None


def _volume(unit: str) -> str:
    return "L" if unit.endswith("L") else "m3"
