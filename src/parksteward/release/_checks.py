"""Scalar input checks of the release modules: a float out, or a :class:`ReleaseInputError` naming the input."""

from __future__ import annotations

import math

from parksteward.dispersion._checks import STABILITY_CLASSES
from parksteward.release.errors import ReleaseInputError


def number(name: str, value) -> float:
    """``value`` as a finite float; raises naming ``name`` otherwise."""
    if isinstance(value, bool):
        raise ReleaseInputError(name, f"must be a number (found {value!r})")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ReleaseInputError(name, f"must be a number (found {value!r})") from None
    if not math.isfinite(out):
        raise ReleaseInputError(name, f"must be finite (found {value!r})")
    return out


def positive(name: str, value, unit: str = "") -> float:
    """``value`` as a finite float > 0; raises naming ``name`` otherwise."""
    out = number(name, value)
    if out <= 0:
        raise ReleaseInputError(name, f"must be > 0{' ' + unit if unit else ''} (found {out:g})")
    return out


def non_negative(name: str, value, unit: str = "") -> float:
    """``value`` as a finite float >= 0; raises naming ``name`` otherwise."""
    out = number(name, value)
    if out < 0:
        raise ReleaseInputError(name, f"must be >= 0{' ' + unit if unit else ''} (found {out:g})")
    return out


def between(name: str, value, low: float, high: float, unit: str = "") -> float:
    """``value`` as a finite float within [low, high]; raises naming ``name`` otherwise."""
    out = number(name, value)
    if not low <= out <= high:
        raise ReleaseInputError(name, f"must be within {low:g}..{high:g}{' ' + unit if unit else ''} (found {out:g})")
    return out


def stability(value, name: str = "stability") -> str:
    """A Pasquill-Gifford class as its upper-case letter A-F; raises naming ``name`` otherwise."""
    if isinstance(value, (int,)) and not isinstance(value, bool) and 1 <= value <= 6:
        return STABILITY_CLASSES[value - 1]
    letter = str(value).strip().upper()
    if letter not in STABILITY_CLASSES:
        raise ReleaseInputError(name, f"unknown stability class {value!r}, expected one of A-F")
    return letter


def choice(name: str, value, options) -> str:
    """``value`` if it is one of ``options``; raises naming ``name`` and the valid options otherwise."""
    if value not in options:
        raise ReleaseInputError(name, f"unknown value {value!r}; valid: {', '.join(options)}")
    return value
