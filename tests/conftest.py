"""Fixtures: every test gets a fresh store made by the migrations, on SQLite and PostgreSQL.

PostgreSQL tests use ``PARKSTEWARD_TEST_POSTGRES_URL`` (default: the server on
127.0.0.1:5432 as user postgres). Where no server answers they skip with a message, except
under ``CI=true``, where a missing server fails the run.
"""

from __future__ import annotations

import os
import shutil
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from parksteward.bootstrap import prepare_database
from parksteward.db import Base, make_engine, make_sessionmaker

POSTGRES_URL = os.environ.get(
    "PARKSTEWARD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_admin_connection():
    import psycopg

    url = make_url(POSTGRES_URL)
    return psycopg.connect(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password,
        dbname=url.database or "postgres", autocommit=True, connect_timeout=3,
    )


@pytest.fixture(scope="session")
def postgres_database_url():
    """A throw-away PostgreSQL database for this test session, migrated once."""
    try:
        admin = _postgres_admin_connection()
    except Exception as exc:  # psycopg.OperationalError and friends
        message = f"no PostgreSQL server answers at {POSTGRES_URL}: {exc}"
        if IN_CI:
            pytest.fail(message + " (CI=true requires it)")
        pytest.skip(message)
    name = f"parksteward_test_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    prepare_database(engine)
    engine.dispose()
    yield url
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file that each test copies (migrating per test costs seconds)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    prepare_database(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """URL of a fresh, migrated store with the factor catalogue loaded."""
    if request.param == "sqlite":
        path = tmp_path / "parksteward.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_database_url")
    engine = make_engine(url)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name != "factor" and not t.info.get("view")]
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield url


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine):
    return make_sessionmaker(engine)


@pytest.fixture
def session(session_factory):
    with session_factory() as session:
        yield session
