"""Errors of the release core; each names the parameter that was wrong, like the dispersion core's."""

from __future__ import annotations

from parksteward.dispersion.errors import DispersionInputError


class ReleaseInputError(DispersionInputError):
    """A non-physical or malformed release input: ``parameter`` names it, the message says why."""


class OutOfValidity(ReleaseInputError):
    """An input outside the range a correlation was fitted on; refused instead of extrapolated."""
