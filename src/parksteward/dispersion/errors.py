"""Errors of the dispersion core; each names the parameter that was wrong."""

from __future__ import annotations


class DispersionInputError(ValueError):
    """A non-physical or malformed input: ``parameter`` names it, the message says why."""

    def __init__(self, parameter: str, message: str):
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


class OutOfScope(DispersionInputError):
    """An input that needs a method this core does not implement (building downwash, complex terrain)."""
