"""Errors of the standards library and the HJ 941 risk grading; each names what was wrong."""

from __future__ import annotations


class StandardsDataError(ValueError):
    """A data file that does not load or validate: names the file, the entry and the field."""

    def __init__(self, file: str, message: str, *, entry: str | None = None, field: str | None = None):
        where = file + (f", {entry}" if entry else "") + (f", field {field!r}" if field else "")
        super().__init__(f"{where}: {message}")
        self.file = file
        self.entry = entry
        self.field = field
        self.message = message


class StandardsQueryError(ValueError):
    """A query the library cannot answer as asked: ``parameter`` names the culprit."""

    def __init__(self, parameter: str, message: str):
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


class NoLimitError(StandardsQueryError):
    """:func:`limit_for` found no limit for the filters."""


class AmbiguousLimitError(StandardsQueryError):
    """:func:`limit_for` found more than one limit; the message lists them and how they differ."""


class UnknownSubstanceError(StandardsQueryError):
    """A substance without a critical quantity (HJ 169-2018 Table B.1 / HJ 941-2018 Annex A)."""


class RiskGradingInputError(ValueError):
    """A malformed HJ 941 input: ``parameter`` names it, the message says what was expected."""

    def __init__(self, parameter: str, message: str):
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message
