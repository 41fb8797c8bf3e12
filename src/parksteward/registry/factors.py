"""The HJ 212 factor catalogue as the registry loads it (shipped with the codec)."""

from __future__ import annotations

from parksteward.hj212.codes import factor_catalogue


def catalogue() -> dict:
    """The catalogue document: ``source``, ``verified`` and the list of ``factors``."""
    return factor_catalogue()


def factor_codes() -> frozenset[str]:
    return frozenset(row["code"] for row in catalogue()["factors"])
