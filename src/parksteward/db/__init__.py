"""The store: engine, sessions, declarative base and migrations."""

from parksteward.db.base import Base
from parksteward.db.engine import make_engine, make_sessionmaker
from parksteward.db.migrate import upgrade

__all__ = ["Base", "make_engine", "make_sessionmaker", "upgrade"]
