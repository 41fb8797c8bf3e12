"""The HJ 212 factor catalogue shipped with the package (data/factors.json)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

CATALOGUE_FILE = Path(__file__).with_name("data") / "factors.json"


@lru_cache(maxsize=1)
def catalogue() -> dict:
    """The catalogue document: ``source``, ``verified`` and the list of ``factors``."""
    return json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))


def factor_codes() -> frozenset[str]:
    return frozenset(row["code"] for row in catalogue()["factors"])
