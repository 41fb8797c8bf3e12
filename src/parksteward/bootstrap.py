"""Bring a store to a usable state: run the migrations and load the shipped catalogues."""

from __future__ import annotations

from sqlalchemy import Engine

from parksteward.db import make_sessionmaker, upgrade
from parksteward.registry.service import factors


def prepare_database(engine: Engine) -> None:
    """Migrate to the newest schema and load the factor catalogue (idempotent)."""
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        factors.load_catalogue(session)
